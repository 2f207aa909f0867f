import pytest
from django.test import Client
from django.urls import reverse

from subscriptions.models import Subscriber, Subscription

from .helpers import follow

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscriber(trial, category):
    follow("ada@example.org", trial=trial)
    follow("ada@example.org", category=category)
    follow("bob@example.org", trial=trial)
    return Subscriber.objects.get(email="ada@example.org")


def test_one_click_post_unsubscribes_without_csrf_cookie_or_login(subscriber):
    # What a mail provider sends (RFC 8058): a bare POST, no cookies, no CSRF token.
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("subscriptions:unsubscribe", args=[subscriber.manage_token]),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "You will get no more update emails" in response.content.decode()
    assert not Subscription.objects.filter(subscriber=subscriber).exists()
    assert Subscription.objects.filter(subscriber__email="bob@example.org").count() == 1


def test_get_shows_a_button_and_changes_nothing(client, subscriber):
    response = client.get(reverse("subscriptions:unsubscribe", args=[subscriber.manage_token]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<form method="post"' in html
    assert "Stop all update emails" in html
    assert Subscription.objects.filter(subscriber=subscriber).count() == 2


def test_a_bad_link_unsubscribes_no_one(client, subscriber):
    bad = subscriber.manage_token[:-3] + "abc"
    response = Client().post(reverse("subscriptions:unsubscribe", args=[bad]))
    assert response.status_code == 404
    assert Subscription.objects.count() == 3


def test_unsubscribing_twice_is_still_200(subscriber):
    client = Client(enforce_csrf_checks=True)
    url = reverse("subscriptions:unsubscribe", args=[subscriber.manage_token])
    assert client.post(url).status_code == 200
    assert client.post(url).status_code == 200
