from django.core.checks import run_checks


def test_deploy_checks_warn_of_a_cache_the_processes_do_not_share(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    ids = [message.id for message in run_checks(include_deployment_checks=True)]
    assert "trials.W001" in ids


def test_deploy_checks_accept_redis(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/1",
        }
    }
    ids = [message.id for message in run_checks(include_deployment_checks=True)]
    assert "trials.W001" not in ids
