"""Staff with the permission see every message and where it went; no one else does."""

import pytest

from relay.models import RelayMessage
from tests.subscriptions.helpers import STUDY_EMAIL, staff

pytestmark = pytest.mark.django_db


def test_the_relay_log_shows_staff_where_a_message_went(client, trial):
    message = RelayMessage.compose(trial, "ada@example.org", name="Ada", message="Hello there")
    RelayMessage.objects.filter(pk=message.pk).update(recipient_email=STUDY_EMAIL)
    client.force_login(staff("view_relaymessage"))
    assert "Ada" in client.get("/admin/relay/relaymessage/").content.decode()
    detail = client.get(f"/admin/relay/relaymessage/{message.pk}/change/")
    assert STUDY_EMAIL in detail.content.decode()
