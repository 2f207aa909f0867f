"""Every email the site sends, each from three templates: subject, plain text and HTML.

Templates live in templates/subscriptions/emails/<name>_subject.txt, <name>.txt, <name>.html.
Every link in them is absolute (SITE_URL), and every email links to the address's manage page.
"""

import email.policy
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from .models import RelayMessage, Subscriber, Subscription, absolute


@dataclass
class DigestItem:
    """One trial version in a digest, with why the address hears about it."""

    version: object
    trial: object
    url: str
    lines: list[str]
    is_new: bool
    categories: list[str]
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
    subject = render_to_string(f"subscriptions/emails/{name}_subject.txt", context)
    text = render_to_string(f"subscriptions/emails/{name}.txt", context)
    html = render_to_string(f"subscriptions/emails/{name}.html", context)
    return " ".join(subject.split()), text, html


def _message(
    name: str,
    context: dict,
    to: str,
    *,
    reply_to: str | None = None,
    headers: dict | None = None,
) -> EmailMultiAlternatives:
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
    return _message("confirm", context, subscriber.email)


def already_subscribed(subscription: Subscription) -> EmailMultiAlternatives:
    """Sent instead of a confirmation when the address already follows this."""
    subscriber = subscription.subscriber
    context = {
        "subscription": subscription,
        "manage_url": subscriber.manage_url,
        "target_url": _target_url(subscription),
    }
    return _message("already_subscribed", context, subscriber.email)


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
    return _message("digest", context, subscriber.email, headers=_unsubscribe_headers(subscriber))


def relay_confirmation(message: RelayMessage) -> EmailMultiAlternatives:
    context = {
        "relay": message,
        "confirm_url": message.confirm_url,
        "trial_url": absolute(message.trial.get_absolute_url()),
        "manage_url": message.sender.manage_url,
    }
    return _message("relay_confirm", context, message.sender.email)


def relay_to_study(message: RelayMessage, study_email: str) -> EmailMultiAlternatives:
    """To the study team, with the patient's address to reply to; no link to manage anything."""
    context = {
        "relay": message,
        "trial_url": absolute(message.trial.get_absolute_url()),
    }
    return _message("relay_study", context, study_email, reply_to=message.sender.email)


def relay_copy(message: RelayMessage) -> EmailMultiAlternatives:
    """The patient's copy; it never names the study's address."""
    context = {
        "relay": message,
        "trial_url": absolute(message.trial.get_absolute_url()),
        "manage_url": message.sender.manage_url,
    }
    return _message("relay_copy", context, message.sender.email)


def _target_url(subscription: Subscription) -> str:
    if subscription.trial_id:
        return absolute(subscription.trial.get_absolute_url())
    return absolute(reverse("trials:category", args=[subscription.category.slug]))
