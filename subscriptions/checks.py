"""Deployment checks for the rate limits, run by `manage.py check --deploy`."""

import redis
from django.conf import settings
from django.core.checks import Tags, Warning, register

from core.checks import unshared_cache

from .ratelimit import CACHE_ALIAS

_SAFE_POLICIES = ("noeviction",)


@register(Tags.caches, deploy=True)
def rate_limit_counters(app_configs, **kwargs):
    """The counters must be shared by every process, and out of eviction's reach."""
    hint = "Set RATELIMIT_CACHE_URL (or CACHE_URL) to a Redis server."
    unshared = unshared_cache(CACHE_ALIAS, "The rate-limit cache", hint, "subscriptions.W001")
    if unshared:
        return unshared
    config = settings.CACHES.get(CACHE_ALIAS, {})
    backend, location = config.get("BACKEND", ""), config.get("LOCATION")
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
