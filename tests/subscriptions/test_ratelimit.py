"""Rate limits, counted in Redis as in production (CACHE_URL)."""

import pytest
import redis
import time_machine

from subscriptions import ratelimit
from subscriptions.models import RelayMessage, Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _on_redis(redis_cache):
    return redis_cache


@pytest.fixture(autouse=True)
def _mid_window():
    # Counts are per clock hour: start each test well inside one, so none straddles two.
    with time_machine.travel("2026-11-25 10:15:00+00:00", tick=True):
        yield


def post_signup(client, email, ip="203.0.113.5", **extra):
    data = {"email": email, "follow": "trial", "trial": "NCT07509034", "consent": "on"}
    return client.post("/updates/", data, REMOTE_ADDR=ip, **extra)


def test_a_person_who_retries_is_not_limited(client, trial):
    for _ in range(ratelimit.SIGNUP_PER_ADDRESS.count):
        assert post_signup(client, "ada@example.org").status_code == 200
    assert ratelimit.SIGNUP_PER_ADDRESS.count >= 3


def test_one_address_is_limited_with_a_clear_message_and_kept_input(client, trial):
    for _ in range(ratelimit.SIGNUP_PER_ADDRESS.count):
        post_signup(client, "ada@example.org", ip=f"198.51.100.{_}")
    response = post_signup(client, "ADA@example.org", ip="198.51.100.200")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "Please wait" in html
    assert 'value="ADA@example.org"' in html
    assert "checked" in html  # the consent box stays ticked
    # Another address from the same client is fine.
    assert post_signup(client, "bob@example.org", ip="198.51.100.200").status_code == 200


def test_one_client_is_limited_across_addresses(client, trial):
    for i in range(ratelimit.SIGNUP_PER_CLIENT.count):
        assert post_signup(client, f"person{i}@example.org").status_code == 200
    response = post_signup(client, "one-more@example.org")
    assert response.status_code == 429
    assert not Subscription.objects.filter(subscriber__email="one-more@example.org").exists()
    assert post_signup(client, "one-more@example.org", ip="203.0.113.99").status_code == 200


def test_the_counts_live_in_redis(client, trial, redis_cache, redis_url):
    post_signup(client, "ada@example.org")
    keys = redis.Redis.from_url(redis_url).keys(f"{redis_cache.key_prefix}*ratelimit*")
    assert len(keys) == 2  # one per address, one per client


def test_behind_a_proxy_the_client_is_the_address_our_proxy_saw(client, trial, settings):
    settings.BEHIND_TLS_PROXY = True
    for i in range(ratelimit.SIGNUP_PER_CLIENT.count):
        post_signup(client, f"p{i}@example.org", ip="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    limited = post_signup(client, "x@example.org", ip="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert limited.status_code == 429
    # A spoofed first hop does not escape: the proxy appends the real address last.
    spoofed = post_signup(
        client, "y@example.org", ip="127.0.0.1", HTTP_X_FORWARDED_FOR="9.9.9.9, 1.2.3.4"
    )
    assert spoofed.status_code == 429
    other = post_signup(client, "z@example.org", ip="127.0.0.1", HTTP_X_FORWARDED_FOR="5.6.7.8")
    assert other.status_code == 200


def test_the_study_team_form_is_limited_too(client, trial):
    data = {
        "name": "Ada",
        "email": "ada@example.org",
        "message": "May I take part?",
        "consent": "on",
    }
    url = f"/trials/{trial.nct_id}/contact/"
    for _ in range(ratelimit.CONTACT_PER_ADDRESS.count):
        assert client.post(url, data).status_code == 200
    response = client.post(url, data)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Please wait" in html
    assert "May I take part?" in html
    assert RelayMessage.objects.count() == ratelimit.CONTACT_PER_ADDRESS.count
