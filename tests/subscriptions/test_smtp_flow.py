"""The whole flow against a real SMTP server on loopback."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django_tasks_db.models import DBTaskResult

from subscriptions.models import Delivery, Subscription
from tests.servers import free_port

from .helpers import add_version, links, run_tasks
from .smtp import PORTS, SmtpServer, html_part, text_part

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"


def sign_up(client, commit, trial, email="ada@example.org"):
    data = {"email": email, "follow": "trial", "trial": trial.nct_id, "consent": "on"}
    with commit():
        assert client.post("/updates/", data).status_code == 200
    run_tasks()


def link_in(message, part: str) -> str:
    return next(url for url in links(text_part(message)) if part in url)


def test_sign_up_confirm_change_digest_and_one_click_unsubscribe(client, commit, trial, smtp):
    sign_up(client, commit, trial)
    [confirmation] = smtp.wait_for(1)
    assert confirmation["To"] == "ada@example.org"
    assert "Please confirm" in confirmation["Subject"]
    confirm_url = link_in(confirmation, "/updates/confirm/")
    assert confirm_url.startswith(f"{SITE}/updates/confirm/")
    assert confirm_url in html_part(confirmation)

    path = confirm_url.removeprefix(SITE)
    assert client.get(path).status_code == 200  # a mail scanner opening the link
    assert not Subscription.objects.confirmed().exists()
    assert client.post(path).status_code == 302
    assert Subscription.objects.confirmed().count() == 1

    with commit():  # a new version recorded, as an import does
        add_version(trial)
    run_tasks()  # the worker: the version asked for a sending run
    messages = smtp.wait_for(2)
    assert len(messages) == 2
    digest = messages[1]
    assert digest["To"] == "ada@example.org"
    assert digest.get_content_type() == "multipart/alternative"
    assert "Status changed from Not yet recruiting to Recruiting" in text_part(digest)
    assert "Status changed from Not yet recruiting to Recruiting" in html_part(digest)
    assert f"{SITE}/trials/{trial.nct_id}/" in text_part(digest)
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = digest["List-Unsubscribe"].strip("<>")
    assert unsubscribe_url.startswith(f"{SITE}/updates/unsubscribe/")
    # On the wire the URL is plain, on one line: RFC 2369 headers cannot hold encoded words.
    assert f"List-Unsubscribe: <{unsubscribe_url}>\r\n".encode() in smtp.recorder.raw[1]

    # The mail provider's one-click POST: no cookie, no CSRF token, no login.
    one_click = Client(enforce_csrf_checks=True).post(
        unsubscribe_url.removeprefix(SITE),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert one_click.status_code == 200
    assert not Subscription.objects.exists()

    with commit():
        add_version(trial, changes=[{"field": "phase", "old": "PHASE1", "new": "PHASE2"}])
    run_tasks()
    assert len(smtp.messages) == 2


def test_several_changes_make_one_digest_per_run(client, commit, trial, smtp):
    sign_up(client, commit, trial)
    client.post(link_in(smtp.wait_for(1)[0], "/updates/confirm/").removeprefix(SITE))
    with commit():
        add_version(trial)
        add_version(trial, changes=[{"field": "enrollment", "old": 40, "new": 80}])
        add_version(trial, changes=[{"field": "contacts"}])
    assert run_tasks() == 1  # three versions, one run
    digests = smtp.wait_for(2)[1:]
    assert len(digests) == 1
    body = text_part(digests[0])
    assert "Status changed" in body and "from 40 to 80" in body and "Contact details" in body


def test_smtp_down_then_up_nothing_lost_nothing_twice(client, commit, trial, settings):
    port = free_port(PORTS)
    down = SmtpServer(port)
    settings.MAILERS = down.mailers()  # nothing listens there yet

    sign_up(client, commit, trial)  # the confirmation cannot go out yet
    retries = DBTaskResult.objects.filter(status="READY", run_after__isnull=False)
    assert retries.count() == 1

    with SmtpServer(port) as smtp:
        with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=2)):
            run_tasks()
        [confirmation] = smtp.wait_for(1)
        client.post(link_in(confirmation, "/updates/confirm/").removeprefix(SITE))

    # Down again when the news is sent.
    with commit():
        add_version(trial)
    run_tasks()
    pending = Delivery.objects.get()
    assert pending.sent_at is None and pending.attempts == 1
    assert pending.last_error
    scheduled = DBTaskResult.objects.filter(status="READY", task_path__endswith="send_alerts")
    assert scheduled.filter(run_after__gte=pending.next_attempt_at).exists()

    with SmtpServer(port) as smtp:
        later = pending.next_attempt_at + dt.timedelta(seconds=5)
        with time_machine.travel(later):
            run_tasks()
            run_tasks()  # a second run, or a cron run, finds nothing left to send
        assert len(smtp.wait_for(1)) == 1
        assert "Status changed" in text_part(smtp.messages[0])
    pending.refresh_from_db()
    assert pending.sent_at is not None
    assert pending.attempts == 2
