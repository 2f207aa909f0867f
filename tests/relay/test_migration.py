"""Moving the messages from the subscriptions app to the relay keeps every stored row, and the
staff who could see them in the admin still can."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from relay.models import RelayMessage
from relay.tasks import send_confirmation
from tests.subscriptions.helpers import run_tasks

BEFORE = [("subscriptions", "0004_subscriber_unsubscribe_key"), ("relay", None)]


def migrate(targets):
    """Migrate the database to `targets`; the models as they are there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    moved = {app for app, _ in targets}
    others = [node for node in latest() if node[0] not in moved]
    return executor.loader.project_state([*others, *(t for t in targets if t[1])]).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def back_to_latest():
    """Whatever happens in the test, the database ends migrated, as every other test needs."""
    yield
    migrate(latest())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_messages_written_before_the_move_are_there_after_it(back_to_latest):
    old = migrate(BEFORE)
    Trial = old.get_model("trials", "Trial")
    Subscriber = old.get_model("subscriptions", "Subscriber")
    OldMessage = old.get_model("subscriptions", "RelayMessage")
    trial = Trial.objects.create(
        nct_id="NCT07509034",
        brief_title="A study",
        status="RECRUITING",
        first_seen_at=timezone.now(),
    )
    sender = Subscriber.objects.create(email="ada@example.org")
    now = timezone.now()
    written = [
        OldMessage.objects.create(
            trial=trial,
            sender=sender,
            sender_name=f"Ada {n}",
            message=f"May I take part? ({n})",
            terms_version="2026-11",
            consented_at=now,
            sent_at=now if n else None,
            recipient_email="study.team@example.org" if n else "",
        )
        for n in range(3)
    ]
    old_type = ContentType.objects.get(app_label="subscriptions", model="relaymessage")
    readers = Group.objects.create(name="Message readers")
    can_view = Permission.objects.get(content_type=old_type, codename="view_relaymessage")
    readers.permissions.add(can_view.pk)

    migrate(latest())

    moved = RelayMessage.objects.order_by("pk")
    assert [(m.pk, m.sender_name, m.message, m.sent_at) for m in moved] == [
        (m.pk, m.sender_name, m.message, m.sent_at) for m in written
    ]
    assert moved[1].recipient_email == "study.team@example.org"
    assert moved[0].sender.email == "ada@example.org"
    assert moved[0].trial.nct_id == "NCT07509034"
    assert RelayMessage._meta.db_table == "subscriptions_relaymessage"
    permission = readers.permissions.get()
    assert (permission.content_type.app_label, permission.codename) == (
        "relay",
        "view_relaymessage",
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_task_queued_before_the_move_runs_after_it(back_to_latest, trial, mailoutbox):
    message = RelayMessage.compose(trial, "ada@example.org", name="Ada", message="May I join?")
    queued = send_confirmation.enqueue(message.pk)
    DBTaskResult.objects.filter(pk=queued.id).update(
        task_path="subscriptions.tasks.send_relay_confirmation"
    )
    migrate([("relay", "0001_initial")])  # the queue as the move found it

    migrate(latest())

    assert DBTaskResult.objects.get(pk=queued.id).task_path == "relay.tasks.send_confirmation"
    run_tasks()
    [confirmation] = mailoutbox
    assert confirmation.to == ["ada@example.org"]
    assert "/updates/message/" in confirmation.body
