import datetime as dt

import pytest
import time_machine
from django.core import signing
from django.urls import reverse

from subscriptions.models import CONFIRM_LINK, Subscription

from .helpers import follow

pytestmark = pytest.mark.django_db


def confirm_path(subscription) -> str:
    return reverse("subscriptions:confirm", args=[subscription.confirm_token])


def test_the_link_shows_a_button_and_get_changes_nothing(client, trial):
    subscription = follow("ada@example.org", trial=trial, confirmed=False)
    response = client.get(confirm_path(subscription))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<form method="post"' in html
    assert ">Confirm</button>" in html
    assert "no-store" in response["Cache-Control"]
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None
    assert subscription.subscriber.confirmed_at is None


def test_pressing_the_button_confirms(client, trial):
    subscription = follow("ada@example.org", trial=trial, confirmed=False)
    response = client.post(confirm_path(subscription))
    assert response.status_code == 302
    assert response["Location"].startswith("/updates/manage/")
    subscription.refresh_from_db()
    assert subscription.is_confirmed
    assert subscription.subscriber.confirmed_at is not None
    page = client.get(response["Location"]).content.decode()
    assert "You will get updates when study NCT07509034 changes" in page


def test_an_expired_link_does_not_confirm(client, trial):
    subscription = follow("ada@example.org", trial=trial, confirmed=False)
    path = confirm_path(subscription)
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=3, minutes=1)):
        response = client.post(path)
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None


def test_a_link_still_works_just_before_it_expires(client, trial):
    subscription = follow("ada@example.org", trial=trial, confirmed=False)
    path = confirm_path(subscription)
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=2, hours=23)):
        assert client.post(path).status_code == 302
    subscription.refresh_from_db()
    assert subscription.is_confirmed


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token.split(":")[0] + ":" + "x" * 10,
        lambda token: "garbage",
    ],
)
def test_a_tampered_link_does_not_confirm(client, trial, tamper):
    subscription = follow("ada@example.org", trial=trial, confirmed=False)
    response = client.post(
        reverse("subscriptions:confirm", args=[tamper(subscription.confirm_token)])
    )
    assert response.status_code == 404
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None


def test_a_signed_token_for_another_sign_up_or_key_does_not_confirm(client, trial):
    subscription = follow("ada@example.org", trial=trial, confirmed=False)
    forged = signing.dumps({"s": subscription.pk, "k": "guessed"}, salt=CONFIRM_LINK.salt)
    assert client.post(reverse("subscriptions:confirm", args=[forged])).status_code == 404
    other_salt = signing.dumps({"s": subscription.pk, "k": subscription.key}, salt="other")
    assert client.post(reverse("subscriptions:confirm", args=[other_salt])).status_code == 404
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None


def test_an_old_link_never_resubscribes_after_unsubscribing(client, trial):
    subscription = follow("ada@example.org", trial=trial, confirmed=False)
    path = confirm_path(subscription)
    client.post(path)
    subscription.refresh_from_db()
    client.post(reverse("subscriptions:unsubscribe", args=[subscription.subscriber.manage_token]))
    assert not Subscription.objects.exists()
    response = client.post(path)
    assert response.status_code == 404
    assert not Subscription.objects.exists()
    # Signing up again makes a new sign-up that the old link cannot confirm either.
    again = follow("ada@example.org", trial=trial, confirmed=False)
    assert client.post(path).status_code == 404
    again.refresh_from_db()
    assert again.confirmed_at is None


def test_confirming_twice_is_harmless(client, trial):
    subscription = follow("ada@example.org", trial=trial, confirmed=False)
    client.post(confirm_path(subscription))
    subscription.refresh_from_db()
    first = subscription.confirmed_at
    assert client.post(confirm_path(subscription)).status_code == 302
    subscription.refresh_from_db()
    assert subscription.confirmed_at == first
    assert "You already confirmed this" in client.get(confirm_path(subscription)).content.decode()
