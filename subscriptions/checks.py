"""Deployment checks for the rate limits, run by `manage.py check --deploy`."""

import redis
from django.conf import settings
from django.core.checks import Tags, Warning, register

from .ratelimit import CACHE_ALIAS

_UNSHARED = ("LocMemCache", "DummyCache", "FileBasedCache")
_SAFE_POLICIES = ("noeviction",)


@register(Tags.caches, deploy=True)
def rate_limit_counters(app_configs, **kwargs):
    """The counters must be shared by every process, and out of eviction's reach."""
    config = settings.CACHES.get(CACHE_ALIAS, {})
    backend = config.get("BACKEND", "")
    if backend.rsplit(".", 1)[-1] in _UNSHARED:
        return [
            Warning(
                f"The rate-limit cache ({backend}) is not one every server process can share.",
                hint="Set RATELIMIT_CACHE_URL (or CACHE_URL) to a Redis server.",
                id="subscriptions.W001",
            )
        ]
    location = config.get("LOCATION")
    if not backend.endswith("RedisCache") or not isinstance(location, str):
        return []
    try:
        memory = redis.Redis.from_url(location, socket_timeout=2).info("memory")
    except redis.RedisError:
        return []  # not reachable from here (a build machine): nothing to tell
    if int(memory.get("maxmemory", 0)) and memory.get("maxmemory_policy") not in _SAFE_POLICIES:
        return [
            Warning(
                f"The rate-limit counters' Redis evicts keys when full "
                f"(maxmemory-policy {memory.get('maxmemory_policy')}): a flood can erase them.",
                hint="Point RATELIMIT_CACHE_URL at a Redis with maxmemory-policy noeviction "
                "(see the README's Redis section).",
                id="subscriptions.W002",
            )
        ]
    return []
