"""The emails about subscriptions, and `compose`, the one way the site makes an email.

Each email is three templates: <name>_subject.txt, <name>.txt and <name>.html, named from the
templates folder (subscriptions/emails/confirm, relay/emails/copy). Every link in them is
absolute (SITE_URL), and every email to a visitor links to the address's manage page.
"""

import email.policy
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Subscriber, Subscription, absolute


@dataclass
class DigestItem:
    """One trial version in a digest, with why the address hears about it."""

    version: object
    trial: object
    url: str
    lines: list[str]
    is_new: bool
    groups: list[str]
    results_posted: bool = False  # the news is that the study posted what it found


class AlertMessage(EmailMultiAlternatives):
    """An email whose List-Unsubscribe URL reaches mail providers intact.

    SMTP's policy folds header lines at 78 characters, and a URL longer than that would become
    an RFC 2047 encoded word, which RFC 2369 headers must not contain and providers do not read.
    RFC 5322 allows lines up to 998 characters, so headers are kept on one line up to that.
    """

    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(max_line_length=998))


def _render(name: str, context: dict) -> tuple[str, str, str]:
    context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **context}
    subject = render_to_string(f"{name}_subject.txt", context)
    text = render_to_string(f"{name}.txt", context)
    html = render_to_string(f"{name}.html", context)
    return " ".join(subject.split()), text, html


def compose(
    name: str,
    context: dict,
    to: str,
    *,
    reply_to: str | None = None,
    headers: dict | None = None,
) -> EmailMultiAlternatives:
    """The email of the templates `name`_subject.txt, `name`.txt and `name`.html, where `name`
    is a path in templates/ such as "relay/emails/copy"."""
    subject, text, html = _render(name, context)
    message = AlertMessage(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        [to],
        reply_to=[reply_to] if reply_to else None,
        headers=headers or {},
    )
    message.attach_alternative(html, "text/html")
    return message


def _unsubscribe_headers(subscriber: Subscriber) -> dict:
    # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" to the URL, with no cookies.
    return {
        "List-Unsubscribe": f"<{subscriber.unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        # RFC 3834: no vacation replies to an automatic email.
        "Auto-Submitted": "auto-generated",
    }


def confirmation(subscription: Subscription) -> EmailMultiAlternatives:
    subscriber = subscription.subscriber
    context = {
        "subscription": subscription,
        "confirm_url": subscription.confirm_url,
        "manage_url": subscriber.manage_url,
        "target_url": _target_url(subscription),
    }
    return compose("subscriptions/emails/confirm", context, subscriber.email)


def already_subscribed(subscription: Subscription) -> EmailMultiAlternatives:
    """Sent instead of a confirmation when the address already follows this."""
    subscriber = subscription.subscriber
    context = {
        "subscription": subscription,
        "manage_url": subscriber.manage_url,
        "target_url": _target_url(subscription),
    }
    return compose("subscriptions/emails/already_subscribed", context, subscriber.email)


def digest(subscriber: Subscriber, items: list[DigestItem]) -> EmailMultiAlternatives:
    changed = [item for item in items if not item.is_new]
    new = [item for item in items if item.is_new]
    context = {
        "changed": changed,
        "new": new,
        "count": len(items),
        "manage_url": subscriber.manage_url,
        "unsubscribe_url": subscriber.unsubscribe_url,
    }
    return compose(
        "subscriptions/emails/digest",
        context,
        subscriber.email,
        headers=_unsubscribe_headers(subscriber),
    )


def _target_url(subscription: Subscription) -> str:
    if subscription.trial_id:
        return absolute(subscription.trial.get_absolute_url())
    return absolute(reverse("trials:group", args=[subscription.group.slug]))
