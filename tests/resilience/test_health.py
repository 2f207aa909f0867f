"""/health/ and /health/live/: in this process for what each part reports, and on gunicorn with
the database really made unreachable for the site."""

import datetime as dt
import json
import time

# The test client builds the middleware chain on first use; the auth middleware must be imported
# while every app is installed, not inside a test that lists only a few (available_apps).
import django.contrib.auth.middleware  # noqa: F401
import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from registry.models import SyncMark
from subscriptions import tasks
from tests.servers import TcpProxy, database_url, get, gunicorn

# The checks run in threads of their own, on connections of their own: what a test writes is
# committed so that they see it. Only these apps' tables are emptied afterwards (see
# tests/subscriptions/helpers.py).
TABLES = ["django_tasks_db", "registry"]
JSON = {"HTTP_ACCEPT": "application/json"}


def _health(client, **headers):
    response = client.get("/health/", **(headers or JSON))
    return response, (json.loads(response.content) if "json" in response["Content-Type"] else None)


def test_live_touches_neither_database_nor_cache(client, settings):
    """No database access is allowed in this test (no django_db mark): a query would fail it."""
    settings.CACHES = {
        "default": {  # a Redis nothing listens on: any use of the cache would fail
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get("/health/live/")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db(transaction=True, available_apps=TABLES)
def test_health_reports_every_part_and_warns_of_a_sync_never_run(client):
    response, body = _health(client)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "Accept" in response["Vary"]
    assert "no-cache" in response["Cache-Control"]
    assert set(body["checks"]) == {"database", "cache", "task_worker", "registry_sync"}
    assert body["checks"]["database"] == {**body["checks"]["database"], "status": "ok"}
    assert body["checks"]["cache"]["status"] == "ok"
    assert body["checks"]["task_worker"]["status"] == "ok"
    sync = body["checks"]["registry_sync"]
    assert sync["status"] == "warning"
    assert "never" in sync["detail"]
    assert sync["critical"] is False
    assert body["status"] == "degraded"


@pytest.mark.django_db(transaction=True, available_apps=TABLES)
def test_a_recent_sync_and_an_idle_worker_are_healthy(client):
    SyncMark.objects.create(
        query="", last_success_at=timezone.now(), last_summary="imported: 3 created"
    )
    response, body = _health(client)
    assert response.status_code == 200
    assert body["status"] == "ok", body
    assert "imported: 3 created" in body["checks"]["registry_sync"]["detail"]


@pytest.mark.django_db(transaction=True, available_apps=TABLES)
def test_an_old_sync_and_its_failure_are_reported(client, settings):
    settings.CTGOV_SYNC_STALE_HOURS = 24
    SyncMark.objects.create(
        query="",
        last_success_at=timezone.now() - dt.timedelta(hours=30),
        last_failure_at=timezone.now() - dt.timedelta(hours=2),
        last_failure="the registry answered HTTP 503",
    )
    _, body = _health(client)
    detail = body["checks"]["registry_sync"]["detail"]
    assert body["checks"]["registry_sync"]["status"] == "warning"
    assert "more than 24 h ago" in detail
    assert "HTTP 503" in detail


@pytest.mark.django_db(transaction=True, available_apps=TABLES)
def test_tasks_left_waiting_mean_the_worker_is_not_running(client):
    SyncMark.objects.create(query="", last_success_at=timezone.now())
    tasks.send_alerts.enqueue()
    _, body = _health(client)
    assert body["checks"]["task_worker"]["status"] == "ok"  # just enqueued: not late yet
    DBTaskResult.objects.update(enqueued_at=timezone.now() - dt.timedelta(minutes=10))
    response, body = _health(client)
    assert response.status_code == 200  # pages still serve; emails wait
    worker = body["checks"]["task_worker"]
    assert worker["status"] == "warning"
    assert "1 task(s) waiting" in worker["detail"]
    assert body["status"] == "degraded"


@pytest.mark.django_db(transaction=True, available_apps=TABLES)
def test_plain_text_unless_json_is_asked_for(client):
    response, _ = _health(client, HTTP_ACCEPT="text/html,*/*;q=0.8")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("degraded\n")
    assert "database: ok" in text
    response, body = _health(client, HTTP_ACCEPT="*/*")
    assert body is None
    assert json.loads(client.get("/health/?format=json").content)["checks"]


@pytest.mark.django_db(transaction=True, available_apps=TABLES)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="servers share PostgreSQL")
def test_health_answers_503_while_the_database_is_unreachable(tmp_path):
    """gunicorn reaches PostgreSQL through a proxy the test cuts; the shared server runs on."""
    db = connection.settings_dict
    with TcpProxy(int(db.get("PORT") or 5432)) as proxy:
        env = {"DATABASE_URL": database_url(db, proxy.port)}
        with gunicorn(env, tmp_path / "gunicorn.log") as base:
            status, _, body = get(f"{base}/health/", {"Accept": "application/json"})
            assert status == 200, body
            assert json.loads(body)["checks"]["database"]["status"] == "ok"

            proxy.cut()
            started = time.monotonic()
            status, headers, body = get(f"{base}/health/", {"Accept": "application/json"})
            assert time.monotonic() - started < 5
            assert status == 503
            report = json.loads(body)
            assert report["status"] == "unavailable"
            assert report["checks"]["database"]["status"] == "down"
            assert report["checks"]["cache"]["status"] == "ok"
            assert report["checks"]["registry_sync"]["status"] == "warning"
            status, _, body = get(f"{base}/health/live/")
            assert (status, body) == (200, b"ok\n")

            proxy.restore()
            status, _, body = get(f"{base}/health/", {"Accept": "application/json"})
            assert status == 200, body
