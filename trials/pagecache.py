"""Whole rendered pages kept in the cache, invalidated exactly when what they show changes.

Each cached page is stored with the tokens it was rendered under; signals (trials/signals.py)
replace a token whenever a trial, its sites, contacts, conditions or categories change, so a
page rendered before a change can never be served after it, even if its render finished later.
The CSRF token differs per visitor, so pages are rendered with a placeholder that each response
swaps for the visitor's own token.
"""

import hashlib
import uuid
from collections.abc import Callable

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

CSRF_PLACEHOLDER = "csrf0placeholder0d41d8cd98f00b204e9800998ecf8427e"
_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
PAGE_TIMEOUT = 60 * 60 * 24
ALL_TRIALS = "token:trials"  # any published listing may change
CATALOG = "token:catalog"  # condition and category names


def trial_token(nct_id: str) -> str:
    return f"token:trial:{nct_id}"


def listing_key(request: HttpRequest) -> str:
    """One key per path and set of parameters, whatever order they come in."""
    params = sorted((k, v) for k in request.GET for v in request.GET.getlist(k))
    digest = hashlib.sha256(repr((request.path, params)).encode()).hexdigest()
    return f"page:list:{digest}"


def trial_key(nct_id: str) -> str:
    return f"page:trial:{nct_id}"


def history_key(nct_id: str) -> str:
    return f"page:history:{nct_id}"


def touch(*tokens: str) -> None:
    """Mark everything rendered under these tokens as out of date."""
    cache.set_many({token: uuid.uuid4().hex for token in tokens}, timeout=None)


def forget_trial(nct_id: str) -> None:
    """Call after changing a trial's rows without model signals (bulk_create, update())."""
    touch(trial_token(nct_id), ALL_TRIALS)


def _current_tokens(token_keys: list[str], found: dict) -> tuple:
    missing = [key for key in token_keys if key not in found]
    for key in missing:
        cache.add(key, uuid.uuid4().hex, timeout=None)
    if missing:
        found = {**found, **cache.get_many(missing)}
    return tuple(found.get(key) for key in token_keys)


def is_cacheable(request: HttpRequest) -> bool:
    """Staff may see drafts and anyone may have a message waiting: those render fresh."""
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
    found = cache.get_many([*token_keys, key])
    tokens = _current_tokens(token_keys, found)
    entry = found.get(key)
    if entry is not None and entry[0] == tokens:
        return _personalise(request, HttpResponse(entry[1]), entry[1])
    response = render({"csrf_token": CSRF_PLACEHOLDER})
    if response.status_code == 200:
        cache.set(key, (tokens, response.content), timeout=PAGE_TIMEOUT)
    return _personalise(request, response, response.content)


def _personalise(request: HttpRequest, response: HttpResponse, html: bytes) -> HttpResponse:
    # Bytes throughout: a page with hundreds of sites is large, and a hit should not re-encode it.
    if _PLACEHOLDER_BYTES in html:
        response.content = html.replace(_PLACEHOLDER_BYTES, get_token(request).encode())
    return response
