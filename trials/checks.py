"""Deployment checks of our own, run by `manage.py check --deploy`."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

# Caches that live inside one process, or on one machine's disk: invalidation tokens and rate
# limits written by one web worker, import or task worker would not reach the others.
_UNSHARED = ("LocMemCache", "DummyCache", "FileBasedCache")


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.rsplit(".", 1)[-1] in _UNSHARED:
        return [
            Warning(
                f"The cache ({backend}) is not one that every server process can share.",
                hint="Set CACHE_URL to a Redis server, e.g. redis://127.0.0.1:6379/1.",
                id="trials.W001",
            )
        ]
    return []
