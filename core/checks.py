"""Deployment checks of our own, run by `manage.py check --deploy`."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

# Caches that live inside one process, or on one machine's disk: page versions and rate limits
# written by one web worker, import or task worker would not reach the others.
_UNSHARED = ("LocMemCache", "DummyCache", "FileBasedCache")


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.rsplit(".", 1)[-1] in _UNSHARED:
        return [
            Warning(
                f"The cache ({backend}) is not one that every server process can share.",
                hint="Set CACHE_URL to a Redis server, e.g. redis://127.0.0.1:6379/1.",
                id="core.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def forms_protected(app_configs, **kwargs):
    """Django's own CSRF check is off (security.W003 is silenced): ours must be on."""
    if "core.csrf.CrossSiteRequestMiddleware" in settings.MIDDLEWARE:
        return []
    return [
        Warning(
            "Forms are not protected against cross-site requests.",
            hint="Add core.csrf.CrossSiteRequestMiddleware to MIDDLEWARE.",
            id="core.W002",
        )
    ]
