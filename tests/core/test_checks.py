from django.core.checks import run_checks


def test_deploy_checks_warn_of_a_cache_the_processes_do_not_share(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    ids = [message.id for message in run_checks(include_deployment_checks=True)]
    assert "core.W001" in ids


def test_deploy_checks_accept_redis(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/1",
        }
    }
    ids = [message.id for message in run_checks(include_deployment_checks=True)]
    assert "core.W001" not in ids


def test_deploy_checks_warn_when_forms_lose_their_cross_site_check(settings):
    assert "core.W002" not in [m.id for m in run_checks(include_deployment_checks=True)]
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.startswith("core.csrf")]
    assert "core.W002" in [m.id for m in run_checks(include_deployment_checks=True)]
