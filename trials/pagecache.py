"""Whole rendered pages kept in the cache, invalidated exactly when what they show changes.

Each cached page is stored with the tokens it was rendered under; signals (trials/signals.py)
replace a token whenever a trial, its sites, contacts, conditions or categories change, so a
page rendered before a change can never be served after it, even if its render finished later.

A hit should cost little more than the cheapest page the site serves, so:
- pages are kept compressed (gzip's deflate), in the shared cache and in a small per-process
  copy; a hit asks the shared cache only for the page's tokens (a few bytes) and serves the
  process's own copy when they still match, so a change anywhere is seen at once everywhere;
- clients that accept gzip (every browser) get the compressed bytes as they are; others get
  them inflated;
- the CSRF token differs per visitor, so pages are rendered with a placeholder that each
  response replaces with the visitor's own token. The compressed page is cut at each
  placeholder and every piece deflated on its own; a response splices the visitor's token in
  as an uncompressed (stored) deflate block and works out the gzip checksum from the pieces'
  checksums, without compressing or reading the page again. The token is never compressed
  together with other text (so BREACH-style guessing through the compressed length finds
  nothing), and it stays masked afresh for every response.
"""

import hashlib
import os
import secrets
import struct
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers

CSRF_PLACEHOLDER = "csrf0placeholder0d41d8cd98f00b204e9800998ecf8427e"
_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
PAGE_TIMEOUT = 60 * 60 * 24
ALL_TRIALS = "token:v2:trials"  # any published listing may change
CATALOG = "token:v2:catalog"  # condition and category names
_MESSAGES_COOKIE = CookieStorage.cookie_name
LOCAL_BYTES = 32 * 1024 * 1024  # compressed pages each process keeps for itself
GZIP_LEVEL = 6
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no mtime


def trial_token(nct_id: str) -> str:
    return f"token:v2:trial:{nct_id}"


def listing_key(request: HttpRequest) -> str:
    """One key per path and set of parameters, whatever order they come in."""
    params = sorted((k, v) for k in request.GET for v in request.GET.getlist(k))
    digest = hashlib.sha256(repr((request.path, params)).encode()).hexdigest()
    return f"page:v2:list:{digest}"


def trial_key(nct_id: str) -> str:
    return f"page:v2:trial:{nct_id}"


def _new_token() -> int:
    # An int: Django's Redis cache stores ints as plain digits, which _read_tokens reads back.
    return secrets.randbits(62)


def history_key(nct_id: str) -> str:
    return f"page:history:{nct_id}"


def touch(*tokens: str) -> None:
    """Mark everything rendered under these tokens as out of date."""
    cache.set_many({token: _new_token() for token in tokens}, timeout=None)


def forget_trial(nct_id: str) -> None:
    """Call after changing a trial's rows without model signals (bulk_create, update())."""
    touch(trial_token(nct_id), ALL_TRIALS)


# CRC-32 arithmetic (as zlib's crc32_combine): the checksum of a+b from those of a and b.
_CRC_POLY = 0xEDB88320


def _multmodp(a: int, b: int) -> int:
    """a times b modulo the CRC-32 polynomial (bit-reflected)."""
    m, p = 1 << 31, 0
    while True:
        if a & m:
            p ^= b
            if not a & (m - 1):
                return p
        m >>= 1
        b = (b >> 1) ^ _CRC_POLY if b & 1 else b >> 1


_X2N = [1 << 30]  # x^(2^k) modulo the polynomial
for _ in range(31):
    _X2N.append(_multmodp(_X2N[-1], _X2N[-1]))


@lru_cache(maxsize=256)
def crc32_shift(length: int) -> int:
    """The factor that moves a checksum past `length` more bytes (x^(8·length) mod p)."""
    p, k = 1 << 31, 3
    while length:
        if length & 1:
            p = _multmodp(_X2N[k & 31], p)
        length >>= 1
        k += 1
    return p


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """zlib.crc32(a + b) from zlib.crc32(a), zlib.crc32(b) and len(b)."""
    return _multmodp(crc32_shift(length2), crc1) ^ crc2


@dataclass(frozen=True, slots=True)
class CompressedPage:
    """A rendered page cut at each CSRF placeholder, each piece deflated and checksummed."""

    pieces: tuple[bytes, ...]  # raw deflate; every piece but the last ends on a sync flush
    crcs: tuple[int, ...]
    lengths: tuple[int, ...]
    content_type: str

    @classmethod
    def from_html(cls, html: bytes, content_type: str) -> "CompressedPage":
        parts = html.split(_PLACEHOLDER_BYTES)
        pieces = []
        for n, part in enumerate(parts):
            # A fresh compressor per piece: no piece refers back into another, so pieces can be
            # put back together around anything.
            deflate = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
            last = n == len(parts) - 1
            pieces.append(
                deflate.compress(part) + deflate.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)
            )
        return cls(
            tuple(pieces),
            tuple(zlib.crc32(part) for part in parts),
            tuple(len(part) for part in parts),
            content_type,
        )

    @property
    def size(self) -> int:
        return sum(len(piece) for piece in self.pieces)

    def gzip(self, token: bytes) -> bytes:
        """The page as a gzip stream, with `token` in place of each placeholder."""
        if len(token) > 0xFFFF:
            raise ValueError("A token this long does not fit one stored block.")
        stored = b"\x00" + struct.pack("<HH", len(token), len(token) ^ 0xFFFF) + token
        token_crc = zlib.crc32(token)
        crc, total = self.crcs[0], self.lengths[0]
        for crc_part, length in zip(self.crcs[1:], self.lengths[1:], strict=True):
            crc = crc32_combine(crc32_combine(crc, token_crc, len(token)), crc_part, length)
            total += len(token) + length
        trailer = struct.pack("<II", crc, total & 0xFFFFFFFF)
        return b"".join([_GZIP_HEADER, stored.join(self.pieces), trailer])

    def html(self, token: bytes) -> bytes:
        """The page uncompressed, with `token` in place of each placeholder."""
        parts = []
        for piece in self.pieces:
            inflate = zlib.decompressobj(-zlib.MAX_WBITS)
            parts.append(inflate.decompress(piece) + inflate.flush())
        return token.join(parts)

    @property
    def needs_token(self) -> bool:
        return len(self.pieces) > 1


class _LocalPages:
    """This process's own copies of compressed pages, least recently used dropped first."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._pages: OrderedDict[str, tuple[tuple, CompressedPage]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[tuple, CompressedPage] | None:
        with self._lock:
            entry = self._pages.get(key)
            if entry is not None:
                self._pages.move_to_end(key)
            return entry

    def put(self, key: str, tokens: tuple, page: CompressedPage) -> None:
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self._bytes -= old[1].size
            if page.size > self.max_bytes:
                return
            self._pages[key] = (tokens, page)
            self._bytes += page.size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._pages.popitem(last=False)
                self._bytes -= dropped.size

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0


local_pages = _LocalPages(LOCAL_BYTES)


@lru_cache(maxsize=64)
def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header allows gzip (by name or `*`, with a q above 0)."""
    allowed = {}
    for item in accept_encoding.lower().split(","):
        name, _, params = item.partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        allowed[name.strip()] = q > 0
    return allowed.get("gzip", allowed.get("x-gzip", allowed.get("*", False)))


_redis_clients: dict[tuple[int, int], object] = {}


def _read_tokens(token_keys: list[str]) -> dict:
    """cache.get_many for the tokens, without building a Redis client for every request.

    Django's Redis cache makes a new client object per call; on a hit that costs as much as
    the round trip itself, so each process keeps one (per cache, made after any fork).
    """
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return backend.get_many(token_keys)
    slot = (os.getpid(), id(backend))
    client = _redis_clients.get(slot)
    if client is None:
        client = _redis_clients[slot] = backend._cache.get_client(write=False)
    raw = client.mget([backend.make_and_validate_key(key) for key in token_keys])
    return {key: int(value) for key, value in zip(token_keys, raw, strict=True) if value}


def _current_tokens(token_keys: list[str]) -> tuple:
    found = _read_tokens(token_keys)
    missing = [key for key in token_keys if key not in found]
    for key in missing:
        cache.add(key, _new_token(), timeout=None)
    if missing:
        found = {**found, **cache.get_many(missing)}
    return tuple(found.get(key) for key in token_keys)


def is_cacheable(request: HttpRequest) -> bool:
    """Staff may see drafts and anyone may have a message waiting: those render fresh."""
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME not in cookies and _MESSAGES_COOKIE not in cookies:
        # No session and no message cookie: no login and no message (the session and cookie
        # message stores are the only ones), known without loading either.
        return True
    if request.user.is_authenticated:
        return False
    return not len(messages.get_messages(request))


def serve(
    request: HttpRequest,
    key: str,
    token_keys: list[str],
    render: Callable[[dict], HttpResponse],
) -> HttpResponse:
    """The cached page for `key` if its tokens are current, else render it and keep it.

    `render` gets extra template context to merge (the CSRF placeholder); only 200s are kept.
    """
    if not is_cacheable(request):
        return render({})
    tokens = _current_tokens(token_keys)
    if None in tokens:  # a cache that keeps nothing: nothing can be known current
        return render({})
    entry = local_pages.get(key)
    if entry is None or entry[0] != tokens:
        entry = cache.get(key)
        if entry is not None and entry[0] == tokens:
            local_pages.put(key, *entry)
    if entry is not None and entry[0] == tokens:
        return _respond(request, entry[1])
    response = render({"csrf_token": CSRF_PLACEHOLDER})
    if response.status_code != 200 or response.streaming:
        return response
    page = CompressedPage.from_html(response.content, response["Content-Type"])
    # Stored under the tokens read before rendering: a change made meanwhile has replaced
    # them, so this copy is never served after that change.
    cache.set(key, (tokens, page), timeout=PAGE_TIMEOUT)
    local_pages.put(key, tokens, page)
    return _respond(request, page)


def _respond(request: HttpRequest, page: CompressedPage) -> HttpResponse:
    token = get_token(request).encode() if page.needs_token else b""
    if accepts_gzip(request.headers.get("Accept-Encoding", "")):
        response = HttpResponse(page.gzip(token), content_type=page.content_type)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(page.html(token), content_type=page.content_type)
    patch_vary_headers(response, ["Accept-Encoding"])
    return response
