"""The relay's background work; the worker, retries and the address's email budget are those of
subscriptions/tasks.py."""

import datetime as dt

from django.core import mail
from django.db import transaction
from django.tasks import task

from subscriptions.delivery import SmtpUnavailable
from subscriptions.tasks import held_back, schedule_run, send_or_retry
from trials.models import Trial

from . import emails, sending
from .models import RelayMessage


@task()
def compose(trial_id: int, email: str, name: str, message: str, consented_at: str):
    """A message from the contact form, stored here rather than in the request: finding or
    creating the address takes longer for a new one, and the response must not tell them apart."""
    trial = Trial.objects.published().filter(pk=trial_id).first()
    if trial is None:  # unpublished since
        return None
    with transaction.atomic():  # the address and its message, or neither
        relay = RelayMessage.compose(
            trial, email, name=name, message=message, at=dt.datetime.fromisoformat(consented_at)
        )
    send_confirmation.enqueue(relay.pk)
    return relay.pk


@task()
def send_confirmation(message_id: int, attempt: int = 1) -> bool:
    relay = RelayMessage.objects.select_related("trial", "sender").filter(pk=message_id).first()
    if relay is None or relay.confirmed_at is not None:
        return False
    if held_back(send_confirmation, message_id, attempt, relay.sender.email, f"m{message_id}"):
        return False
    return send_or_retry(
        emails.confirmation(relay),
        send_confirmation,
        message_id,
        attempt,
        "a message confirmation",
    )


@task()
def send(message_id: int) -> bool:
    """Pass a confirmed message on now; a failure leaves it to a later sending run."""
    connection = mail.mailers.default
    try:
        sent = sending.send(message_id, connection)
    except SmtpUnavailable:
        sent = False
    finally:
        connection.close()
    if not sent:
        when = RelayMessage.objects.next_retry_at()
        if when is not None:
            schedule_run(when)
    return sent
