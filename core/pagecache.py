"""Whole pages kept in the cache: the same bytes for every visitor, never served after a change.

What a page shows has versions in the shared cache, random numbers the apps name (see
trials/signals.py). A page's key is its path, the query parameters it reads and those versions,
read before rendering; `forget` renews versions, so every server's next request looks for a key
nobody stored and renders afresh, while a render that read rows from before a change sits under
the old versions. A hit: one round trip (the versions), then this process's copy or the shared
one. Past PAGE_CACHE_SECONDS a page is made again; if that fails for want of the database, the
copy is served for PAGE_STALE_IF_ERROR_SECONDS more. See docs/search-performance.md.
"""

import gzip
import hashlib
import secrets
import time
from functools import lru_cache, partial, wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_cache_control

PREFIX = "page:v7:"  # a new number whenever what is kept changes shape
VERSION_PREFIX = "page-version:"
# This process's own copies while fresh, under the same versioned keys (so never out of date).
local_pages = LocMemCache("pages", {"OPTIONS": {"MAX_ENTRIES": 1000}})
_SET_ON_EACH_RESPONSE = {"content-length", "content-encoding", "etag", "cache-control", "vary"}


def forget(*names: str) -> None:
    """Pages showing these things are out of date: renew their versions, now and (inside a
    transaction) at commit, since a page rendered in between read the rows from before."""
    _renew(names)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(partial(_renew, names))


def _renew(names) -> None:
    cache.set_many({VERSION_PREFIX + name: secrets.randbits(62) for name in names}, timeout=None)


def current_versions(names: list[str]) -> tuple | None:
    """The versions of these things, made if missing; None from a cache that keeps nothing."""
    keys = [VERSION_PREFIX + name for name in names]
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    for key in missing:
        cache.add(key, secrets.randbits(62), timeout=None)  # whoever adds first wins
    if missing:
        found |= cache.get_many(missing)
    return tuple(found[key] for key in keys) if len(found) == len(keys) else None


def shared_by_all(request) -> bool:
    """A visitor with neither a session nor a message cookie sees what everyone sees."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and CookieStorage.cookie_name not in cookies


def cached_page(shows, params=None):
    """Have PageCacheMiddleware keep a view's pages. `shows(**view_kwargs)` names what a page
    shows; `params(request)` the query parameters it reads, in a fixed order (without it the
    query string is ignored). Pages of visitors with a session or message are marked private."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if not shared_by_all(request):
                patch_cache_control(response, private=True)
            return response

        wrapper.page_cache = (shows, params)
        return wrapper

    return decorator


class PageCacheMiddleware:
    """Serves kept pages before the middleware after it runs (a hit skips them and the view);
    keeps 200s of @cached_page views, with the headers those middleware added (CSP, framing)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = self.key(request)
        if key is None:
            return self.get_response(request)
        page = local_pages.get(key)  # kept here only while fresh
        if page is not None:
            return _respond(request, page)
        page = cache.get(key)  # kept there longer, to serve while the database is away
        if page is not None and (fresh_for := page[2] - time.time()) > 0:
            local_pages.set(key, page, fresh_for)
            return _respond(request, page)
        response = self.get_response(request)
        if response.status_code == 503 and page is not None:
            return _respond(request, page)  # the database is away: the copy kept will do
        if response.status_code != 200 or response.streaming or response.cookies:
            return response
        page = _keep(response)
        cache.set(key, page, settings.PAGE_CACHE_SECONDS + settings.PAGE_STALE_IF_ERROR_SECONDS)
        local_pages.set(key, page, settings.PAGE_CACHE_SECONDS)
        return _respond(request, page)

    def key(self, request) -> str | None:
        if request.method not in ("GET", "HEAD") or not shared_by_all(request):
            return None
        request.get_host()  # a Host that ALLOWED_HOSTS refuses gets its 400, as before
        shows, params, kwargs = kept_view(request.path_info)
        versions = current_versions(shows(**kwargs)) if shows else None
        if versions is None:  # not a kept page, or a cache that keeps nothing
            return None
        raw = repr((request.path, tuple(params(request) if params else ()), versions))
        return PREFIX + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


@lru_cache(maxsize=1024)
def kept_view(path: str) -> tuple:
    """(shows, params, kwargs) of the view a path leads to, Nones if it keeps no pages. URL
    patterns do not change while a process runs, so each path is resolved once."""
    try:
        match = resolve(path)
    except Resolver404:
        return None, None, None
    return *getattr(match.func, "page_cache", (None, None)), match.kwargs


def _keep(response: HttpResponse) -> tuple[dict, bytes, float]:
    """The headers every copy is sent with (validators and caching rules included, so a hit
    only adds its length and encoding), the page gzipped, and when it stops being fresh."""
    body = response.content
    headers = {k: v for k, v in response.items() if k.lower() not in _SET_ON_EACH_RESPONSE}
    stale = settings.PAGE_STALE_IF_ERROR_SECONDS
    headers |= {
        "ETag": f'W/"{hashlib.blake2b(body, digest_size=16).hexdigest()}"',
        # Anyone may keep it, ask each time (304 while the ETag holds), serve it if the site errs.
        "Cache-Control": f"public, max-age=0, stale-if-error={stale}",
        "Vary": "Accept-Encoding, Cookie",
    }
    gzipped = gzip.compress(body, compresslevel=6, mtime=0)
    return headers, gzipped, time.time() + settings.PAGE_CACHE_SECONDS


def _respond(request, page: tuple[dict, bytes, float]) -> HttpResponse:
    headers, gzipped, _ = page
    meta = request.META  # (not request.headers, which is built from all of META on first use)
    if accepts_gzip(meta.get("HTTP_ACCEPT_ENCODING", "")):
        body, headers = gzipped, {**headers, "Content-Encoding": "gzip"}
    else:
        body = gzip.decompress(gzipped)
    response = HttpResponse(body, headers={**headers, "Content-Length": str(len(body))})
    if "HTTP_IF_NONE_MATCH" in meta or "HTTP_IF_MODIFIED_SINCE" in meta:
        return get_conditional_response(request, etag=headers["ETag"], response=response)
    return response


@lru_cache(maxsize=64)
def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header allows gzip (by name or `*`, with a q above 0)."""
    allowed = {}
    for item in accept_encoding.lower().split(","):
        name, *params = (part.strip() for part in item.split(";"))
        q = next((param[2:].strip() for param in params if param.startswith("q=")), "1")
        allowed[name] = q.replace(".", "", 1).isdigit() and float(q) > 0
    return allowed.get("gzip", allowed.get("x-gzip", allowed.get("*", False)))
