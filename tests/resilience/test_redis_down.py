"""Redis really stopped (a redis-server of the test's own) while gunicorn serves the site."""

import http.cookiejar
import json
import time
import urllib.request

import pytest
import redis
from django.core.management import call_command
from django.db import connection

from subscriptions.models import Subscription
from tests.servers import RedisServer, database_url, get, gunicorn
from tests.subscriptions.helpers import run_tasks
from tests.trials.ctgov import REAL

from .test_database_down import CACHED, TABLES, UNCACHED, Forms, post

pytestmark = [
    pytest.mark.django_db(transaction=True, available_apps=TABLES),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="servers share PostgreSQL"),
]
WORKERS = 2


@pytest.fixture
def site(tmp_path):
    call_command("import_ctgov", str(REAL / f"{CACHED}.json"), str(REAL / f"{UNCACHED}.json"))
    own = RedisServer(tmp_path)
    own.start()
    env = {"DATABASE_URL": database_url(connection.settings_dict), "CACHE_URL": own.url}
    log = tmp_path / "gunicorn.log"
    try:
        with gunicorn(env, log, workers=WORKERS) as base:
            yield base, own, log
    finally:
        own.stop()


def test_pages_serve_uncached_forms_refuse_and_caching_resumes(site):
    base, own, log = site
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with browser.open(f"{base}/trials/{CACHED}/", timeout=20) as response:
        form = Forms("/updates/")
        form.feed(response.read().decode())
    fields = {**form.fields, "email": "patient@example.org"}
    assert redis.Redis.from_url(own.url).dbsize() > 0  # the page is cached

    own.stop()
    for path in ["/", f"/trials/{CACHED}/", f"/trials/{UNCACHED}/", "/conditions/"] * 3:
        started = time.monotonic()
        status, _, body = get(base + path)
        assert status == 200, (path, body[:300])
        assert time.monotonic() - started < 3  # no wait for a connection per request
    status, headers, text = post(browser, f"{base}/updates/", fields)
    assert status == 503
    assert headers["Retry-After"] == "60"
    assert "We cannot take sign-ups right now." in text
    assert Subscription.objects.count() == 0
    status, _, body = get(f"{base}/health/", {"Accept": "application/json"})
    report = json.loads(body)
    assert status == 200  # the site serves without its cache
    assert report["checks"]["cache"]["status"] == "warning"
    assert report["status"] == "degraded"

    lost = log.read_text().count("cannot be reached")
    assert 1 <= lost <= WORKERS, log.read_text()  # one warning per process, not per request

    own.start()
    time.sleep(6)  # each process tries Redis again after 5 s
    # Requests go to whichever process accepts first; ask until each process that lost
    # Redis has served one and said it is back.
    deadline = time.monotonic() + 30
    while log.read_text().count("answers again") < lost and time.monotonic() < deadline:
        assert get(f"{base}/trials/{CACHED}/")[0] == 200
    assert log.read_text().count("answers again") == lost, log.read_text()
    assert redis.Redis.from_url(own.url).dbsize() > 0  # caching resumed by itself
    assert post(browser, f"{base}/updates/", fields)[0] == 200
    run_tasks()  # the worker stores the sign-up
    assert Subscription.objects.count() == 1
