"""No response a visitor can get from the alert and relay pages holds a study's contact values,
and none of their GETs changes anything."""

import pytest
from django.core import mail
from django.urls import reverse

from relay.models import RelayMessage
from subscriptions.models import Delivery, Subscriber, Subscription

from .helpers import SITE_EMAIL, SITE_PHONE, STUDY_EMAIL, STUDY_PHONE, links, run_tasks

pytestmark = pytest.mark.django_db

PRIVATE = (STUDY_EMAIL, STUDY_PHONE, SITE_EMAIL, SITE_PHONE)


def state() -> tuple:
    return (
        list(Subscriber.objects.values_list("pk", "confirmed_at")),
        list(Subscription.objects.values_list("pk", "confirmed_at")),
        list(RelayMessage.objects.values_list("pk", "confirmed_at", "sent_at")),
        list(Delivery.objects.values_list("pk", "sent_at")),
    )


def test_every_alert_and_relay_response_keeps_contacts_private(client, commit, trial, group):
    responses = []
    signup = {"email": "ada@example.org", "follow": "trial", "trial": trial.nct_id}
    with commit():
        responses.append(client.post("/updates/", {**signup, "consent": "on"}))
        responses.append(client.post("/updates/", signup))
        contact_url = reverse("relay:contact", args=[trial.nct_id])
        message = {"name": "Ada", "email": "ada@example.org", "message": "May I take part?"}
        responses.append(client.post(contact_url, {**message, "consent": "on"}))
        responses.append(client.post(contact_url, message))
    run_tasks()
    pending = Subscription.objects.get()
    relay = RelayMessage.objects.get()
    gets = [
        trial.get_absolute_url(),
        group.get_absolute_url(),
        reverse("subscriptions:confirm", args=[pending.confirm_token]),
        reverse("subscriptions:manage", args=[pending.subscriber.manage_token]),
        reverse("subscriptions:export", args=[pending.subscriber.manage_token]),
        reverse("subscriptions:unsubscribe", args=[pending.subscriber.manage_token]),
        reverse("relay:confirm", args=[relay.confirm_token]),
        reverse("subscriptions:confirm", args=["bad"]),
        reverse("relay:confirm", args=["bad"]),
        reverse("subscriptions:manage", args=["bad"]),
    ]
    before = state()
    for path in gets:
        responses.append(client.get(path))
    assert state() == before  # GET never changes state
    with commit():
        responses.append(client.post(gets[2], follow=True))
        responses.append(client.post(gets[6], follow=True))
    run_tasks()
    responses.append(client.post(gets[5]))
    for response in responses:
        body = response.content.decode()
        headers = str(response.headers)
        for value in PRIVATE:
            assert value not in body, (response.request["PATH_INFO"], value)
            assert value not in headers
    for message in mail.outbox:
        if message.to != ["ada@example.org"]:
            continue
        raw = message.message().as_string()
        for value in PRIVATE:
            assert value not in raw
    assert any(m.to == [STUDY_EMAIL] for m in mail.outbox)  # the study still got its message
    assert all(links(m.body) for m in mail.outbox if m.to == ["ada@example.org"])
