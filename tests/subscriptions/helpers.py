"""Test data and helpers for the subscriptions tests."""

import datetime as dt
import re

from django.contrib.auth.models import Permission, User
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from subscriptions.models import Subscription
from trials.models import Trial, TrialVersion

STUDY_EMAIL = "study.team@example.org"
STUDY_PHONE = "301-555-0147"
SITE_EMAIL = "site.team@example.org"
SITE_PHONE = "301-555-0199"

# The apps whose tables a test that commits (transaction=True) empties afterwards. Leaving out
# auth keeps the groups and permissions that migrations made, for the tests that run after it.
TABLES = ["django.contrib.sessions", "django_tasks_db", "trials", "subscriptions", "relay"]


def run_tasks() -> int:
    """Run every task that is due, as `db_worker --batch` does; how many ran."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while (result := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is not None:
        result.claim("test-worker")
        worker.run_task(result)
        ran += 1
    return ran


def make_trial(nct_id="NCT07509034", *, group=None, published=True, **fields) -> Trial:
    trial = Trial.objects.create(
        nct_id=nct_id,
        is_published=published,
        brief_title=fields.pop("brief_title", f"Registry title of {nct_id}"),
        headline=fields.pop("headline", f"Plain headline of {nct_id}"),
        status="RECRUITING",
        phase="PHASE1",
        first_seen_at=timezone.now(),
        **fields,
    )
    if group is not None:
        trial.groups.add(group)
    return trial


def add_version(trial: Trial, kind=TrialVersion.Kind.CHANGED, changes=None, seen_at=None):
    number = (trial.versions.order_by("-number").values_list("number", flat=True).first()) or 0
    return TrialVersion.objects.create(
        trial=trial,
        number=number + 1,
        kind=kind,
        seen_at=seen_at or timezone.now(),
        changes=changes
        if changes is not None
        else [{"field": "status", "old": "NOT_YET_RECRUITING", "new": "RECRUITING"}],
    )


def follow(email: str, *, trial=None, group=None, confirmed=True, at=None) -> Subscription:
    subscription = Subscription.sign_up(email, trial=trial, group=group)
    if at is not None:
        Subscription.objects.filter(pk=subscription.pk).update(created_at=at)
        subscription.refresh_from_db()
    if confirmed:
        subscription.confirm()
    return subscription


def links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", text)


def hours_ago(hours: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=hours)


def staff(*perms: str) -> User:
    """A staff account with these permissions (codenames) and no others."""
    user = User.objects.create_user("staff", is_staff=True)
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user
