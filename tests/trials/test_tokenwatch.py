"""On Redis, a cache hit asks Redis nothing, yet a change made anywhere is seen at once."""

import os
import socket
import threading
import weakref

import pytest
import redis
from django.core.cache import cache

from trials import pagecache, tokenwatch
from trials.models import Trial

pytestmark = pytest.mark.django_db

URL = "/trials/NCT07509034/"


@pytest.fixture(autouse=True)
def _on_redis(redis_cache):
    pagecache.local_pages.clear()


@pytest.fixture
def watch() -> tokenwatch.TokenWatch:
    return tokenwatch.watch_for(pagecache.TOKEN_PREFIX)


@pytest.fixture
def elsewhere(redis_url) -> redis.Redis:
    """Another process's connection: what it writes reaches this one only through Redis."""
    return redis.Redis.from_url(redis_url)


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
    elsewhere.client_kill_filter(_id=watch.client_id)  # the watching connection
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


def test_reports_still_on_their_way_are_read_before_anything_kept_is_trusted(
    example_trial, watch, elsewhere, monkeypatch
):
    # Two writes are reported; the first read finds the socket empty after one report, as it
    # would while Redis still sends a backlog. The ping's answer comes after both.
    key = pagecache.trial_token("NCT07509034")
    watch.read([key])
    assert cache.make_key(key) in watch.kept
    elsewhere.set(cache.make_key(pagecache.CATALOG), 1)
    elsewhere.set(cache.make_key(key), 2)
    connection = watch._connection
    can_read = connection.can_read
    calls = []

    def momentarily_empty(timeout=0):
        calls.append(timeout)
        return False if timeout == 0 and len(calls) == 2 else can_read(timeout=timeout)

    monkeypatch.setattr(connection, "can_read", momentarily_empty)
    assert watch.read([key]) == {key: 2}


def test_a_backlog_of_reports_is_read_to_the_end(example_trial, watch, elsewhere):
    key = pagecache.trial_token("NCT07509034")
    watch.read([key])
    with elsewhere.pipeline(transaction=False) as pipe:  # an import this process sat out
        for n in range(30_000):
            pipe.set(cache.make_key(pagecache.trial_token(f"NCT{n:08}")), n)
        pipe.set(cache.make_key(key), 3)
        pipe.execute()
    assert watch.read([key]) == {key: 3}


class FreezingProxy:
    """A TCP relay to Redis that can stop passing data on without closing anything, as a
    firewall that forgets an idle connection does."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.frozen = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets = [self.listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._relay, args=(a, b), daemon=True).start()

    def _relay(self, source, sink):
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:
                return
            if not self.frozen.is_set():
                sink.sendall(data)

    def close(self):
        for sock in self.sockets:
            sock.close()


def test_a_connection_that_dies_silently_is_found_out_by_the_heartbeat(
    example_trial, elsewhere, monkeypatch, redis_url
):
    url = redis.connection.parse_url(redis_url)
    proxy = FreezingProxy((url.get("host", "127.0.0.1"), url.get("port", 6379)))
    monkeypatch.setattr(tokenwatch, "_watches", {})
    monkeypatch.setattr(tokenwatch, "_by_backend", weakref.WeakKeyDictionary())
    monkeypatch.setattr(tokenwatch, "ANSWER_SECONDS", 0.2)
    watch = tokenwatch.watch_for(pagecache.TOKEN_PREFIX)
    watch._server = f"redis://127.0.0.1:{proxy.port}/{url.get('db', 0)}"
    key = pagecache.trial_token("NCT07509034")
    try:
        watch.read([key])
        watch.read([key])
        assert watch.watching and cache.make_key(key) in watch.kept
        proxy.frozen.set()
        elsewhere.set(cache.make_key(key), 4)  # its report never arrives
        monkeypatch.setattr(tokenwatch, "HEARTBEAT_SECONDS", 0)  # time for the heartbeat
        assert watch.read([key]) == {key: 4}
        assert not watch.watching
    finally:
        proxy.close()
