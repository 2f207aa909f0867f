import os
import uuid

import pytest
import redis
from django.core.cache import caches


@pytest.fixture(autouse=True)
def _empty_caches(request):
    """Rendered pages are cached (core/pagecache.py) and rate limits counted in a cache of their
    own: each test starts with both empty, whatever an earlier test or run left (a file cache
    outlives the run). The browser suite's servers share one cache for the whole run."""
    if request.node.get_closest_marker("e2e"):
        return
    for cache in caches.all(initialized_only=False):
        cache.clear()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _registry_without_pace(settings):
    # Test servers answer at once; the tests of the registry's rate limit set their own.
    settings.CTGOV_REQUESTS_PER_MINUTE = 0


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs collectstatic; tests check pages, not hashed names.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Tests with real transactions end by emptying every table, the rows data migrations made
    too; with --reuse-db the next run would start without them. Put them back."""
    import importlib

    from django.contrib.auth.models import Group, Permission

    editors = importlib.import_module("trials.migrations.0002_editors_group")
    vocabulary = importlib.import_module("trials.migrations.0011_seed_search_vocabulary")
    renamed = importlib.import_module("trials.migrations.0015_condition_groups").RENAMED_CODENAMES
    with django_db_blocker.unblock():
        group, created = Group.objects.get_or_create(name="Editors")
        if created:
            codenames = [
                renamed.get(codename, codename)
                for permissions in (editors.EDITOR_PERMISSIONS, vocabulary.EDITOR_PERMISSIONS)
                for model, actions in permissions.items()
                for codename in (f"{action}_{model}" for action in actions)
            ]
            group.permissions.set(
                Permission.objects.filter(content_type__app_label="trials", codename__in=codenames)
            )


@pytest.fixture(scope="session")
def redis_url() -> str:
    """CACHE_URL's server when it is Redis (CI, production); else database 15 of a local one."""
    url = os.environ.get("CACHE_URL", "")
    given = url.startswith("redis://")
    url = url if given else "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        if given:
            raise
        pytest.skip(f"needs a Redis server at {url} (CI and production have one)")
    return url


@pytest.fixture
def redis_cache(settings, redis_url):
    """The caches on Redis, as in production, under a key prefix of this test's own."""
    prefix = f"test-{uuid.uuid4().hex}"  # never disturbs anyone else's keys
    redis_cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    settings.CACHES = {
        "default": {**redis_cache, "KEY_PREFIX": prefix},
        "ratelimit": {**redis_cache, "KEY_PREFIX": f"{prefix}-ratelimit"},
    }
    return caches["default"]
