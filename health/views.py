"""/health/ for load balancers and monitors, and /health/live/ beside it.

/health/ answers 200 when the site can serve pages and 503 when a part it cannot serve without
is down (the database). Parts it can do without for a while (the cache, the task worker, the
registry sync) are reported as warnings and keep the answer at 200. It answers JSON when asked
with `Accept: application/json` (or `?format=json`), plain text otherwise, and is never cached.

/health/live/ says only that this process answers: it touches neither the database nor the
cache, so a process manager can tell a hung worker from a failed database.
"""

import asyncio
import dataclasses
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceWarning
from health_check.views import HealthCheckView, MediaType

from .checks import RegistrySync, TaskWorker


@dataclasses.dataclass(frozen=True)
class Part:
    name: str
    check: type[HealthCheck]
    critical: bool  # the site cannot serve without it


PARTS = (
    Part("database", Database, critical=True),
    Part("cache", Cache, critical=False),  # pages are served uncached without it
    Part("task_worker", TaskWorker, critical=False),
    Part("registry_sync", RegistrySync, critical=False),
)


class HealthView(HealthCheckView):
    """The library's checks and runner (each check in its own thread, with a time limit),
    answered with our status codes and formats (the library's view adds `Vary: Accept` and
    never-cache headers)."""

    parts = PARTS

    async def get(self, request, *args, **kwargs):
        checks = [part.check() for part in self.parts]
        with self.get_executor() as executor:
            results = await asyncio.gather(*(check.get_result(executor) for check in checks))
        report, available = {}, True
        for part, result in zip(self.parts, results, strict=True):
            error = result.error
            if error is None:
                status = "ok"
            elif isinstance(error, ServiceWarning) or not part.critical:
                status = "warning"
            else:
                status, available = "down", False
            report[part.name] = {
                "status": status,
                "critical": part.critical,
                "detail": error.message if error else getattr(result.check, "detail", ""),
                "seconds": round(result.time_taken, 3),
            }
        overall = "ok" if all(p["status"] == "ok" for p in report.values()) else "degraded"
        overall = overall if available else "unavailable"
        code = 200 if available else 503
        if _wants_json(request):
            return JsonResponse({"status": overall, "checks": report}, status=code)
        lines = [f"{overall}"] + [
            f"{name}: {part['status']}" + (f" ({part['detail']})" if part["detail"] else "")
            for name, part in report.items()
        ]
        return HttpResponse(
            "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8", status=code
        )


def _wants_json(request) -> bool:
    if request.GET.get("format") == "json":
        return True
    try:
        accepted = list(MediaType.parse_header(request.headers.get("accept", "*/*")))
    except ValueError:
        return False
    for media in accepted:
        if media.mime_type in ("application/json", "application/*"):
            return True
        if media.mime_type in ("text/plain", "text/*", "text/html", "*/*"):
            return False
    return False


@never_cache
def live(request):
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


# What a client is asked to wait before trying again while the database cannot be reached.
RETRY_AFTER_SECONDS = 30


def server_error(request):
    """The site's 500 handler: a database that cannot be reached is a 503 “busy” page with
    Retry-After (a monitor and a browser both know to come back); anything else is a 500.

    It renders without context processors and without the session or the user, which would ask
    the database again.
    """
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        context = {
            "SITE_NAME": settings.SITE_NAME,
            "SITE_URL": settings.SITE_URL,
            "request": request,
            "sent_form": request.method not in ("GET", "HEAD"),
        }
        response = HttpResponse(render_to_string("503.html", context), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    return HttpResponseServerError(render_to_string("500.html"))
