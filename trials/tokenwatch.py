"""Page tokens a process may trust without asking Redis, because Redis says when they change.

A cached page is served only while its tokens (see pagecache) are still the shared cache's.
Asking Redis for them is a round trip on every request, a hit's largest single cost. Redis
can instead tell us: with CLIENT TRACKING in broadcast mode it reports every write to a key
under a prefix, by any client, as a message on `__redis__:invalidate` (and a flush as a
message naming no keys). Each process keeps one connection subscribed to those messages, and
keeps each token it has read until a message names it.

Before every lookup the process polls that connection's socket (no round trip). Redis sends a
report in the same turn of its event loop as the writer's reply, so when nothing has arrived,
nothing has changed. When something has, more may still wait in Redis (a backlog after a
large import, a pause in Redis), so the process reads what came, then pings and reads up to
the answer, which Redis sends after everything reported before it. A connection can also die
without closing (a firewall's idle timeout): a process that has heard nothing for
HEARTBEAT_SECONDS pings before it trusts what it keeps, so such a loss costs at most that
long. No answer within ANSWER_SECONDS, or any error, drops everything kept; lookups then ask
Redis every time until a new connection is watching, tried at most once a second.

Not reported by Redis, so not to be used on this cache's server: SWAPDB.
"""

import logging
import os
import select
import threading
import time
import weakref

import redis
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

CHANNEL = "__redis__:invalidate"
RETRY_SECONDS = 1.0
HEARTBEAT_SECONDS = 5.0
ANSWER_SECONDS = 1.0
MAX_KEPT = 100_000  # tokens a process keeps before it starts afresh
logger = logging.getLogger(__name__)


class TokenWatch:
    """Tokens read from one Redis cache, forgotten the moment Redis reports a write to them."""

    def __init__(self, backend: RedisCache, prefix: str):
        self.make_key = backend.make_and_validate_key
        self.prefix = self.make_key(prefix)
        # Both on the first server (the one written to): a replica could answer from before a
        # write that has already been reported.
        self.client = backend._cache.get_client(write=True)
        self._server = backend._servers[0]
        self._pool_class = backend._cache._pool_class
        self._pool_options = backend._cache._pool_options
        self.kept: dict[str, int] = {}
        self._connection = None
        self._arrivals = None  # polls the connection's socket: has anything come in?
        self._heard_at = 0.0  # when Redis last answered a ping on it
        self.client_id = None
        self._next_attempt = 0.0
        self._reported = 0  # reports read so far
        self._lock = threading.Lock()  # one reader of the connection at a time

    @property
    def watching(self) -> bool:
        return self._connection is not None

    def read(self, token_keys: list[str]) -> dict[str, int]:
        """The tokens Redis holds for these keys (absent ones left out)."""
        keys = [self.make_key(key) for key in token_keys]
        with self._lock:
            self._catch_up()
            found = {
                key: self.kept[redis_key]
                for key, redis_key in zip(token_keys, keys, strict=True)
                if redis_key in self.kept
            }
            reported = self._reported
        if len(found) == len(token_keys):
            return found
        # Read after the watch began, so a later write will be reported; a write before this
        # read is in what it returns.
        values = self.client.mget(keys)
        read = {key: int(value) for key, value in zip(keys, values, strict=True) if value}
        with self._lock:
            # Another thread may have read a report meanwhile, about these very tokens.
            if self.watching and self._reported == reported:
                self.kept.update((k, v) for k, v in read.items() if k.startswith(self.prefix))
                if len(self.kept) > MAX_KEPT:
                    self.kept.clear()
        pairs = zip(token_keys, keys, strict=True)
        return {key: read[redis_key] for key, redis_key in pairs if redis_key in read}

    def forget(self, token_keys) -> None:
        """Drop tokens this process has just replaced (Redis will report them too)."""
        with self._lock:
            self._reported += 1
            for key in token_keys:
                self.kept.pop(self.make_key(key), None)

    def _catch_up(self) -> None:
        if self._connection is None:
            if time.monotonic() < self._next_attempt:
                return
            self._connect()
            if self._connection is None:
                return
            # Then read and ping as below: reports may have come in with the subscription's
            # reply, and redis-py's buffer must be left empty for the poll to tell.
        elif not self._arrivals.poll(0) and time.monotonic() - self._heard_at < HEARTBEAT_SECONDS:
            return
        try:
            self._read_waiting()
            self._ping()
        except (redis.RedisError, OSError, ValueError, IndexError):
            self._drop()

    def _read_waiting(self) -> None:
        """Read every message already here, in the socket or in redis-py's buffer."""
        while self._connection.can_read(timeout=0):
            self._take(self._connection.read_response())

    def _ping(self) -> None:
        """Read up to the answer to a ping: every report Redis queued before it is then read."""
        self._connection.send_command("PING")
        while True:
            if not self._connection.can_read(timeout=ANSWER_SECONDS):
                raise redis.TimeoutError("Redis did not answer a ping on the watching connection.")
            if self._take(self._connection.read_response()) == b"pong":
                break
        self._read_waiting()  # what came in with the answer, so the buffer is left empty
        self._heard_at = time.monotonic()

    def _take(self, message: list) -> bytes:
        kind = message[0]
        if kind == b"message":
            self._reported += 1
            keys = message[2]
            if keys is None:  # the database was flushed
                self.kept.clear()
            else:
                for key in keys:
                    self.kept.pop(key.decode(), None)
        return kind

    def _connect(self) -> None:
        # Protocol 2: a subscribed connection that only receives messages and answers pings.
        options = {**self._pool_options, "protocol": 2, "socket_keepalive": True}
        pool = self._pool_class.from_url(self._server, **options)
        try:
            connection = pool.get_connection()
            connection.send_command("CLIENT", "ID")
            client_id = connection.read_response()
            connection.send_command(
                "CLIENT", "TRACKING", "ON", "REDIRECT", client_id, "BCAST", "PREFIX", self.prefix
            )
            connection.read_response()
            connection.send_command("SUBSCRIBE", CHANNEL)
            connection.read_response()  # subscribed: from here on every write is reported
            arrivals = select.poll()
            arrivals.register(connection._sock, select.POLLIN | select.POLLPRI)
        except (redis.RedisError, OSError) as error:
            pool.disconnect()
            if not self._next_attempt:  # said once: it may fail every second from now on
                logger.warning("Redis will not report writes to page tokens: %s", error)
            self._next_attempt = time.monotonic() + RETRY_SECONDS
            return
        self._reported += 1
        self.kept.clear()
        self._connection = connection
        self._arrivals = arrivals
        self.client_id = client_id

    def _drop(self) -> None:
        self._reported += 1
        self.kept.clear()
        if self._connection is not None:
            self._connection.disconnect()
        self._connection = self._arrivals = None
        self._next_attempt = time.monotonic() + RETRY_SECONDS


_watches: dict[tuple, TokenWatch] = {}
_by_backend: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def watch_for(prefix: str) -> TokenWatch | None:
    """This process's watch on the default cache, if it is Redis (made after any fork).

    Django gives each thread its own cache object; they share one watch per server and key
    prefix.
    """
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    pid = os.getpid()
    known = _by_backend.get(backend)
    if known is not None and known[0] == pid and known[1] == prefix:
        return known[2]
    slot = (pid, tuple(backend._servers), backend.make_and_validate_key(prefix))
    watch = _watches.get(slot)
    if watch is None:
        watch = _watches.setdefault(slot, TokenWatch(backend, prefix))
    _by_backend[backend] = (pid, prefix, watch)
    return watch
