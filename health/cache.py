"""Django's Redis cache, made so that a failed Redis cannot take the site down.

The cache only speeds pages up. When Redis cannot be reached (refused, timed out, cut), this
backend answers as an empty cache that keeps nothing: reads miss, writes are dropped, and the
site serves every page uncached. It then stops trying for `RETRY_SECONDS`, so requests do not
each wait for a connection, and tries again after that; when Redis answers, caching resumes by
itself. One warning is logged when Redis is lost and one when it is back, not one per request.
If writes were dropped while it was away (a page's invalidation among them, perhaps), Redis is
emptied when it answers again, so that no page it kept can be served after a change it missed.

Counters are the exception: `incr` and `decr` raise `CacheUnavailable`, since a counter that
silently counts nothing would let every request through a rate limit. Callers that count
(subscriptions/ratelimit.py) catch it and refuse politely instead.

Settings use it for every `redis://` CACHE_URL, with short socket time-outs (see
config/settings.py).
"""

import logging
import re
import threading
import time
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("health.cache")

RETRY_SECONDS = 5.0
READS = frozenset({"get", "get_many", "has_key"})
LOST = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


class CacheUnavailable(Exception):
    """The cache cannot be reached, so a count cannot be kept."""


class _Circuit:
    """What one process knows of one Redis server: shared by the cache objects Django makes
    for each thread, so the process logs once and waits once."""

    def __init__(self):
        self.open_until = 0.0  # while open, Redis is not asked
        self.lost = False
        self.dropped = False  # writes were dropped while Redis was away
        self.lock = threading.Lock()


_circuits: dict[tuple, _Circuit] = {}
_circuits_lock = threading.Lock()


class OneClientPerPool(RedisCacheClient):
    """Django's client builds a new redis-py client object for every command, which cost a
    cached page about a third of its time; a redis-py client is safe to share between threads,
    so one for reads and one for writes serves the whole process."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.clients = {}

    def get_client(self, key=None, *, write=False):
        client = self.clients.get(write)
        if client is None:
            client = self.clients[write] = super().get_client(key, write=write)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        # Django names its client class here (not a documented setting); a test checks that
        # commands reuse clients, so an upgrade that changes this is noticed.
        self._class = OneClientPerPool
        self.servers = re.split("[;,]", server) if isinstance(server, str) else list(server)
        with _circuits_lock:
            self._circuit = _circuits.setdefault(tuple(self.servers), _Circuit())

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._circuit.open_until

    def _call(self, method: str, fallback, *args, **kwargs):
        circuit = self._circuit
        writes = method not in READS
        if not self.available:
            circuit.dropped = circuit.dropped or writes
            return fallback
        try:
            if circuit.lost:
                self._recover()
            return getattr(super(), method)(*args, **kwargs)
        except LOST as error:
            self._trip(error)
            circuit.dropped = circuit.dropped or writes
            return fallback

    def _trip(self, error: Exception) -> None:
        circuit = self._circuit
        with circuit.lock:
            circuit.open_until = time.monotonic() + RETRY_SECONDS
            first = not circuit.lost
            circuit.lost = True
        if first:
            logger.warning(
                "The cache (Redis at %s) cannot be reached (%s). Pages are served uncached and "
                "forms that count requests are refused until it answers; trying again every "
                "%g s.",
                _where(self.servers),
                str(error).rstrip("."),
                RETRY_SECONDS,
            )

    def _recover(self) -> None:
        """Redis may answer again. If writes were dropped meanwhile (an invalidation among
        them, perhaps), what it holds may be out of date: it is emptied before use."""
        circuit = self._circuit
        super().has_key("health:cache:probe")
        if circuit.dropped:
            super().clear()
        with circuit.lock:
            was_lost, circuit.lost = circuit.lost, False
            dropped, circuit.dropped = circuit.dropped, False
        if was_lost:
            logger.warning(
                "The cache (Redis) answers again; caching resumes%s.",
                " (emptied first: writes were missed while it was away)" if dropped else "",
            )

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def delete_many(self, keys, version=None):
        self._call("delete_many", None, keys, version)

    def clear(self):
        return self._call("clear", False)

    def incr(self, key, delta=1, version=None):
        if not self.available:
            raise CacheUnavailable("the cache cannot be reached")
        try:
            if self._circuit.lost:
                self._recover()
            return super().incr(key, delta, version)
        except LOST as error:
            self._trip(error)
            raise CacheUnavailable("the cache cannot be reached") from error


def _where(servers: list[str]) -> str:
    """host:port of each server, without the password a URL may hold."""
    places = []
    for server in servers:
        parts = urlsplit(server)
        places.append(f"{parts.hostname}:{parts.port or 6379}" if parts.hostname else "a socket")
    return ", ".join(places)
