"""Responses the visitors' forms and emailed links share (the relay's pages use them too)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from health.cache import CacheUnavailable

from . import ratelimit

BUSY_RETRY_AFTER = 60  # seconds


def private(response: HttpResponse) -> HttpResponse:
    """Pages reached by a secret link are never cached or indexed."""
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex"
    return response


def invalid_link(
    request: HttpRequest, what: str, template: str = "subscriptions/link_invalid.html"
) -> HttpResponse:
    return private(render(request, template, {"what": what}, status=404))


def over_limit(
    request: HttpRequest, limit: ratelimit.Limit, template: str, context: dict
) -> HttpResponse | None:
    """Count this post against the client's `limit`: None to go ahead, else the form's page
    again, keeping what was typed, with why it was refused (429), or with “try again in a few
    minutes” (503) when the counters cannot be reached, rather than let everything through."""
    try:
        wait = ratelimit.check_client(request, limit)
    except CacheUnavailable:
        response = render(request, template, {**context, "busy": True}, status=503)
        response["Retry-After"] = str(BUSY_RETRY_AFTER)
        return response
    if not wait:
        return None
    context = {**context, "wait": ratelimit.wait_words(wait)}
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(wait)
    return response
