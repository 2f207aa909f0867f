"""Cross-site request forgery protection from the headers browsers send, without tokens.

Pages carry no per-visitor token, so a cached page is the same bytes for every visitor and a
proxy or CDN may keep it. Instead, as OWASP's CSRF cheat sheet describes (and Go's
CrossOriginProtection does), a request that could change something (any method but GET, HEAD,
OPTIONS and TRACE) is accepted only when the browser says it comes from this site:

- `Sec-Fetch-Site: same-origin`, or `none` (the person typed or bookmarked it). Every current
  browser sends Sec-Fetch-Site to https sites and to localhost;
- otherwise (`same-site`, `cross-site`, or no Sec-Fetch-Site: an older browser, or plain http),
  an `Origin` that is this site's own or one of CSRF_TRUSTED_ORIGINS.

With neither header the request is refused: browsers send Origin with every form they post.
Views marked `csrf_exempt` (the one-click unsubscribe that mail providers POST) are not checked.
Refusals get settings.CSRF_FAILURE_VIEW, as with Django's own check. The admin keeps Django's
token check as well (its views wrap themselves in `csrf_protect`).
"""

import logging

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.urls import get_callable
from django.utils.log import log_response

logger = logging.getLogger("django.security.csrf")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def refusal(request) -> str | None:
    """Why the request must be refused, or None when it comes from this site."""
    if request.headers.get("Sec-Fetch-Site") in ("same-origin", "none"):
        return None
    origin = request.headers.get("Origin")
    if origin is None:
        return "The browser did not say where this form came from."
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return None
    try:
        own = f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        own = None
    if origin == own:
        return None
    return f"The form came from another site ({origin})."


class CrossSiteRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        if request.method in SAFE_METHODS or getattr(view, "csrf_exempt", False):
            return None
        # How Django's test client turns CSRF checks off (Client(enforce_csrf_checks=True) keeps
        # them), as it does for Django's own middleware.
        if getattr(request, "_dont_enforce_csrf_checks", False):
            return None
        reason = refusal(request)
        if reason is None:
            return None
        response = get_callable(settings.CSRF_FAILURE_VIEW)(request, reason=reason)
        log_response(
            "Forbidden (%s): %s",
            reason,
            request.path,
            response=response,
            request=request,
            logger=logger,
        )
        return response
