"""The real worker (`manage.py db_worker`) in its own process: killed mid-run, then restarted."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from subscriptions import delivery
from subscriptions.models import Delivery
from subscriptions.tasks import send_alerts
from tests.concurrency import at_once

from .helpers import TABLES, add_version, follow, hours_ago, make_trial
from .smtp import SmtpServer

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the worker process needs a database server"
    ),
    pytest.mark.django_db(transaction=True, available_apps=TABLES),
]

ROOT = Path(__file__).resolve().parents[2]
ADDRESSES = [f"reader{i}@example.org" for i in range(5)]


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(smtp_port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "test-only-not-a-secret"),
    }
    command = [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.1"]
    return subprocess.Popen(
        [*command, "--no-reload", "-v0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until(condition, timeout=30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def news():
    trial = make_trial()
    for address in ADDRESSES:
        follow(address, trial=trial, at=hours_ago(2))
    add_version(trial)  # asks for a sending run: a task the worker will pick up
    delivery.queue_news()
    assert Delivery.objects.pending().count() == len(ADDRESSES)
    return trial


def test_a_worker_killed_mid_run_then_restarted_loses_nothing_and_sends_nothing_twice(news):
    with SmtpServer() as smtp:
        smtp.recorder.hold_message_number = 3  # the 3rd digest hangs in the SMTP dialogue
        worker = start_worker(smtp.port)
        try:
            assert smtp.recorder.holding.wait(timeout=60), "the worker never reached digest 3"
            assert len(smtp.messages) == 2
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        finally:
            stop(worker)
        smtp.recorder.release.set()

        # What was accepted is recorded as sent; the rest is still pending, none half-sent.
        assert wait_until(lambda: Delivery.objects.pending().count() == 3)
        assert Delivery.objects.exclude(sent_at=None).count() == 2

        send_alerts.enqueue()  # the next run, as cron or the next import asks for
        worker = start_worker(smtp.port)
        try:
            assert wait_until(lambda: len(smtp.messages) >= 5), smtp.messages
            assert wait_until(lambda: not Delivery.objects.pending().exists())
            time.sleep(0.5)  # room for a duplicate to show up, if there were one
        finally:
            stop(worker)
        recipients = Counter(message["To"] for message in smtp.messages)
        assert recipients == Counter(ADDRESSES)
        assert Delivery.objects.exclude(sent_at=None).count() == 5


def test_two_runs_at_once_send_each_digest_once(news, settings):
    with SmtpServer() as smtp:
        settings.MAILERS = smtp.mailers()
        _, errors = at_once(3, delivery.run)
        assert not errors, errors
        smtp.wait_for(5, timeout=5)
        time.sleep(0.3)
        assert Counter(message["To"] for message in smtp.messages) == Counter(ADDRESSES)
    assert not Delivery.objects.pending().exists()
