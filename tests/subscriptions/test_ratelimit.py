"""Rate limits, counted in Redis as in production (RATELIMIT_CACHE_URL)."""

import pytest
import redis
import time_machine
from django.core import mail
from django.core.cache import cache

from subscriptions import ratelimit
from subscriptions.models import Subscription

from .helpers import links, run_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("counted_in_redis")]


def post_signup(client, email, ip="203.0.113.5", **extra):
    data = {"email": email, "follow": "trial", "trial": "NCT07509034", "consent": "on"}
    return client.post("/updates/", data, REMOTE_ADDR=ip, **extra)


def test_a_person_who_retries_is_not_limited(client, trial):
    for _ in range(5):
        assert post_signup(client, "ada@example.org").status_code == 200


def emails_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def test_an_address_gets_at_most_its_email_budget_however_it_is_spelled(client, commit, trial):
    spellings = [
        "ada.lovelace@gmail.com",
        "adalovelace@gmail.com",
        "Ada.Love.Lace+1@gmail.com",
        "ada.lovelace+2@googlemail.com",
        "ADALOVELACE@GMAIL.COM",
        "a.d.a.lovelace@gmail.com",
    ]
    with commit():
        for n, email in enumerate(spellings):
            assert post_signup(client, email, ip=f"198.51.100.{n}").status_code == 200
    run_tasks()
    assert len(mail.outbox) == ratelimit.EMAILS_PER_ADDRESS.count


def test_one_sign_up_holds_back_one_email_and_sends_it_in_the_next_window(client, commit, trial):
    with commit():
        for n in range(6):
            post_signup(client, "ada@example.org", ip=f"198.51.100.{n}")
    run_tasks()
    assert len(emails_to("ada@example.org")) == ratelimit.EMAILS_PER_ADDRESS.count
    with time_machine.travel("2026-11-25 10:31:00+00:00", tick=True):
        run_tasks()
    assert len(emails_to("ada@example.org")) == ratelimit.EMAILS_PER_ADDRESS.count + 1


def test_an_attacker_cannot_lock_a_victim_out(client, commit, trial):
    """Five requests with someone else's address: its owner is still answered, and confirmed."""
    with commit():
        for _ in range(5):
            post_signup(client, "victim@example.org", ip="203.0.113.66")
    run_tasks()
    sent = len(emails_to("victim@example.org"))
    with time_machine.travel("2026-11-25 10:20:00+00:00", tick=True):
        with commit():
            response = post_signup(client, "victim@example.org", ip="198.51.100.7")
        assert response.status_code == 200
        assert "Check your inbox" in response.content.decode()
        run_tasks()
    with time_machine.travel("2026-11-25 10:31:00+00:00", tick=True):
        run_tasks()
        latest = emails_to("victim@example.org")[-1]
        assert len(emails_to("victim@example.org")) == sent + 1
        url = next(u for u in links(latest.body) if "/updates/confirm/" in u)
        assert client.get(url.removeprefix("http://127.0.0.1:8000")).status_code == 200


def test_one_client_is_limited_across_addresses(client, commit, trial):
    for i in range(ratelimit.SIGNUP_PER_CLIENT.count):
        assert post_signup(client, f"person{i}@example.org").status_code == 200
    with commit():
        response = post_signup(client, "one-more@example.org")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "Please wait" in html
    assert 'value="one-more@example.org"' in html
    assert "checked" in html  # the consent box stays ticked
    run_tasks()
    assert not Subscription.objects.filter(subscriber__email="one-more@example.org").exists()
    assert post_signup(client, "one-more@example.org", ip="203.0.113.99").status_code == 200


def test_an_ipv6_client_is_counted_by_its_64(client, trial):
    for i in range(ratelimit.SIGNUP_PER_CLIENT.count):
        ip = f"2001:db8:1:2:{i:x}::{i + 1:x}"
        assert post_signup(client, f"p{i}@example.org", ip=ip).status_code == 200
    assert post_signup(client, "x@example.org", ip="2001:db8:1:2:ffff::9").status_code == 429
    assert post_signup(client, "y@example.org", ip="2001:db8:1:3::1").status_code == 200


def test_the_counts_live_in_their_own_cache(client, trial, redis_url, settings):
    post_signup(client, "ada@example.org")
    prefix = settings.CACHES["ratelimit"]["KEY_PREFIX"]
    keys = redis.Redis.from_url(redis_url).keys(f"{prefix}:*")
    assert len(keys) == 1  # the client's; the address is counted when its email is due
    page_prefix = settings.CACHES["default"]["KEY_PREFIX"]
    assert not redis.Redis.from_url(redis_url).keys(f"{page_prefix}:*ratelimit*")


def test_emptying_or_flooding_the_page_cache_leaves_the_counts(client, trial, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "p"},
        "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "r"},
    }
    for i in range(ratelimit.SIGNUP_PER_CLIENT.count):
        post_signup(client, f"person{i}@example.org")
    for n in range(400):  # beyond LocMemCache's 300 entries: it culls
        cache.set(f"page-{n}", "x" * 100)
    cache.clear()
    assert post_signup(client, "one-more@example.org").status_code == 429


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
