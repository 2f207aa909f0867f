import json

import pytest
from django.test import Client
from django.urls import reverse

from relay.models import RelayMessage
from subscriptions.models import Subscriber, Subscription

from .helpers import add_version, follow, make_trial

pytestmark = pytest.mark.django_db

XSS_EMAIL = '"<script>alert(1)</script>"@example.org'


@pytest.fixture
def subscriber(trial, group):
    follow("ada@example.org", trial=trial)
    follow("ada@example.org", group=group)
    return Subscriber.objects.get()


def manage_path(subscriber) -> str:
    return reverse("subscriptions:manage", args=[subscriber.manage_token])


def delete_path(subscriber) -> str:
    return reverse("subscriptions:delete", args=[subscriber.manage_token])


def test_it_lists_every_subscription_with_a_stop_button(client, subscriber):
    token = subscriber.manage_token  # signed with the time: made once, used for every link
    response = client.get(reverse("subscriptions:manage", args=[token]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "ada@example.org" in html
    assert "Plain headline of NCT07509034" in html
    assert "New studies for Solid tumors" in html
    assert html.count('value="remove"') == 2
    assert 'value="remove_all"' in html
    assert f'href="{reverse("subscriptions:delete", args=[token])}"' in html
    assert "no-store" in response["Cache-Control"]


def test_get_changes_nothing(client, subscriber):
    for path in (
        manage_path(subscriber),
        reverse("subscriptions:export", args=[subscriber.manage_token]),
    ):
        client.get(path, {"action": "remove_all"})
    assert Subscription.objects.count() == 2


def test_remove_one(client, subscriber, trial):
    subscription = subscriber.subscriptions.get(trial=trial)
    response = client.post(
        manage_path(subscriber), {"action": "remove", "subscription": subscription.pk}
    )
    assert response.status_code == 302
    assert list(Subscription.objects.values_list("group__name", flat=True)) == ["Solid tumors"]
    page = client.get(response["Location"]).content.decode()
    assert "you will no longer get updates when study NCT07509034 changes" in page


def test_remove_one_cannot_touch_another_address(client, subscriber, trial):
    other = follow("bob@example.org", trial=trial)
    client.post(manage_path(subscriber), {"action": "remove", "subscription": other.pk})
    assert Subscription.objects.filter(pk=other.pk).exists()
    client.post(manage_path(subscriber), {"action": "remove", "subscription": "not a number"})
    assert Subscription.objects.count() == 3


def test_remove_all(client, subscriber):
    response = client.post(manage_path(subscriber), {"action": "remove_all"})
    assert response.status_code == 302
    assert not Subscription.objects.exists()
    assert Subscriber.objects.exists()  # the page still works, to download or delete


def test_export_holds_everything_about_the_address(client, subscriber, trial):
    RelayMessage.compose(trial, "ada@example.org", name="Ada", message="Can I join this study?")
    response = client.get(reverse("subscriptions:export", args=[subscriber.manage_token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["email"] == "ada@example.org"
    assert {s["trial"] for s in data["subscriptions"]} == {"NCT07509034", None}
    assert all(s["terms_version"] and s["consented_at"] for s in data["subscriptions"])
    assert data["messages_to_study_teams"][0]["message"] == "Can I join this study?"
    # The study's address is not the patient's data, and never shown to them.
    assert "study.team@example.org" not in response.content.decode()


def test_delete_data_asks_first_then_forgets_the_address(client, subscriber, trial):
    RelayMessage.compose(trial, "ada@example.org", name="Ada", message="Can I join this study?")
    add_version(trial)
    token = subscriber.manage_token  # signed with the time: made once, used for every link
    manage = reverse("subscriptions:manage", args=[token])
    delete = reverse("subscriptions:delete", args=[token])
    asked = client.get(delete)
    assert asked.status_code == 200
    assert "no-store" in asked["Cache-Control"] and asked["X-Robots-Tag"] == "noindex"
    html = asked.content.decode()
    assert "ada@example.org" in html and "cannot be undone" in html
    assert f'href="{manage}"' in html  # the way back keeps everything
    assert Subscriber.objects.exists()
    response = client.post(delete)
    assert response.status_code == 302
    assert not Subscriber.objects.exists()
    assert not Subscription.objects.exists()
    assert not RelayMessage.objects.exists()
    assert "We deleted your email address" in client.get(response["Location"]).content.decode()
    assert client.get(manage).status_code == 404
    assert client.get(delete).status_code == 404


def test_the_old_delete_button_only_leads_to_the_question(client, subscriber):
    token = subscriber.manage_token
    manage = reverse("subscriptions:manage", args=[token])
    response = client.post(manage, {"action": "delete"})
    assert response.status_code == 302
    assert response["Location"] == reverse("subscriptions:delete", args=[token])
    assert Subscription.objects.count() == 2


def test_an_unknown_action_changes_nothing(client, subscriber):
    response = client.post(manage_path(subscriber), {"action": "drop tables"})
    assert response.status_code == 302
    assert Subscription.objects.count() == 2


def test_a_tampered_link_is_a_clear_404(client, subscriber):
    token = subscriber.manage_token
    for bad in (token[:-2] + "zz", "nonsense", token.replace(":", "")):
        response = client.get(reverse("subscriptions:manage", args=[bad]))
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
    assert (
        client.post(reverse("subscriptions:manage", args=["x"]), {"action": "delete"}).status_code
        == 404
    )
    assert client.post(reverse("subscriptions:delete", args=[token[:-2] + "zz"])).status_code == 404
    assert Subscriber.objects.exists()


def test_the_actions_need_a_csrf_token(subscriber):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(manage_path(subscriber), {"action": "remove_all"}).status_code == 403
    assert strict.post(delete_path(subscriber)).status_code == 403
    assert Subscriber.objects.exists() and Subscription.objects.count() == 2


def test_hostile_values_are_escaped(client, db, group):
    trial = make_trial("NCT01234567", group=group, headline="<img src=x onerror=alert(1)>")
    follow(XSS_EMAIL, trial=trial)
    subscriber = Subscriber.objects.get()
    html = client.get(manage_path(subscriber)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_a_subscriber_can_make_new_links_and_the_old_ones_stop_working(client, subscriber):
    old_manage, old_unsubscribe = subscriber.manage_token, subscriber.unsubscribe_token
    page = client.get(manage_path(subscriber)).content.decode()
    assert 'value="rotate"' in page
    response = client.post(manage_path(subscriber), {"action": "rotate"})
    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert response["Location"] == manage_path(subscriber)
    assert "earlier emails no longer work" in client.get(response["Location"]).content.decode()
    assert client.get(reverse("subscriptions:manage", args=[old_manage])).status_code == 404
    assert client.get(reverse("subscriptions:export", args=[old_manage])).status_code == 404
    assert (
        client.post(reverse("subscriptions:unsubscribe", args=[old_unsubscribe])).status_code == 404
    )
    assert Subscription.objects.filter(subscriber=subscriber).count() == 2
    assert (
        client.get(
            reverse("subscriptions:unsubscribe", args=[subscriber.unsubscribe_token])
        ).status_code
        == 200
    )


def test_after_deleting_the_data_no_old_link_works(client, subscriber, trial):
    pending = Subscription.sign_up("ada@example.org", trial=make_trial("NCT00000009"))
    relay = RelayMessage.compose(trial, "ada@example.org", name="Ada", message="Can I join?")
    token = subscriber.manage_token
    paths = [
        reverse("subscriptions:manage", args=[token]),
        reverse("subscriptions:export", args=[token]),
        reverse("subscriptions:delete", args=[token]),
        reverse("subscriptions:unsubscribe", args=[subscriber.unsubscribe_token]),
        reverse("subscriptions:unsubscribe", args=[token]),
        reverse("subscriptions:confirm", args=[pending.confirm_token]),
        reverse("relay:confirm", args=[relay.confirm_token]),
    ]
    assert client.post(reverse("subscriptions:delete", args=[token])).status_code == 302
    # The same address signs up again: a new row, and still none of the old links opens it.
    follow("ada@example.org", trial=trial)
    for path in paths:
        assert client.get(path).status_code == 404, path
        if "/export/" not in path:  # the download is GET only
            assert client.post(path).status_code == 404, path
    assert Subscription.objects.filter(subscriber__email="ada@example.org").count() == 1
