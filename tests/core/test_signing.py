"""Signed links: one way for every purpose, and the links already sent in emails still open."""

import datetime as dt

import pytest
import time_machine
from django.core import signing
from django.urls import reverse

from core.signing import SignedLink
from relay.models import RelayMessage
from subscriptions.models import Subscriber, Subscription
from tests.subscriptions.helpers import make_trial

pytestmark = pytest.mark.django_db


@pytest.fixture
def trial(db):
    return make_trial()


def as_sent_before(salt: str, value: dict) -> str:
    """A token made as the site made them before it had one way to sign links."""
    return signing.dumps(value, salt=salt)


def test_links_in_emails_already_sent_still_open_their_pages(client, trial):
    subscription = Subscription.sign_up("ada@example.org", trial=trial)
    subscriber = subscription.subscriber
    message = RelayMessage.compose(trial, "ada@example.org", name="Ada", message="May I join?")
    confirm = as_sent_before("subscriptions.confirm", {"s": subscription.pk, "k": subscription.key})
    manage = as_sent_before("subscriptions.manage", {"a": subscriber.pk, "k": subscriber.key})
    unsubscribe = as_sent_before(
        "subscriptions.unsubscribe", {"u": subscriber.pk, "k": subscriber.unsubscribe_key}
    )
    relay = as_sent_before("subscriptions.relay", {"m": message.pk, "k": message.key})

    assert "Confirm" in client.get(reverse("subscriptions:confirm", args=[confirm])).text
    assert subscriber.email in client.get(reverse("subscriptions:manage", args=[manage])).text
    page = client.get(reverse("subscriptions:unsubscribe", args=[unsubscribe]))
    assert page.status_code == 200 and subscriber.email in page.text
    assert "May I join?" in client.get(reverse("relay:confirm", args=[relay])).text

    assert client.post(reverse("relay:confirm", args=[relay])).status_code == 302
    message.refresh_from_db()
    assert message.confirmed_at is not None


def test_a_link_made_for_one_purpose_opens_nothing_else(client, trial):
    subscription = Subscription.sign_up("ada@example.org", trial=trial)
    message = RelayMessage.compose(trial, "ada@example.org", name="Ada", message="May I join?")
    # Same row ids and secrets would not help: each purpose has its own salt.
    subscription_token = subscription.confirm_token
    for name in ("subscriptions:manage", "subscriptions:unsubscribe", "relay:confirm"):
        assert client.get(reverse(name, args=[subscription_token])).status_code == 404
    message_token = message.confirm_token
    assert client.get(reverse("subscriptions:confirm", args=[message_token])).status_code == 404


def test_a_link_expires_only_where_its_purpose_says(trial):
    subscription = Subscription.sign_up("ada@example.org", trial=trial)
    subscriber = subscription.subscriber
    confirm, manage = subscription.confirm_token, subscriber.manage_token
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=3, minutes=1)):
        assert Subscription.from_confirm_token(confirm) is None
        assert Subscriber.from_manage_token(manage) == subscriber


def test_a_new_secret_stops_the_old_links(trial):
    subscriber = Subscription.sign_up("ada@example.org", trial=trial).subscriber
    manage, unsubscribe = subscriber.manage_token, subscriber.unsubscribe_token
    subscriber.rotate_keys()
    assert Subscriber.from_manage_token(manage) is None
    assert Subscriber.from_unsubscribe_token(unsubscribe) is None
    assert Subscriber.from_manage_token(subscriber.manage_token) == subscriber


@pytest.mark.parametrize(
    "value", [["a", 1], {"a": "1; drop"}, {"a": None, "k": "x"}, {"k": "x"}, "text"]
)
def test_a_signed_value_of_the_wrong_shape_opens_nothing(client, trial, value):
    link = SignedLink("subscriptions.manage", "a")
    token = signing.dumps(value, salt=link.salt)
    assert link.find(token, Subscriber.objects.all()) is None
    assert client.get(reverse("subscriptions:manage", args=[token])).status_code == 404
