"""The relay's three emails, made the site's one way (`subscriptions.emails.compose`) from
templates/relay/emails/."""

from django.core.mail import EmailMultiAlternatives

from subscriptions.emails import compose
from subscriptions.models import absolute

from .models import RelayMessage


def _context(message: RelayMessage) -> dict:
    return {"relay": message, "trial_url": absolute(message.trial.get_absolute_url())}


def confirmation(message: RelayMessage) -> EmailMultiAlternatives:
    """Carries none of the sender's words: anyone can make us send it to any address."""
    context = {
        **_context(message),
        "confirm_url": message.confirm_url,
        "manage_url": message.sender.manage_url,
    }
    return compose("relay/emails/confirm", context, message.sender.email)


def to_study(message: RelayMessage, study_email: str) -> EmailMultiAlternatives:
    """To the study team, with the patient's address to reply to; no link to manage anything."""
    return compose(
        "relay/emails/study", _context(message), study_email, reply_to=message.sender.email
    )


def copy(message: RelayMessage) -> EmailMultiAlternatives:
    """The patient's copy; it never names the study's address."""
    context = {**_context(message), "manage_url": message.sender.manage_url}
    return compose("relay/emails/copy", context, message.sender.email)
