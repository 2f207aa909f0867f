"""Whole rendered pages kept in the cache, invalidated exactly when what they show changes.

Each cached page is stored with the tokens it was rendered under; signals (trials/signals.py)
replace a token whenever a trial, its sites, contacts, conditions or categories change, so a
page rendered before a change can never be served after it, even if its render finished later.

A hit should cost little more than the cheapest page the site serves, so:
- pages are kept compressed (gzip's deflate), in the shared cache and in a small per-process
  copy, served while the page's tokens still match the shared cache's. On Redis each process
  keeps the tokens it has read until Redis reports a write to them (trials/tokenwatch.py), so
  a hit asks Redis nothing and a change anywhere is still seen at once everywhere; other
  caches are asked for the tokens (a few bytes) on every hit;
- clients that accept gzip (every browser) get the compressed bytes as they are; others get
  them inflated;
- the CSRF token differs per visitor, so pages are rendered with a placeholder that each
  response replaces with the visitor's own token. The compressed page is cut at each
  placeholder and every piece deflated on its own; a response splices the visitor's token in
  as an uncompressed (stored) deflate block and works out the gzip checksum from the pieces'
  checksums, without compressing or reading the page again. The token is never compressed
  together with other text, so BREACH-style guessing through the compressed length finds
  nothing, and it is masked afresh for every response all the same (see trials/csrf.py).
"""

import hashlib
import secrets
import struct
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial

import redis
from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_TOKEN_LENGTH
from django.utils.cache import patch_vary_headers

from . import csrf, tokenwatch

CSRF_PLACEHOLDER = "csrf0placeholder0d41d8cd98f00b204e9800998ecf8427e"
_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
PAGE_TIMEOUT = 60 * 60 * 24
TOKEN_PREFIX = "token:v2:"  # noqa: S105 (the start of every token's cache key)
ALL_TRIALS = TOKEN_PREFIX + "trials"  # any published listing may change
CATALOG = TOKEN_PREFIX + "catalog"  # condition and category names
_MESSAGES_COOKIE = CookieStorage.cookie_name
LOCAL_BYTES = 32 * 1024 * 1024  # compressed pages each process keeps for itself
GZIP_LEVEL = 6
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no mtime


def trial_token(nct_id: str) -> str:
    return f"{TOKEN_PREFIX}trial:{nct_id}"


def listing_key(request: HttpRequest) -> str:
    """One key per path and set of parameters, whatever order they come in."""
    params = sorted((k, v) for k in request.GET for v in request.GET.getlist(k))
    digest = hashlib.sha256(repr((request.path, params)).encode()).hexdigest()
    return f"page:v3:list:{digest}"


def trial_key(nct_id: str) -> str:
    return f"page:v3:trial:{nct_id}"


def _new_token() -> int:
    # An int: Django's Redis cache stores ints as plain digits, which _read_tokens reads back.
    return secrets.randbits(62)


def history_key(nct_id: str) -> str:
    return f"page:v3:history:{nct_id}"


def touch(*tokens: str) -> None:
    """Mark everything rendered under these tokens as out of date.

    Inside a transaction, again when it commits: a page rendered in between read the rows as
    they were before the change, yet was stored under the new tokens.
    """
    _replace(tokens)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(partial(_replace, tokens))


def _replace(tokens) -> None:
    cache.set_many({token: _new_token() for token in tokens}, timeout=None)
    watch = tokenwatch.watch_for(TOKEN_PREFIX)
    if watch is not None:
        watch.forget(tokens)


def forget_trial(nct_id: str) -> None:
    """Call after changing a trial's rows without model signals (bulk_create, update())."""
    touch(trial_token(nct_id), ALL_TRIALS)


# CRC-32 arithmetic (as zlib's crc32_combine): the checksum of a+b from those of a and b.
_CRC_POLY = 0xEDB88320


def _multmodp(a: int, b: int) -> int:
    """a times b modulo the CRC-32 polynomial (bit-reflected)."""
    if not a:
        return 0
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


def _spliced_crc(crcs: tuple[int, ...], lengths: tuple[int, ...], token: bytes) -> int:
    """zlib.crc32 of the parts joined with `token`, from the parts' checksums and lengths."""
    token_crc = zlib.crc32(token)
    crc = crcs[0]
    for crc_part, length in zip(crcs[1:], lengths[1:], strict=True):
        crc = crc32_combine(crc32_combine(crc, token_crc, len(token)), crc_part, length)
    return crc


@lru_cache(maxsize=8)
def _zeros_crc(length: int) -> int:
    return zlib.crc32(bytes(length))


@dataclass(frozen=True, slots=True)
class CompressedPage:
    """A rendered page cut at each CSRF placeholder, each piece deflated and checksummed.

    The gzip checksum covers the whole page with the visitor's token in it. For tokens of the
    usual length it is worked out from two numbers kept with the page (CRC-32 is linear): the
    checksum with zeros where the tokens go, and the factor that carries a token's own
    checksum to all the places it goes at once.
    """

    pieces: tuple[bytes, ...]  # raw deflate; every piece but the last ends on a sync flush
    crcs: tuple[int, ...]
    lengths: tuple[int, ...]
    content_type: str
    token_length: int
    blank_crc: int  # the page's checksum with token_length zeros at each placeholder
    token_factor: int  # x^(8·bytes after the token), summed over its places

    @classmethod
    def from_html(
        cls, html: bytes, content_type: str, token_length: int = CSRF_TOKEN_LENGTH
    ) -> "CompressedPage":
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
        crcs = tuple(zlib.crc32(part) for part in parts)
        lengths = tuple(len(part) for part in parts)
        blank_crc = _spliced_crc(crcs, lengths, bytes(token_length))
        token_factor, after = 0, 0
        for length in reversed(lengths[1:]):
            after += length
            token_factor ^= crc32_shift(after)
            after += token_length
        return cls(
            tuple(pieces), crcs, lengths, content_type, token_length, blank_crc, token_factor
        )

    @property
    def size(self) -> int:
        return sum(len(piece) for piece in self.pieces)

    def checksum(self, token: bytes) -> int:
        """zlib.crc32 of the page with `token` in place of each placeholder."""
        if len(token) != self.token_length:
            return _spliced_crc(self.crcs, self.lengths, token)
        # Equal lengths: crc(a ^ b) = crc(a) ^ crc(b) ^ crc(zeros); the token's share at each
        # place is its own zero-adjusted checksum moved past the bytes that follow it.
        token_share = zlib.crc32(token) ^ _zeros_crc(len(token))
        return self.blank_crc ^ _multmodp(self.token_factor, token_share)

    def gzip(self, token: bytes) -> bytes:
        """The page as a gzip stream, with `token` in place of each placeholder."""
        if len(token) > 0xFFFF:
            raise ValueError("A token this long does not fit one stored block.")
        stored = b"\x00" + struct.pack("<HH", len(token), len(token) ^ 0xFFFF) + token
        total = sum(self.lengths) + len(token) * (len(self.pieces) - 1)
        trailer = struct.pack("<II", self.checksum(token), total & 0xFFFFFFFF)
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


def _read_tokens(token_keys: list[str]) -> dict:
    """cache.get_many for the tokens; on Redis, only those this process has not seen yet.

    While Redis cannot be reached the cache answers as an empty one (health/cache.py), so no
    token is found and pages render uncached.
    """
    watch = tokenwatch.watch_for(TOKEN_PREFIX)
    if watch is None or not getattr(cache, "available", True):
        return cache.get_many(token_keys)
    try:
        return watch.read(token_keys)
    except (redis.RedisError, OSError):
        return cache.get_many(token_keys)  # notices the lost server, and answers as empty


def _current_tokens(token_keys: list[str]) -> tuple:
    found = _read_tokens(token_keys)
    missing = [key for key in token_keys if key not in found]
    for key in missing:
        cache.add(key, _new_token(), timeout=None)
    if missing:
        found = {**found, **_read_tokens(missing)}
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
    token = csrf.token(request) if page.needs_token else b""
    if accepts_gzip(request.headers.get("Accept-Encoding", "")):
        response = HttpResponse(page.gzip(token), content_type=page.content_type)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(page.html(token), content_type=page.content_type)
    patch_vary_headers(response, ["Accept-Encoding"])
    return response
