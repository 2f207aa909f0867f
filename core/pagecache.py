"""Whole pages kept in the cache: the same bytes for every visitor, never served once stale.

Each thing a page can show has a version in the shared cache, a random number (the apps name
them: trials/signals.py). A page's key is its path, its validated query parameters and the
versions of what it shows, read before rendering; `forget(*names)` renews versions, so the next
request on any server looks for a key nobody has stored and renders afresh, while a render that
read the rows before the change sits under the old versions, never looked up again. A hit is
one round trip (the versions) and this process's own copy, else the shared one. Pages are kept
gzipped, with an ETag and `Cache-Control: public, no-cache` (a proxy may keep them but must ask;
a 304 when unchanged). See docs/search-performance.md, "Cached pages".
"""

import gzip
import hashlib
import secrets
from functools import lru_cache, partial, wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers

TIMEOUT = 60 * 60 * 24
PREFIX = "page:v4:"
VERSION_PREFIX = "page-version:"
# This process's own copies, under the same versioned keys (so never stale).
local_pages = LocMemCache("pages", {"TIMEOUT": TIMEOUT, "OPTIONS": {"MAX_ENTRIES": 1000}})


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
    """Serve a view's 200s from the cache. `shows(**view_kwargs)` names what the page shows;
    `params(request)` the query parameters it reads, validated, in a fixed order (None: not
    valid, rendered each time); without it the query string is ignored."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not shared_by_all(request):
                response = view(request, *args, **kwargs)
                patch_cache_control(response, private=True)
                return response
            query = params(request) if params else ()
            versions = None if query is None else current_versions(shows(**kwargs))
            if versions is None:
                return view(request, *args, **kwargs)
            raw_key = repr((request.path, tuple(query), versions)).encode()
            key = PREFIX + hashlib.blake2b(raw_key, digest_size=16).hexdigest()
            page = local_pages.get(key)
            if page is None:
                page = cache.get(key)
                if page is None:
                    response = view(request, *args, **kwargs)
                    if response.status_code != 200 or response.streaming:
                        return response
                    page = _keep(response)
                    cache.set(key, page, TIMEOUT)
                local_pages.set(key, page)
            return _respond(request, page)

        return wrapper

    return decorator


def _keep(response: HttpResponse) -> tuple[str, str, bytes]:
    body = response.content
    etag = f'W/"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'
    return response["Content-Type"], etag, gzip.compress(body, compresslevel=6, mtime=0)


def _respond(request, page: tuple[str, str, bytes]) -> HttpResponse:
    content_type, etag, gzipped = page
    if accepts_gzip(request.headers.get("Accept-Encoding", "")):
        response = HttpResponse(gzipped, content_type=content_type)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(gzipped), content_type=content_type)
    response["ETag"] = etag
    patch_cache_control(response, public=True, no_cache=True)
    patch_vary_headers(response, ("Accept-Encoding", "Cookie"))
    return get_conditional_response(request, etag=etag, response=response)


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
