import re

import pytest
from django.core import mail

from subscriptions.models import Subscriber, Subscription

from .helpers import follow, links, run_tasks

pytestmark = pytest.mark.django_db

URL = "/updates/"


def signup(client, commit, email="ada@example.org", **fields):
    data = {"email": email, "follow": "trial", "trial": "NCT07509034", "consent": "on"}
    data.update(fields)
    with commit():
        response = client.post(URL, data)
    run_tasks()
    return response


def page_text(response) -> str:
    html = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_it_stores_a_pending_subscription_and_emails_a_confirmation_link(client, commit, trial):
    response = signup(client, commit)
    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    subscription = Subscription.objects.get()
    assert subscription.trial == trial
    assert subscription.subscriber.email == "ada@example.org"
    assert subscription.confirmed_at is None
    assert subscription.terms_version
    assert subscription.consented_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.org"]
    assert "confirm" in message.subject.lower()
    confirm_links = [url for url in links(message.body) if "/updates/confirm/" in url]
    assert confirm_links and confirm_links[0].startswith("http://127.0.0.1:8000/updates/confirm/")
    html = message.alternatives[0].content
    assert confirm_links[0] in html.replace("&amp;", "&")


def test_the_study_number_is_read_whatever_its_case_and_spaces(client, commit, trial):
    response = signup(client, commit, trial=" nct07509034 ")
    assert response.status_code == 200
    assert Subscription.objects.get().trial == trial


def test_a_study_number_that_is_not_one_signs_nobody_up(client, commit, trial):
    response = signup(client, commit, trial="NCT0750903")
    assert response.status_code == 400
    assert "Please check the form" in response.content.decode()
    assert not Subscription.objects.exists()


def test_it_follows_the_group_when_chosen(client, commit, trial, group):
    signup(client, commit, follow="group", group=group.slug)
    assert Subscription.objects.get().group == group
    assert "Solid tumors" in mail.outbox[0].subject


def test_a_form_from_a_page_kept_from_before_groups_took_their_name_still_works(
    client, commit, trial, group
):
    # A cached copy of a condition group page, or a tab left open, posts the old field names.
    response = signup(client, commit, follow="category", category=group.slug, trial="")
    assert response.status_code == 200
    assert Subscription.objects.get().group == group
    assert "Solid tumors" in mail.outbox[0].subject


def test_a_trial_page_kept_from_before_still_signs_up_for_the_trial(client, commit, trial, group):
    signup(client, commit, follow="trial", category=group.slug)
    assert Subscription.objects.get().trial == trial


def test_an_old_form_naming_an_unknown_group_gets_a_clear_message(client, commit, trial):
    response = signup(client, commit, follow="category", category="no-such-group", trial="")
    assert response.status_code == 400
    assert "Please check the form" in response.content.decode()
    assert not Subscription.objects.exists()


def test_the_form_posts_the_group_by_its_name(client, trial, group):
    html = client.get(trial.get_absolute_url()).content.decode()
    assert 'name="group" value="solid-tumors"' in html
    assert 'value="group"' in html  # the follow choice
    assert 'name="category"' not in html


def signup_form_fields(html: str) -> dict:
    """What a browser posts from a page's sign-up form left as it is: its hidden fields and the
    choice checked first."""
    form = html[html.index('<form method="post" action="/updates/"') :]
    form = form[: form.index("</form>")]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    checked = re.search(r'<input type="radio" name="follow" value="([^"]+)"[^>]* checked', form)
    if checked:
        fields["follow"] = checked[1]
    return fields


def test_the_trial_pages_own_form_signs_up_for_that_trial(client, commit, trial, group):
    fields = signup_form_fields(client.get(trial.get_absolute_url()).content.decode())
    assert fields == {"trial": "NCT07509034", "group": "solid-tumors", "follow": "trial"}
    response = signup(client, commit, **fields)
    assert response.status_code == 200
    assert Subscription.objects.get().trial == trial


def test_a_bad_email_gets_a_clear_message_and_keeps_the_input(client, commit, trial):
    response = signup(client, commit, email="not-an-email")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address" in html
    assert 'value="not-an-email"' in html
    assert not Subscription.objects.exists()
    assert mail.outbox == []


def test_missing_consent_gets_a_clear_message_and_keeps_the_email(client, commit, trial):
    response = signup(client, commit, consent="")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please agree to the terms of use" in html
    assert 'value="ada@example.org"' in html
    assert not Subscription.objects.exists()


def test_the_honeypot_looks_like_success_and_stores_nothing(client, commit, trial):
    response = signup(client, commit, website="http://spam.example")
    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_signing_up_twice_makes_one_subscription(client, commit, trial):
    signup(client, commit)
    signup(client, commit, email="ADA@example.org")
    assert Subscription.objects.count() == 1
    assert Subscriber.objects.count() == 1
    # The second request gets a link to the same sign-up again: it is still waiting.
    assert len(mail.outbox) == 2
    tokens = [
        next(u for u in links(m.body) if "/updates/confirm/" in u).rstrip("/").rsplit("/", 1)[1]
        for m in mail.outbox
    ]
    assert {Subscription.from_confirm_token(token) for token in tokens} == {
        Subscription.objects.get()
    }


def test_the_response_is_the_same_whoever_the_address_belongs_to(client, commit, trial):
    follow("confirmed@example.org", trial=trial)
    follow("pending@example.org", trial=trial, confirmed=False)
    pages = {
        email: page_text(signup(client, commit, email=email))
        for email in ("new@example.org", "pending@example.org", "confirmed@example.org")
    }
    assert len(set(pages.values())) == 1
    statuses = {signup(client, commit, email=e).status_code for e in pages}
    assert statuses == {200}


def test_a_confirmed_address_is_told_it_already_follows_and_nothing_changes(client, commit, trial):
    subscription = follow("ada@example.org", trial=trial)
    signup(client, commit)
    assert "already" in mail.outbox[0].subject.lower()
    assert not any("/updates/confirm/" in url for url in links(mail.outbox[0].body))
    subscription.refresh_from_db()
    assert subscription.is_confirmed


def test_get_does_not_sign_up(client, trial):
    response = client.get(URL, {"email": "ada@example.org", "follow": "trial", "consent": "on"})
    assert response.status_code == 405
    assert not Subscriber.objects.exists()


def test_the_form_needs_a_csrf_token(trial):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    data = {"email": "ada@example.org", "follow": "trial", "trial": trial.nct_id, "consent": "on"}
    response = strict.post(URL, data)
    assert response.status_code == 403
    assert not Subscriber.objects.exists()


def test_an_unknown_trial_is_a_clear_error(client, commit, trial):
    response = signup(client, commit, trial="NCT99999999")
    assert response.status_code == 400
    assert not Subscription.objects.exists()


def test_a_draft_trial_cannot_be_followed(client, commit, trial):
    trial.is_published = False
    trial.save()
    response = signup(client, commit)
    assert response.status_code == 400
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    "email",
    [
        "root@localhost",
        "a@[127.0.0.1]",
        "a@[IPv6:::1]",
        "nurse@intranet",
        "ada@printer.local",
        "ada@mail.localhost",
        "ada@site.test",
        "ada@x.invalid",
        "ada@corp.internal",
        "ada@router.home.arpa",
    ],
)
def test_addresses_off_the_public_internet_are_refused_clearly(client, commit, trial, email):
    response = signup(client, commit, email=email)
    assert response.status_code == 400
    html = response.content.decode()
    assert "an email address on the public internet" in html
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_the_request_does_the_same_work_whoever_the_address_belongs_to(client, commit, trial):
    """Timing must not tell a new address from a known one: the request does identical work,
    and the address is looked up only by the worker."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    follow("confirmed@example.org", trial=trial)
    follow("pending@example.org", trial=trial, confirmed=False)
    data = {"follow": "trial", "trial": trial.nct_id, "consent": "on"}
    work = {}
    for email in ("new@example.org", "pending@example.org", "confirmed@example.org"):
        with CaptureQueriesContext(connection) as queries, commit():
            assert client.post(URL, {**data, "email": email}).status_code == 200
        statements = [re.sub(r"'[^']*'|\b\d+\b", "?", q["sql"]) for q in queries]
        assert not [s for s in statements if "subscriptions_" in s], statements
        work[email] = statements
    assert len({tuple(statements) for statements in work.values()}) == 1
    assert not Subscriber.objects.filter(email="new@example.org").exists()
    run_tasks()
    assert Subscriber.objects.filter(email="new@example.org").exists()
    assert len(mail.outbox) == 3
