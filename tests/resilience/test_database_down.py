"""The database made unreachable for the site (a proxy the test cuts) while gunicorn serves and
the task worker runs; the shared PostgreSQL runs on."""

import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.db import connection
from django_tasks_db.models import DBTaskResult

from subscriptions import tasks
from subscriptions.models import Subscription
from tests.servers import ROOT, RedisServer, TcpProxy, database_url, get, gunicorn
from tests.subscriptions.helpers import run_tasks
from tests.trials.ctgov import REAL
from trials.models import Trial
from trials.signals import trials_changed

TABLES = [
    "django.contrib.sessions",
    "django_tasks_db",
    "trials",
    "subscriptions",
    "relay",
    "registry",
]
pytestmark = [
    pytest.mark.django_db(transaction=True, available_apps=TABLES),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="servers share PostgreSQL"),
]

CACHED, UNCACHED, FORGOTTEN = "NCT03908762", "NCT05993949", "NCT05816382"
FRESH_SECONDS = 2  # how long the short-lived site's pages are served as they are


class Forms(HTMLParser):
    """The fields of the form that posts to `action`, as a browser would send them."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action
        elif tag == "input" and self.inside and attrs.get("name"):
            if attrs.get("type") == "checkbox":
                self.fields[attrs["name"]] = "on"
            else:
                self.fields.setdefault(attrs["name"], attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def post(opener, url: str, fields: dict):
    data = urllib.parse.urlencode(fields).encode()
    # As a browser posts a form of the site's own (core/csrf.py reads these, not a token).
    origin = "/".join(url.split("/")[:3])
    headers = {"Referer": url, "Origin": origin, "Sec-Fetch-Site": "same-origin"}
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310
    try:
        with opener.open(request, timeout=20) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@contextmanager
def _served(tmp_path, **variables):
    """gunicorn over a database reached through a proxy, with a Redis of its own."""
    records = [str(REAL / f"{nct_id}.json") for nct_id in (CACHED, UNCACHED, FORGOTTEN)]
    call_command("import_ctgov", *records)
    redis = RedisServer(tmp_path)
    redis.start()
    db = connection.settings_dict
    try:
        with TcpProxy(int(db.get("PORT") or 5432)) as proxy:
            env = {"DATABASE_URL": database_url(db, proxy.port), "CACHE_URL": redis.url}
            with gunicorn({**env, **variables}, tmp_path / "gunicorn.log") as base:
                yield base, proxy, env
    finally:
        redis.stop()


@pytest.fixture
def site(tmp_path):
    with _served(tmp_path) as served:
        yield served


@pytest.fixture
def short_lived_site(tmp_path):
    """The site with pages fresh for FRESH_SECONDS, then kept an hour for a database outage."""
    lifetimes = {"PAGE_CACHE_SECONDS": str(FRESH_SECONDS), "PAGE_STALE_IF_ERROR_SECONDS": "3600"}
    with _served(tmp_path, **lifetimes) as served:
        yield served


def test_cached_pages_serve_others_get_a_busy_page_and_forms_keep_nothing(site):
    base, proxy, _ = site
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with browser.open(f"{base}/trials/{CACHED}/", timeout=20) as response:
        page = response.read().decode()
    form = Forms("/updates/")
    form.feed(page)
    fields = {**form.fields, "email": "patient@example.org"}
    assert "email" in fields and "csrfmiddlewaretoken" not in fields  # the same page for all

    proxy.cut()
    status, _, body = get(f"{base}/trials/{CACHED}/")
    assert status == 200  # from the cache, without the database
    assert "<h1" in body.decode()

    status, headers, body = get(f"{base}/trials/{UNCACHED}/")
    assert status == 503
    assert headers["Retry-After"] == "30"
    text = body.decode()
    assert "The site is busy for a moment" in text
    assert "<title>Busy for a moment" in text
    assert '<html lang="en"' in text

    status, headers, text = post(browser, f"{base}/updates/", fields)
    assert status == 503
    assert headers["Retry-After"] == "30"
    assert "What you sent was not kept" in text

    proxy.restore()
    status, _, _ = get(f"{base}/trials/{UNCACHED}/")
    assert status == 200
    assert Subscription.objects.count() == 0  # nothing half-written while it was away
    status, _, text = post(browser, f"{base}/updates/", fields)
    assert status == 200, text
    run_tasks()  # the worker stores the sign-up
    assert Subscription.objects.count() == 1


def test_pages_past_their_lifetime_are_served_while_the_database_is_away(
    short_lived_site, settings
):
    base, proxy, env = short_lived_site
    status, headers, kept = get(f"{base}/trials/{CACHED}/")
    assert status == 200
    assert "stale-if-error=3600" in headers["Cache-Control"]  # proxies may do the same
    etag = headers["ETag"]
    assert get(f"{base}/trials/{FORGOTTEN}/")[0] == 200
    # The row changes without a word to the cache, so only a page made afresh shows it...
    Trial.objects.filter(nct_id=CACHED).update(headline="Made afresh once the database is back")
    # ...while a change announced as every write announces it forgets its trial's page.
    redis_cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache"}
    settings.CACHES = {
        "default": {**redis_cache, "LOCATION": env["CACHE_URL"]},  # the site's own cache
        "ratelimit": {**redis_cache, "LOCATION": env["CACHE_URL"], "KEY_PREFIX": "ratelimit"},
    }
    trials_changed.send(sender=Trial, nct_ids=[FORGOTTEN])

    proxy.cut()
    time.sleep(FRESH_SECONDS + 1)  # every page is past its lifetime
    for _ in range(4):  # whichever process answers, with or without its own copy
        status, headers, body = get(f"{base}/trials/{CACHED}/")
        assert status == 200
        assert body == kept and headers["ETag"] == etag  # the bytes kept, not a new render
    status, headers, body = get(f"{base}/trials/{FORGOTTEN}/")
    assert status == 503  # forgotten for real: never served from before its change
    assert headers["Retry-After"] == "30"
    assert get(f"{base}/trials/{UNCACHED}/")[0] == 503  # never kept

    proxy.restore()
    status, headers, body = get(f"{base}/trials/{CACHED}/")
    assert status == 200
    assert "Made afresh once the database is back" in body.decode()
    assert headers["ETag"] != etag
    assert get(f"{base}/trials/{FORGOTTEN}/")[0] == 200


def test_the_task_worker_waits_out_the_database_and_loses_nothing(site, tmp_path):
    _, proxy, env = site
    log = tmp_path / "worker.log"
    args = [sys.executable, "manage.py", "db_worker", "--interval", "0.2"]
    args += ["--no-startup-delay", "--no-reload"]
    full_env = {**os.environ, "DEBUG": "false", "LOG_LEVEL": "WARNING", **env}
    with log.open("w") as output:
        worker = subprocess.Popen(args, cwd=ROOT, env=full_env, stdout=output, stderr=output)
    try:
        first = tasks.send_alerts.enqueue()
        ran = DBTaskResult.objects.filter(pk=first.id, status="SUCCESSFUL").exists
        _wait_for(ran, "the worker to start and run a task", log, seconds=60)
        proxy.cut()
        result = tasks.send_alerts.enqueue()  # through the test's own connection
        time.sleep(4)
        assert worker.poll() is None, log.read_text()  # still running, waiting
        assert DBTaskResult.objects.get(pk=result.id).status == "READY"
        proxy.restore()
        done = DBTaskResult.objects.filter(pk=result.id, status="SUCCESSFUL").exists
        _wait_for(done, "the task to run once the database is back", log, seconds=60)
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    text = log.read_text()
    assert len(re.findall("The database cannot be reached", text)) == 1, text
    assert "The database answers again" in text


def _wait_for(condition, what: str, log, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Waited {seconds} s for {what}:\n{log.read_text()}")
        time.sleep(0.2)


def test_tasks_a_lost_connection_interrupted_are_put_back_for_this_worker_only():
    from subscriptions.management.commands.db_worker import PatientWorker

    mine, theirs = tasks.send_alerts.enqueue(), tasks.send_alerts.enqueue()
    DBTaskResult.objects.get(pk=mine.id).claim("worker-a")
    DBTaskResult.objects.get(pk=theirs.id).claim("worker-b")
    worker = PatientWorker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="worker-a",
        excluded_queue_names=[],
    )
    worker.put_back_interrupted_tasks()
    assert DBTaskResult.objects.get(pk=mine.id).status == "READY"
    assert DBTaskResult.objects.get(pk=theirs.id).status == "RUNNING"
