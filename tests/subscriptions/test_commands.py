import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from relay.models import RelayMessage
from subscriptions.models import Subscriber, Subscription

from .helpers import add_version, follow, hours_ago

pytestmark = pytest.mark.django_db


def test_send_alerts_runs_one_sending_run(trial, capsys):
    follow("ada@example.org", trial=trial, at=hours_ago(2))
    add_version(trial)
    call_command("send_alerts")
    assert "sent 1 digest(s)" in capsys.readouterr().out
    call_command("send_alerts")
    assert "sent 0 digest(s)" in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_send_alerts_fails_loudly_when_the_mail_server_is_down(trial, settings):
    follow("ada@example.org", trial=trial, at=hours_ago(2))
    add_version(trial)
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 8049, "timeout": 2},
        }
    }
    with pytest.raises(CommandError, match="kept and sent on a later run"):
        call_command("send_alerts")


def test_purge_deletes_only_what_was_never_confirmed_in_time(trial, group, capsys):
    old = hours_ago(24 * 8)
    stale = follow("stale@example.org", trial=trial, confirmed=False, at=old)
    Subscriber.objects.filter(pk=stale.subscriber_id).update(created_at=old)
    fresh = follow("fresh@example.org", trial=trial, confirmed=False, at=hours_ago(24 * 6))
    kept = follow("kept@example.org", trial=trial, at=old)
    # A confirmed address keeps its row; only its stale, unconfirmed sign-up goes.
    extra = follow("kept@example.org", group=group, confirmed=False, at=old)
    message = RelayMessage.compose(trial, "writer@example.org", name="W", message="Hello there")
    RelayMessage.objects.filter(pk=message.pk).update(created_at=old)
    Subscriber.objects.filter(email="writer@example.org").update(created_at=old)

    call_command("purge_signups")
    out = capsys.readouterr().out
    assert "Deleted 2 unconfirmed sign-up(s), 1 unconfirmed message(s) and 2 address(es)" in out
    assert set(Subscription.objects.values_list("pk", flat=True)) == {fresh.pk, kept.pk}
    assert not Subscription.objects.filter(pk__in=[stale.pk, extra.pk]).exists()
    assert set(Subscriber.objects.values_list("email", flat=True)) == {
        "fresh@example.org",
        "kept@example.org",
    }
    assert not RelayMessage.objects.exists()


def test_purge_keeps_confirmed_messages(trial):
    message = RelayMessage.compose(trial, "writer@example.org", name="W", message="Hello there")
    message.confirm()
    RelayMessage.objects.update(created_at=hours_ago(24 * 30))
    Subscriber.objects.update(created_at=hours_ago(24 * 30))
    call_command("purge_signups")
    assert RelayMessage.objects.count() == 1
