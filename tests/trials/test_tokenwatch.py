"""On Redis, a cache hit asks Redis nothing, yet a change made anywhere is seen at once."""

import os
import weakref

import pytest
import redis
from django.core.cache import cache

from trials import pagecache, tokenwatch
from trials.models import Trial

pytestmark = pytest.mark.django_db

URL = "/trials/NCT07509034/"
REDIS_URL = os.environ.get("CACHE_URL", "")
if not REDIS_URL.startswith("redis://"):
    REDIS_URL = "redis://127.0.0.1:6379/1"


@pytest.fixture(autouse=True)
def _redis_cache(settings):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.skip("needs Redis")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    cache.clear()
    pagecache.local_pages.clear()
    yield
    cache.clear()


@pytest.fixture
def watch() -> tokenwatch.TokenWatch:
    return tokenwatch.watch_for(pagecache.TOKEN_PREFIX)


@pytest.fixture
def elsewhere() -> redis.Redis:
    """Another process's connection: what it writes reaches this one only through Redis."""
    return redis.Redis.from_url(REDIS_URL)


def page(client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def count_reads(watch, monkeypatch) -> list:
    reads = []
    mget = watch.client.mget
    monkeypatch.setattr(watch.client, "mget", lambda keys: reads.append(keys) or mget(keys))
    return reads


def test_a_hit_asks_redis_nothing(client, example_trial, watch, monkeypatch):
    page(client)
    reads = count_reads(watch, monkeypatch)
    for _ in range(3):
        page(client)
    assert reads == []
    assert watch.watching


def test_a_write_from_elsewhere_is_seen_by_the_next_request(
    client, example_trial, watch, elsewhere
):
    page(client)
    Trial.objects.filter(pk=example_trial.pk).update(headline="Changed by another process")
    assert "Changed by another process" not in page(client)  # nobody said it changed
    elsewhere.set(cache.make_key(pagecache.trial_token("NCT07509034")), 987654321)
    assert "Changed by another process" in page(client)


def test_writes_are_reported_before_the_writer_hears_back(example_trial, watch, elsewhere):
    key = pagecache.trial_token("NCT07509034")
    for n in range(200):
        watch.read([key])
        assert cache.make_key(key) in watch.kept
        elsewhere.set(cache.make_key(key), n)
        assert watch.read([key]) == {key: n}


def test_a_flush_drops_everything_kept(client, example_trial, watch, elsewhere):
    page(client)
    assert watch.kept
    Trial.objects.filter(pk=example_trial.pk).update(headline="Changed before a flush")
    elsewhere.flushdb()
    assert "Changed before a flush" in page(client)


def test_a_lost_connection_drops_everything_and_watching_resumes(
    client, example_trial, watch, elsewhere, monkeypatch
):
    page(client)
    Trial.objects.filter(pk=example_trial.pk).update(headline="Changed while unwatched")
    elsewhere.client_kill_filter(_type="pubsub")  # the watching connection, and any like it
    elsewhere.set(cache.make_key(pagecache.trial_token("NCT07509034")), 1)  # never reported
    assert "Changed while unwatched" in page(client)
    assert not watch.watching and not watch.kept
    monkeypatch.setattr(tokenwatch, "RETRY_SECONDS", 0)
    watch._next_attempt = 0
    page(client)  # connects again
    page(client)  # and keeps what it reads
    assert watch.watching and watch.kept


def test_a_report_read_while_tokens_are_fetched_keeps_them_from_being_kept(
    example_trial, watch, elsewhere, monkeypatch
):
    # Two threads of one process: one fetches tokens; meanwhile the token changes and the
    # other thread reads that report. What the first fetched is already old: not to be kept.
    key = pagecache.trial_token("NCT07509034")
    watch.read([key])  # connects and starts watching
    cache.set(key, 1, timeout=None)
    watch.forget([key])
    mget = watch.client.mget

    def fetch_then_change(keys):
        values = mget(keys)
        elsewhere.set(cache.make_key(key), 2)
        with watch._lock:
            watch._catch_up()  # the other thread
        return values

    monkeypatch.setattr(watch.client, "mget", fetch_then_change)
    assert watch.read([key]) == {key: 1}  # the value when this request began
    monkeypatch.setattr(watch.client, "mget", mget)
    assert watch.read([key]) == {key: 2}


def test_other_caches_are_not_watched(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert tokenwatch.watch_for(pagecache.TOKEN_PREFIX) is None


def test_a_forked_process_watches_on_its_own(watch, monkeypatch):
    monkeypatch.setattr(os, "getpid", lambda: -1)
    assert tokenwatch.watch_for(pagecache.TOKEN_PREFIX) is not watch


def test_where_redis_will_not_report_writes_every_hit_asks(
    client, example_trial, elsewhere, monkeypatch, caplog
):
    monkeypatch.setattr(tokenwatch, "_watches", {})
    monkeypatch.setattr(tokenwatch, "_by_backend", weakref.WeakKeyDictionary())
    monkeypatch.setattr(tokenwatch, "RETRY_SECONDS", 0)
    watch = tokenwatch.watch_for(pagecache.TOKEN_PREFIX)
    watch._server = "redis://127.0.0.1:1/0"  # nothing listens there: watching never starts
    reads = count_reads(watch, monkeypatch)
    for _ in range(3):
        page(client)
    assert len(reads) == 3 and not watch.watching and not watch.kept
    Trial.objects.filter(pk=example_trial.pk).update(headline="Changed, unreported")
    elsewhere.set(cache.make_key(pagecache.trial_token("NCT07509034")), 5)
    assert "Changed, unreported" in page(client)
    warnings = [r for r in caplog.records if r.name == "trials.tokenwatch"]
    assert len(warnings) == 1 and "will not report" in warnings[0].getMessage()
