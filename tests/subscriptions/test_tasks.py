import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from subscriptions import tasks
from subscriptions.models import Subscription

from .helpers import add_version, follow, hours_ago, make_trial, run_tasks

pytestmark = pytest.mark.django_db


def queued_runs():
    return DBTaskResult.objects.filter(task_path="subscriptions.tasks.send_alerts")


def test_a_recorded_version_asks_for_one_run(commit, trial):
    with commit():
        for _ in range(3):
            add_version(trial)
    assert queued_runs().count() == 1


def test_a_new_request_after_the_run_started_makes_another_run(commit, trial):
    with commit():
        add_version(trial)
    run_tasks()
    with commit():
        add_version(trial)
    assert queued_runs().filter(status="READY").count() == 1


def test_publishing_a_trial_asks_for_a_run_once(commit, group):
    draft = make_trial("NCT03333333", group=group, published=False)
    assert queued_runs().count() == 0
    with commit():
        draft.is_published = True
        draft.save()
    assert queued_runs().count() == 1
    run_tasks()
    with commit():
        draft.headline = "Edited"
        draft.save()  # already public: not news again
    assert queued_runs().filter(status="READY").count() == 0


def test_the_run_task_sends_the_digests(commit, trial):
    follow("ada@example.org", trial=trial, at=hours_ago(2))
    with commit():
        add_version(trial)
    run_tasks()
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]
    result = queued_runs().get()
    assert result.status == "SUCCESSFUL"
    assert result.return_value["digests_sent"] == 1


def test_the_sign_up_email_task_skips_a_sign_up_removed_since(trial):
    subscription = follow("ada@example.org", trial=trial, confirmed=False)
    tasks.send_signup_email.enqueue(subscription.pk)
    Subscription.objects.all().delete()
    run_tasks()
    assert mail.outbox == []
