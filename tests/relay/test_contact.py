"""“Contact the study team”: relayed by email, only after the patient confirms their address."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from relay.models import RelayMessage
from subscriptions import delivery
from subscriptions.models import Subscriber
from tests.subscriptions.helpers import (
    SITE_EMAIL,
    SITE_PHONE,
    STUDY_EMAIL,
    STUDY_PHONE,
    links,
    make_trial,
    run_tasks,
)
from trials.models import Contact

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script>'


def write(client, commit, trial, **fields):
    data = {
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "message": "Hello, may I take part? I live near Bethesda.",
        "consent": "on",
    }
    data.update(fields)
    with commit():
        response = client.post(reverse("relay:contact", args=[trial.nct_id]), data)
    run_tasks()
    return response


def confirm(client, commit, message) -> None:
    url = [u for u in links(message.body) if "/updates/message/" in u][0]
    path = url.removeprefix("http://127.0.0.1:8000")
    assert client.get(path).status_code == 200
    with commit():
        response = client.post(path)
    assert response.status_code == 302
    run_tasks()


def assert_no_contact_values(text: str) -> None:
    for value in (STUDY_EMAIL, STUDY_PHONE, SITE_EMAIL, SITE_PHONE):
        assert value not in text


def test_the_trial_page_has_the_form_but_no_contact_values(client, trial):
    html = client.get(trial.get_absolute_url()).content.decode()
    assert 'id="contact-study-team"' in html
    assert f'action="/trials/{trial.nct_id}/contact/"' in html
    assert 'for="contact-name"' in html and 'id="contact-name"' in html
    assert html.count('id="id_email"') == 1  # the sign-up form's own ids stay unique
    assert_no_contact_values(html)


def test_a_trial_without_a_contact_email_has_no_form(client, db, group):
    quiet = make_trial("NCT06666666", group=group)
    Contact.objects.create(trial=quiet, name="Dr. Phone", phone=STUDY_PHONE)
    assert "contact-study-team" not in client.get(quiet.get_absolute_url()).content.decode()
    response = client.post(reverse("relay:contact", args=[quiet.nct_id]), {})
    assert response.status_code == 404


def test_nothing_reaches_the_study_until_the_patient_confirms(client, commit, trial):
    response = write(client, commit, trial)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Check your inbox" in html
    assert_no_contact_values(html)
    [confirmation] = mail.outbox
    assert confirmation.to == ["ada@example.org"]
    assert_no_contact_values(confirmation.body + confirmation.alternatives[0].content)
    relay = RelayMessage.objects.get()
    assert relay.confirmed_at is None and relay.sent_at is None
    delivery.run()
    assert len(mail.outbox) == 1  # still only the confirmation


def test_after_confirming_the_study_gets_it_with_reply_to_and_the_patient_a_copy(
    client, commit, trial
):
    write(client, commit, trial)
    confirm(client, commit, mail.outbox[0])
    to_study, copy = mail.outbox[1:]
    assert to_study.to == [STUDY_EMAIL]
    assert to_study.reply_to == ["ada@example.org"]
    assert "Hello, may I take part?" in to_study.body
    assert "Ada Lovelace" in to_study.body
    assert copy.to == ["ada@example.org"]
    assert "Hello, may I take part?" in copy.body
    assert_no_contact_values(copy.body + copy.alternatives[0].content + str(copy.message()))
    relay = RelayMessage.objects.get()
    assert relay.sent_at is not None
    assert relay.recipient_email == STUDY_EMAIL  # logged for staff


def test_the_confirmation_page_and_what_follows_never_show_the_study_address(client, commit, trial):
    write(client, commit, trial)
    url = [u for u in links(mail.outbox[0].body) if "/updates/message/" in u][0]
    path = url.removeprefix("http://127.0.0.1:8000")
    assert_no_contact_values(client.get(path).content.decode())
    with commit():
        response = client.post(path, follow=True)
    assert_no_contact_values(response.content.decode())
    assert "Your message is on its way" in response.content.decode()


def test_confirming_twice_sends_once(client, commit, trial):
    write(client, commit, trial)
    confirm(client, commit, mail.outbox[0])
    confirm(client, commit, mail.outbox[0])
    delivery.run()
    assert [m.to for m in mail.outbox].count([STUDY_EMAIL]) == 1


def test_get_on_the_confirmation_link_sends_nothing(client, commit, trial):
    write(client, commit, trial)
    url = [u for u in links(mail.outbox[0].body) if "/updates/message/" in u][0]
    Client().get(url.removeprefix("http://127.0.0.1:8000"))
    run_tasks()
    delivery.run()
    assert len(mail.outbox) == 1
    assert RelayMessage.objects.get().confirmed_at is None


def test_a_tampered_link_sends_nothing(client, commit, trial):
    write(client, commit, trial)
    relay = RelayMessage.objects.get()
    bad = relay.confirm_token[:-2] + "xx"
    assert client.post(reverse("relay:confirm", args=[bad])).status_code == 404
    delivery.run()
    assert len(mail.outbox) == 1


def test_bad_input_gets_clear_messages_and_keeps_what_was_written(client, commit, trial):
    response = write(client, commit, trial, email="nope", message="Hi", consent="")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address" in html
    assert "Please write a little more" in html
    assert "Please agree to the terms of use" in html
    assert 'value="Ada Lovelace"' in html
    assert ">Hi</textarea>" in html
    assert_no_contact_values(html)
    assert not RelayMessage.objects.exists()


def test_the_honeypot_stores_and_sends_nothing(client, commit, trial):
    response = write(client, commit, trial, website="spam")
    assert response.status_code == 200
    assert not RelayMessage.objects.exists()
    assert mail.outbox == []


def test_a_draft_or_unknown_trial_cannot_be_written_to(client, commit, trial):
    assert write(client, commit, make_trial("NCT07777777", published=False)).status_code == 404
    response = client.post("/trials/NCT00000000/contact/", {})
    assert response.status_code == 404
    assert client.get(reverse("relay:contact", args=[trial.nct_id])).status_code == 405


def test_hostile_names_and_messages_are_escaped_in_pages_and_emails(client, commit, trial):
    response = write(client, commit, trial, name=XSS, message=f"{XSS} please reply", email="nope")
    assert XSS not in response.content.decode()
    assert "&lt;script&gt;" in response.content.decode()
    write(client, commit, trial, name=XSS, message=f"{XSS} please reply")
    confirmation = mail.outbox[0]
    assert XSS not in confirmation.alternatives[0].content
    path = [u for u in links(confirmation.body) if "/updates/message/" in u][0]
    path = path.removeprefix("http://127.0.0.1:8000")
    assert XSS not in client.get(path).content.decode()
    confirm(client, commit, confirmation)
    for message in mail.outbox[1:]:
        assert XSS not in message.alternatives[0].content
        assert "&lt;script&gt;" in message.alternatives[0].content
        assert "\n" not in message.subject


def test_it_goes_to_a_site_contact_when_the_study_has_none(client, commit, db, group):
    only_site = make_trial("NCT08888888", group=group)
    from trials.models import Location

    site = Location.objects.create(trial=only_site, facility="Clinic")
    Contact.objects.create(trial=only_site, location=site, email=SITE_EMAIL)
    write(client, commit, only_site)
    confirm(client, commit, mail.outbox[0])
    assert mail.outbox[1].to == [SITE_EMAIL]


def test_deleting_the_address_deletes_its_messages(client, commit, trial):
    write(client, commit, trial)
    Subscriber.objects.get().delete_data()
    assert not RelayMessage.objects.exists()


def test_the_form_on_a_cached_trial_page_posts_as_a_browser_posts_it(commit, trial):
    Client().get(trial.get_absolute_url())  # renders and caches the page
    browser = Client(enforce_csrf_checks=True, headers={"Sec-Fetch-Site": "same-origin"})
    html = browser.get(trial.get_absolute_url()).content.decode()
    form = html[html.index('id="contact-study-team"') :]
    assert f'action="{reverse("relay:contact", args=[trial.nct_id])}"' in form
    data = {
        "name": "Ada",
        "email": "ada@example.org",
        "message": "May I take part in this study?",
        "consent": "on",
    }
    with commit():
        response = browser.post(reverse("relay:contact", args=[trial.nct_id]), data)
    assert response.status_code == 200
    run_tasks()  # the worker stores the message
    assert RelayMessage.objects.count() == 1


def test_an_expired_message_link_sends_nothing(client, commit, trial):
    import datetime as dt

    import time_machine

    write(client, commit, trial)
    path = reverse("relay:confirm", args=[RelayMessage.objects.get().confirm_token])
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=3, minutes=1)):
        response = client.post(path)
    assert response.status_code == 404
    assert RelayMessage.objects.get().confirmed_at is None
    delivery.run()
    assert len(mail.outbox) == 1


def test_names_and_messages_in_any_script_arrive_intact(client, commit, trial):
    write(client, commit, trial, name="Zoë Ñúñez 王芳", message="¿Puedo participar? 🌷 谢谢")
    confirm(client, commit, mail.outbox[0])
    to_study = mail.outbox[1]
    assert "Zoë Ñúñez 王芳" in to_study.body
    assert "¿Puedo participar? 🌷 谢谢" in to_study.message().get_body(("plain",)).get_content()


def test_a_failed_relay_is_retried_and_sent_once(client, commit, trial, monkeypatch):
    import datetime as dt

    import time_machine

    write(client, commit, trial)

    class Down:
        def open(self):
            raise ConnectionRefusedError("Connection refused")

        def send_messages(self, messages):
            raise ConnectionRefusedError("Connection refused")

        def close(self):
            pass

    real = delivery.mail.mailers
    monkeypatch.setattr(delivery.mail, "mailers", type("M", (), {"default": Down()})())
    confirm(client, commit, mail.outbox[0])  # the send task fails
    relay = RelayMessage.objects.get()
    assert relay.sent_at is None and relay.attempts == 1 and relay.last_error
    monkeypatch.setattr(delivery.mail, "mailers", real)
    with time_machine.travel(relay.next_attempt_at + dt.timedelta(seconds=1)):
        run_tasks()  # the retry the failed task scheduled
        delivery.run()
    assert [m.to for m in mail.outbox].count([STUDY_EMAIL]) == 1
    assert RelayMessage.objects.get().sent_at is not None


@pytest.mark.parametrize("email", ["root@localhost", "a@[127.0.0.1]", "ada@intranet"])
def test_a_sender_off_the_public_internet_is_refused_clearly(client, commit, trial, email):
    response = write(client, commit, trial, email=email)
    assert response.status_code == 400
    assert "an email address on the public internet" in response.content.decode()
    assert not RelayMessage.objects.exists()
    assert mail.outbox == []


def test_the_confirmation_email_carries_none_of_the_senders_words(client, commit, trial):
    """Anyone can make us mail any address: what they wrote must not ride along (phishing)."""
    name = "PayPal Security Team"
    lure = "Your account is locked: verify at https://evil.example/login now"
    write(client, commit, trial, name=name, message=lure, email="victim@example.net")
    confirmation = mail.outbox[0]
    parts = [confirmation.subject, confirmation.body, confirmation.alternatives[0].content]
    for part in parts:
        assert name not in part
        assert "evil.example" not in part
        assert "locked" not in part
    assert trial.nct_id in confirmation.subject
    assert "did not" in confirmation.body  # what to do if you did not ask for this
    # The page the link opens shows the message, for the sender to check before sending.
    path = [u for u in links(confirmation.body) if "/updates/message/" in u][0]
    page = client.get(path.removeprefix("http://127.0.0.1:8000")).content.decode()
    assert lure in page
    assert name in page
