"""The Redis cache backend with Redis really stopped (a redis-server of the test's own)."""

import logging
import time

import pytest
from django.core.cache import caches

from health import cache as resilient
from relay.models import RelayMessage
from subscriptions.models import Subscription
from tests.concurrency import at_once
from tests.servers import RedisServer, TcpProxy
from tests.subscriptions.helpers import STUDY_EMAIL, STUDY_PHONE, make_trial, run_tasks
from trials.models import ConditionGroup, Contact


@pytest.fixture
def own_redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def cache(settings, own_redis, monkeypatch):
    return _resilient(settings, monkeypatch, own_redis.url)


def _resilient(settings, monkeypatch, url: str):
    monkeypatch.setattr(resilient, "RETRY_SECONDS", 0.5)
    monkeypatch.setattr(resilient, "_circuits", {})  # what earlier tests' processes knew
    redis_cache = {
        "BACKEND": "health.cache.ResilientRedisCache",
        "LOCATION": url,
        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
    }
    settings.CACHES = {"default": redis_cache, "ratelimit": {**redis_cache, "KEY_PREFIX": "rl"}}
    return caches["default"]


def test_a_stopped_redis_is_an_empty_cache_with_one_warning(cache, own_redis, caplog):
    cache.set("page", "rendered")
    assert cache.get("page") == "rendered"
    own_redis.stop()
    caplog.set_level(logging.WARNING, logger="health.cache")

    started = time.monotonic()
    for _ in range(200):
        assert cache.get("page") is None
        cache.set("page", "again")
        assert cache.add("other", 1) is False
        assert cache.get_many(["page", "other"]) == {}
        cache.delete("page")
    assert time.monotonic() - started < 1.0  # no request waits for a connection
    with pytest.raises(resilient.CacheUnavailable):
        cache.incr("counter")
    with pytest.raises(resilient.CacheUnavailable):
        cache.decr("counter")
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1, warnings
    assert "cannot be reached" in warnings[0]
    assert f"127.0.0.1:{own_redis.port}" in warnings[0]

    own_redis.start()
    time.sleep(0.6)  # the circuit tries again after RETRY_SECONDS
    cache.set("page", "back")
    assert cache.get("page") == "back"
    cache.set("counter", 1)
    assert cache.incr("counter") == 2
    assert [r.getMessage() for r in caplog.records][1:] == [
        "The cache (Redis) answers again; caching resumes "
        "(emptied first: writes were missed while it was away)."
    ]


def test_what_redis_held_is_not_served_after_writes_it_missed(settings, monkeypatch, own_redis):
    """Redis unreachable but not restarted: it still holds a page whose invalidation this
    process could not write, so it is emptied when it answers again."""
    with TcpProxy(own_redis.port) as proxy:
        cache = _resilient(settings, monkeypatch, f"redis://127.0.0.1:{proxy.port}/0")
        cache.set("page", "before the change")
        cache.set("other", "kept")
        proxy.cut()
        cache.delete("page")  # the invalidation, dropped
        assert cache.get("page") is None
        proxy.restore()
        time.sleep(0.6)
        assert cache.get("page") is None
        assert cache.get("other") is None  # emptied whole: which writes were missed is unknown
        cache.set("page", "after")
        assert cache.get("page") == "after"


def test_an_outage_with_only_reads_keeps_what_redis_holds(settings, monkeypatch, own_redis):
    with TcpProxy(own_redis.port) as proxy:
        cache = _resilient(settings, monkeypatch, f"redis://127.0.0.1:{proxy.port}/0")
        cache.set("page", "kept")
        proxy.cut()
        assert cache.get("page") is None
        proxy.restore()
        time.sleep(0.6)
        assert cache.get("page") == "kept"


def test_threads_of_a_process_share_one_circuit_and_one_warning(cache, own_redis, caplog):
    caplog.set_level(logging.WARNING, logger="health.cache")
    own_redis.stop()
    results, errors = at_once(4, lambda: caches["default"].get("page", "missed"))
    assert errors == []
    assert results == ["missed"] * 4
    assert len(caplog.records) == 1


def test_the_warning_names_the_server_but_never_its_password():
    where = resilient._where(["redis://:s3cret@cache.internal:6380/1", "redis://10.0.0.2/0"])
    assert where == "cache.internal:6380, 10.0.0.2:6379"


@pytest.fixture
def trial(db):
    trial = make_trial(group=ConditionGroup.objects.create(name="Solid tumors"))
    Contact.objects.create(trial=trial, name="Dr. Study", phone=STUDY_PHONE, email=STUDY_EMAIL)
    return trial


def test_rate_limited_forms_refuse_politely_while_redis_is_down(
    client, cache, own_redis, trial, django_capture_on_commit_callbacks
):
    signup = {"email": "ada@example.org", "follow": "trial", "trial": trial.nct_id}
    signup["consent"] = "on"
    message = {"name": "Ada", "email": "ada@example.org", "message": "May I take part?"}
    message["consent"] = "on"
    own_redis.stop()

    response = client.post("/updates/", signup)
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    html = response.content.decode()
    assert "We cannot take sign-ups right now. Please try again in a few minutes." in html
    assert 'value="ada@example.org"' in html  # what was typed is kept

    response = client.post(f"/trials/{trial.nct_id}/contact/", message)
    assert response.status_code == 503
    html = response.content.decode()
    assert "We cannot take messages right now." in html
    assert "May I take part?" in html
    assert Subscription.objects.count() == RelayMessage.objects.count() == 0

    own_redis.start()
    time.sleep(0.6)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/updates/", signup).status_code == 200
    run_tasks()  # the worker stores the sign-up
    assert Subscription.objects.count() == 1


def test_commands_share_one_client_object_per_process(cache, monkeypatch):
    """Building a redis-py client object for each command cost a cached page about a third of
    its time; after the first command, none is built."""
    import redis

    made = []
    real_init = redis.Redis.__init__

    def counting_init(self, *args, **kwargs):
        made.append(self)
        real_init(self, *args, **kwargs)

    cache.set("page", "kept")
    cache.get("page")
    monkeypatch.setattr(redis.Redis, "__init__", counting_init)
    for _ in range(50):
        assert cache.get("page") == "kept"
        assert cache.get_many(["page"]) == {"page": "kept"}
        cache.set("page", "kept")
    assert made == []
