"""Deployment checks of our own, run by `manage.py check --deploy`."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

# Caches that live inside one process, or on one machine's disk: page versions and rate limits
# written by one web worker, import or task worker would not reach the others.
_UNSHARED = ("LocMemCache", "DummyCache", "FileBasedCache")


def unshared_cache(alias: str, name: str, hint: str, id: str) -> list[Warning]:
    """A warning, with `hint` and `id`, when the cache `alias` is not shared by every process."""
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    if backend.rsplit(".", 1)[-1] not in _UNSHARED:
        return []
    message = f"{name} ({backend}) is not one that every server process can share."
    return [Warning(message, hint=hint, id=id)]


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    hint = "Set CACHE_URL to a Redis server, e.g. redis://127.0.0.1:6379/1."
    return unshared_cache("default", "The cache", hint, "core.W001")


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
