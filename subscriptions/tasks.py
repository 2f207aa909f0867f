"""Background work, through Django's Tasks framework (the worker is `manage.py db_worker`).

Nothing here depends on the backend: another TASKS backend (a Redis or Celery queue) runs the
same tasks. Each task is safe to run twice or at once; what was sent is recorded in the database.
"""

import datetime as dt
import logging
import smtplib

from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from health.cache import CacheUnavailable
from trials.models import ConditionGroup, Trial

from . import delivery, emails, ratelimit
from .models import Subscription

logger = logging.getLogger(__name__)

RUN_REQUESTED = "alerts:run-requested"
MAX_EMAIL_ATTEMPTS = 8


def request_run() -> None:
    """Ask for a sending run soon; many requests before it starts make one run."""
    if cache.add(RUN_REQUESTED, 1, timeout=10 * 60):
        send_alerts.enqueue()


def request_run_on_commit() -> None:
    transaction.on_commit(request_run)


def schedule_run(when: dt.datetime) -> None:
    """A sending run at `when`, for what waits for a retry then; one however often asked."""
    key = f"alerts:retry:{when.replace(microsecond=0).isoformat()}"
    if cache.add(key, 1, timeout=max(60, int((when - timezone.now()).total_seconds()) + 60)):
        send_alerts.using(run_after=when).enqueue()


@task()
def send_alerts() -> dict:
    """One sending run; if anything is waiting for a retry, a later run is scheduled for it."""
    cache.delete(RUN_REQUESTED)
    result = delivery.run()
    if result.retry_at is not None:
        schedule_run(result.retry_at)
    logger.info("Sending run: %s", result.as_dict())
    return result.as_dict()


def send_or_retry(message, retry, row_id: int, attempt: int, what: str) -> bool:
    """Send one email now; on an SMTP failure, enqueue `retry` for the row again with backoff."""
    try:
        with mail.mailers.default as connection:
            connection.send_messages([message])
    except (smtplib.SMTPException, OSError) as error:
        if attempt >= MAX_EMAIL_ATTEMPTS:
            logger.error("Gave up sending %s after %s attempts: %s", what, attempt, error)
            raise
        when = timezone.now() + delivery.backoff(attempt)
        logger.warning("Sending %s failed (%s); trying again at %s", what, error, when)
        retry.using(run_after=when).enqueue(row_id, attempt=attempt + 1)
        return False
    return True


def held_back(retry, row_id: int, attempt: int, address: str, what: str) -> bool:
    """Whether the address's email budget holds this email back (ratelimit.email_budget); a held
    email is enqueued again for when the budget allows, once per sign-up or message."""
    try:
        wait = ratelimit.email_budget(address, what)
    except CacheUnavailable:
        # The counters are out of reach; the forms refuse new requests meanwhile (503), so
        # sending what was already asked for cannot flood anyone.
        return False
    if wait > 0:
        when = timezone.now() + dt.timedelta(seconds=wait)
        retry.using(run_after=when).enqueue(row_id, attempt=attempt)
    return wait != 0


@task()
def sign_up(
    email: str, trial_id: int | None, group_id: int | None, consented_at: str
) -> int | None:
    """A sign-up from the form, done here rather than in the request: finding or creating the
    address takes longer for a new one, and the response must not tell new from known."""
    trial = Trial.objects.published().filter(pk=trial_id).first() if trial_id else None
    group = ConditionGroup.objects.filter(pk=group_id).first() if group_id else None
    if trial is None and group is None:  # unpublished or deleted since
        return None
    with transaction.atomic():  # the address and its sign-up, or neither
        subscription = Subscription.sign_up(
            email,
            trial=trial,
            group=group,
            consented_at=dt.datetime.fromisoformat(consented_at),
        )
    send_signup_email.enqueue(subscription.pk)
    return subscription.pk


@task()
def send_signup_email(subscription_id: int, attempt: int = 1) -> bool:
    """The confirmation link, or a note that the address already follows this."""
    subscription = (
        Subscription.objects.select_related("subscriber", "trial", "group")
        .filter(pk=subscription_id)
        .first()
    )
    if subscription is None:  # removed or purged since
        return False
    address = subscription.subscriber.email
    if held_back(send_signup_email, subscription_id, attempt, address, f"s{subscription_id}"):
        return False
    if subscription.is_confirmed:
        message = emails.already_subscribed(subscription)
    else:
        message = emails.confirmation(subscription)
    return send_or_retry(message, send_signup_email, subscription_id, attempt, "a sign-up email")
