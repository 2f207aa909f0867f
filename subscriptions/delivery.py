"""Sending runs: the news each confirmed subscription is owed, one digest per address. Other
apps send what they have due in the same run (`hooks.sending_run`: the study-team relay).

Exactly once: each piece of news is a `Delivery` row (unique per subscription and version). A
digest is sent while its address's row is locked (`select_for_update(skip_locked=True)`), and
its deliveries are marked sent in the same transaction right after the SMTP server accepts the
message. If the process dies first, the transaction rolls back and the news is still pending for
the next run; a second worker running at the same time skips the locked address. The one window
left is between the server's acceptance and our commit, a few milliseconds, which SMTP itself
cannot close. A failed send is retried with backoff and stays pending until it goes out.
"""

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass, field

from django.core import mail
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from trials.changes import posts_results
from trials.models import Trial, TrialVersion

from . import emails
from .hooks import Sent, sending_run
from .models import Delivery, Publication, Subscriber, Subscription, absolute

logger = logging.getLogger(__name__)

# Seconds to wait after the 1st, 2nd, … failed attempt; the last value repeats.
BACKOFF = [60, 5 * 60, 15 * 60, 60 * 60, 3 * 60 * 60, 6 * 60 * 60]


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1])


class SmtpUnavailable(Exception):
    """The mail server could not be reached; the rest of the run waits for the next one."""


@dataclass
class RunResult:
    queued: int = 0
    digests_sent: int = 0
    digests_failed: int = 0
    also: list[Sent] = field(default_factory=list)  # what other apps sent in the run
    retry_at: dt.datetime | None = None
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "queued": self.queued,
            "digests_sent": self.digests_sent,
            "digests_failed": self.digests_failed,
            **{f"{other.name}_sent": other.sent for other in self.also},
            **{f"{other.name}_failed": other.failed for other in self.also},
            "retry_at": self.retry_at.isoformat() if self.retry_at else None,
        }


def record_publications(now: dt.datetime | None = None) -> int:
    """Note when published trials first became public, also those published by bulk updates."""
    now = now or timezone.now()
    missing = Trial.objects.published().filter(publication=None).values_list("pk", flat=True)
    rows = [Publication(trial_id=pk, published_at=now) for pk in missing]
    Publication.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def queue_news(now: dt.datetime | None = None) -> int:
    """Create a pending Delivery for every piece of news a confirmed subscription is owed.

    A trial's followers are owed each change recorded since they signed up; a group's
    followers are owed each trial in it that became public since they signed up. Safe to run
    any number of times at once: the unique constraint drops pairs already recorded.
    """
    record_publications(now)
    already = Delivery.objects.filter(subscription=OuterRef("pk"), version=OuterRef("news"))
    trial_news = (
        Subscription.objects.confirmed()
        .filter(
            trial__is_published=True,
            trial__versions__kind=TrialVersion.Kind.CHANGED,
            trial__versions__seen_at__gte=F("created_at"),
        )
        .annotate(news=F("trial__versions__pk"))
    )
    group_news = (
        Subscription.objects.confirmed()
        .filter(
            group__trials__is_published=True,
            group__trials__publication__published_at__gte=F("created_at"),
            group__trials__versions__kind=TrialVersion.Kind.NEW,
        )
        .annotate(news=F("group__trials__versions__pk"))
    )
    pairs = set()
    for news in (trial_news, group_news):
        pairs.update(news.filter(~Exists(already)).values_list("pk", "news"))
    now = now or timezone.now()
    rows = [
        Delivery(subscription_id=sub, version_id=version, created_at=now, next_attempt_at=now)
        for sub, version in sorted(pairs)
    ]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


def _digest_items(deliveries: list[Delivery]) -> list[emails.DigestItem]:
    """One item per trial version, however many of the address's subscriptions it concerns."""
    items: dict[int, emails.DigestItem] = {}
    for delivery in deliveries:
        version = delivery.version
        item = items.get(version.pk)
        if item is None:
            trial = version.trial
            item = items[version.pk] = emails.DigestItem(
                version=version,
                trial=trial,
                url=absolute(trial.get_absolute_url()),
                lines=version.change_lines(),
                is_new=version.kind == TrialVersion.Kind.NEW,
                groups=[],
                results_posted=posts_results(version.changes or []),
            )
        group = delivery.subscription.group
        if group is not None and group.name not in item.groups:
            item.groups.append(group.name)
    return sorted(items.values(), key=lambda i: (i.is_new, i.version.seen_at, i.trial.nct_id))


def is_connection_error(error: Exception) -> bool:
    """Whether the mail server is unreachable, rather than refusing one message."""
    if isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError):
        return False
    return isinstance(error, smtplib.SMTPException | OSError)


def send_digest(subscriber_id: int, connection, now: dt.datetime | None = None) -> int:
    """Send one address its due news in one email; the number of news items sent (0: none).

    Raises SmtpUnavailable when the mail server cannot be reached (after recording the failure).
    """
    now = now or timezone.now()
    failure: Exception | None = None
    with transaction.atomic():
        locked = Subscriber.objects.select_for_update(skip_locked=True)
        subscriber = locked.filter(pk=subscriber_id).first()
        if subscriber is None:  # another worker is sending it, or the address was deleted
            return 0
        # Everything pending for the address goes together, also news still waiting for a
        # retry: one digest, not one now and another when the retry comes due.
        due = (
            Delivery.objects.pending()
            .filter(subscription__subscriber=subscriber)
            .exclude(subscription__confirmed_at=None)
            .select_related("version__trial", "subscription__group")
            .order_by("pk")
        )
        deliveries = list(due)
        gone = [d.pk for d in deliveries if not d.version.trial.is_published]
        if gone:  # the trial was taken down: its page is gone, so the news is no longer news
            Delivery.objects.filter(pk__in=gone).delete()
        deliveries = [d for d in deliveries if d.pk not in gone]
        if not deliveries:
            return 0
        ids = [d.pk for d in deliveries]
        try:
            connection.send_messages([emails.digest(subscriber, _digest_items(deliveries))])
        except Exception as error:  # one bad address must not stop the run
            if not isinstance(error, smtplib.SMTPException | OSError):
                logger.exception("Digest to subscriber %s could not be sent", subscriber.pk)
            attempts = max(d.attempts for d in deliveries) + 1
            Delivery.objects.filter(pk__in=ids).update(
                attempts=F("attempts") + 1,
                next_attempt_at=now + backoff(attempts),
                last_error=f"{type(error).__name__}: {error}"[:500],
            )
            logger.warning("Digest to subscriber %s failed: %s", subscriber.pk, error)
            failure = error
        else:
            Delivery.objects.filter(pk__in=ids).update(
                sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
            )
    # Raised only now, so that the failure recorded above is committed.
    if failure is not None:
        if is_connection_error(failure):
            raise SmtpUnavailable(str(failure)) from failure
        return 0
    return len(ids)


def next_retry_at(now: dt.datetime | None = None) -> dt.datetime | None:
    """When the earliest news waiting for a retry becomes due."""
    waiting = Delivery.objects.pending().filter(next_attempt_at__gt=now or timezone.now())
    return waiting.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()


def run(now: dt.datetime | None = None) -> RunResult:
    """One sending run: queue new news, let other apps send what they have due (relayed
    messages), then send every due digest."""
    now = now or timezone.now()
    result = RunResult(queued=queue_news(now))
    connection = mail.mailers.default
    try:
        # One SMTP session for the whole run. If the server cannot be reached, each send tries
        # to connect again, fails, and records the failure for its news.
        connection.open()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Mail server unavailable at the start of a sending run: %s", error)
    try:
        for _, sent in sending_run.send(sender=Subscriber, connection=connection, now=now):
            result.also.append(sent)
            if sent.error:
                raise SmtpUnavailable(sent.error)
        subscribers = (
            Delivery.objects.due(now)
            .exclude(subscription__confirmed_at=None)
            .order_by("subscription__subscriber_id")
            .values_list("subscription__subscriber_id", flat=True)
            .distinct()
        )
        for subscriber_id in list(subscribers):
            if send_digest(subscriber_id, connection, now):
                result.digests_sent += 1
    except SmtpUnavailable as error:
        result.digests_failed += 1
        result.errors.append(str(error))
    finally:
        connection.close()
    retries = [next_retry_at(now), *(other.retry_at for other in result.also)]
    result.retry_at = min(filter(None, retries), default=None)
    due_left = Delivery.objects.due(now).exists() or any(other.due_left for other in result.also)
    if result.errors and due_left:
        result.retry_at = min(filter(None, [result.retry_at, now + backoff(1)]))
    return result
