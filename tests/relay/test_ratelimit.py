"""The relay's limits: per client, counted in Redis as in production, and per study team a day."""

import pytest
import time_machine
from django.urls import reverse

from relay.models import RelayMessage
from subscriptions import ratelimit
from tests.subscriptions.helpers import run_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("counted_in_redis")]


def test_the_study_team_form_is_limited_per_client(client, commit, trial):
    data = {
        "name": "Ada",
        "email": "ada@example.org",
        "message": "May I take part?",
        "consent": "on",
    }
    url = f"/trials/{trial.nct_id}/contact/"
    with commit():
        for n in range(ratelimit.CONTACT_PER_CLIENT.count):
            data["email"] = f"ada{n}@example.org"
            assert client.post(url, data).status_code == 200
        response = client.post(url, data)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Please wait" in html
    assert "May I take part?" in html
    run_tasks()
    assert RelayMessage.objects.count() == ratelimit.CONTACT_PER_CLIENT.count


def test_a_study_team_gets_a_bounded_number_of_messages_a_day(client, commit, trial):
    for n in range(ratelimit.MESSAGES_PER_TRIAL_PER_DAY):
        RelayMessage.compose(trial, f"p{n}@example.org", name="P", message="Hello there").confirm()
    relay = RelayMessage.compose(trial, "ada@example.org", name="Ada", message="May I join?")
    path = reverse("relay:confirm", args=[relay.confirm_token])
    with commit():
        response = client.post(path)
    assert response.status_code == 429
    assert "many messages today" in response.content.decode()
    relay.refresh_from_db()
    assert relay.confirmed_at is None
    with time_machine.travel("2026-11-26 10:30:00+00:00", tick=True), commit():
        assert client.post(path).status_code == 302
    relay.refresh_from_db()
    assert relay.confirmed_at is not None
