import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from subscriptions.models import Subscriber, Subscription

from .helpers import follow

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscriber(trial, group):
    follow("ada@example.org", trial=trial)
    follow("ada@example.org", group=group)
    follow("bob@example.org", trial=trial)
    return Subscriber.objects.get(email="ada@example.org")


def test_one_click_post_unsubscribes_without_csrf_cookie_or_login(subscriber):
    # What a mail provider sends (RFC 8058): a bare POST, no cookies, no CSRF token.
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("subscriptions:unsubscribe", args=[subscriber.unsubscribe_token]),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "You will get no more update emails" in response.content.decode()
    assert not Subscription.objects.filter(subscriber=subscriber).exists()
    assert Subscription.objects.filter(subscriber__email="bob@example.org").count() == 1


def test_get_shows_a_button_and_changes_nothing(client, subscriber):
    response = client.get(reverse("subscriptions:unsubscribe", args=[subscriber.unsubscribe_token]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<form method="post"' in html
    assert "Stop all update emails" in html
    assert Subscription.objects.filter(subscriber=subscriber).count() == 2


def test_a_bad_link_unsubscribes_no_one(client, subscriber):
    bad = subscriber.unsubscribe_token[:-3] + "abc"
    response = Client().post(reverse("subscriptions:unsubscribe", args=[bad]))
    assert response.status_code == 404
    assert Subscription.objects.count() == 3


def test_unsubscribing_twice_is_still_200(subscriber):
    client = Client(enforce_csrf_checks=True)
    url = reverse("subscriptions:unsubscribe", args=[subscriber.unsubscribe_token])
    assert client.post(url).status_code == 200
    assert client.post(url).status_code == 200


def test_the_emails_unsubscribe_link_only_unsubscribes(client, commit, subscriber, trial):
    """The List-Unsubscribe header goes to mail providers: its link must open nothing else."""
    from subscriptions import delivery

    from .helpers import add_version

    add_version(trial)
    delivery.run()
    digest = next(m for m in mail.outbox if m.to == ["ada@example.org"])
    header = digest.extra_headers["List-Unsubscribe"].strip("<>")
    token = header.rstrip("/").rsplit("/", 1)[1]
    assert token != subscriber.manage_token
    for name in ("manage", "export", "delete"):
        assert client.get(reverse(f"subscriptions:{name}", args=[token])).status_code == 404
    assert client.post(reverse("subscriptions:manage", args=[token])).status_code == 404
    page = client.get(header.removeprefix("http://127.0.0.1:8000"))
    assert page.status_code == 200
    assert "/updates/manage/" not in page.content.decode()
    assert Client().post(header.removeprefix("http://127.0.0.1:8000")).status_code == 200
    assert not Subscription.objects.filter(subscriber=subscriber).exists()


def test_links_sent_before_still_unsubscribe(subscriber):
    url = reverse("subscriptions:unsubscribe", args=[subscriber.manage_token])
    assert Client().post(url).status_code == 200
    assert not Subscription.objects.filter(subscriber=subscriber).exists()
