"""`check --deploy` says when the rate-limit counters are not safe where they are kept."""

import pytest
import redis
from django.core.checks import run_checks

REDIS = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://r:6379/1"}


def deploy_check_ids() -> list[str]:
    return [message.id for message in run_checks(include_deployment_checks=True)]


@pytest.fixture
def redis_memory(monkeypatch):
    """What the counters' Redis says of its memory settings."""
    memory = {"maxmemory": 0, "maxmemory_policy": "noeviction"}
    monkeypatch.setattr(redis.Redis, "info", lambda self, section=None: memory)
    return memory


def test_it_warns_of_counters_one_process_keeps_to_itself(settings):
    settings.CACHES = {
        "default": REDIS,
        "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    assert "subscriptions.W001" in deploy_check_ids()


@pytest.mark.parametrize("policy", ["allkeys-lru", "volatile-lru", "allkeys-random"])
def test_it_warns_when_a_full_redis_would_evict_the_counters(settings, redis_memory, policy):
    settings.CACHES = {"default": REDIS, "ratelimit": REDIS}
    redis_memory.update(maxmemory=256 * 2**20, maxmemory_policy=policy)
    assert "subscriptions.W002" in deploy_check_ids()


@pytest.mark.parametrize(("maxmemory", "policy"), [(256 * 2**20, "noeviction"), (0, "allkeys-lru")])
def test_it_accepts_a_redis_that_never_evicts(settings, redis_memory, maxmemory, policy):
    settings.CACHES = {"default": REDIS, "ratelimit": REDIS}
    redis_memory.update(maxmemory=maxmemory, maxmemory_policy=policy)
    ids = deploy_check_ids()
    assert "subscriptions.W001" not in ids
    assert "subscriptions.W002" not in ids
