"""Passing confirmed messages on to study teams, each exactly once, in the sending runs of
subscriptions/delivery.py (which this joins through `subscriptions.hooks.sending_run`) and
right after the sender confirms (`tasks.send`)."""

import datetime as dt
import logging
import smtplib

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from subscriptions.delivery import SmtpUnavailable, backoff, is_connection_error
from subscriptions.hooks import Sent

from . import emails
from .models import RelayMessage

logger = logging.getLogger(__name__)


def send(message_id: int, connection, now: dt.datetime | None = None) -> bool:
    """Pass one confirmed message on to the study team, with a copy to the patient.

    The row stays locked while it is sent and is marked sent in the same transaction, so two
    workers never both send it. Raises SmtpUnavailable when the mail server cannot be reached
    (after recording the failure).
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = RelayMessage.objects.due(now).select_for_update(skip_locked=True)
        relay = locked.filter(pk=message_id).first()
        if relay is None:
            return False
        relay = RelayMessage.objects.select_related("trial", "sender").get(pk=relay.pk)
        study_email = relay.study_contact_email()
        error: Exception | None = None
        if not study_email:
            error = LookupError("the study has no contact email address")
        else:
            try:
                connection.send_messages([emails.to_study(relay, study_email)])
            except Exception as send_error:  # recorded and retried; the run goes on
                if not isinstance(send_error, smtplib.SMTPException | OSError):
                    logger.exception("Message %s could not be sent", relay.pk)
                error = send_error
        if error is not None:
            RelayMessage.objects.filter(pk=relay.pk).update(
                attempts=F("attempts") + 1,
                next_attempt_at=now + backoff(relay.attempts + 1),
                last_error=f"{type(error).__name__}: {error}"[:500],
            )
            logger.warning("Message %s to a study team failed: %s", relay.pk, error)
        else:
            RelayMessage.objects.filter(pk=relay.pk).update(
                sent_at=timezone.now(),
                recipient_email=study_email,
                attempts=F("attempts") + 1,
                last_error="",
            )
    if error is not None:
        if is_connection_error(error):
            raise SmtpUnavailable(str(error)) from error
        return False
    logger.info("Message %s passed on to the team of %s", relay.pk, relay.trial.nct_id)
    try:
        connection.send_messages([emails.copy(relay)])
    except Exception as error:
        # The study has the message; a lost copy is not worth sending the study a second one.
        logger.warning("Copy of message %s to its sender failed: %s", relay.pk, error)
    return True


def send_due(connection, now: dt.datetime) -> Sent:
    """Every message due, over one SMTP connection; stops when the mail server is down."""
    result = Sent("relays", "message(s) to study teams")
    try:
        for message_id in list(
            RelayMessage.objects.due(now).order_by("pk").values_list("pk", flat=True)
        ):
            if send(message_id, connection, now):
                result.sent += 1
            else:
                result.failed += 1
    except SmtpUnavailable as error:
        result.error = str(error)
    result.retry_at = RelayMessage.objects.next_retry_at(now)
    result.due_left = RelayMessage.objects.due(now).exists()
    return result
