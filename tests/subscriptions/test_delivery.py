import datetime as dt
import smtplib

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError
from django.utils import timezone

from subscriptions import delivery
from subscriptions.models import Delivery, Publication
from trials.models import ConditionGroup, TrialVersion

from .helpers import add_version, follow, hours_ago, links, make_trial

pytestmark = pytest.mark.django_db


def sent_to(email: str) -> list:
    return [message for message in mail.outbox if message.to == [email]]


def test_a_followed_trial_change_reaches_its_confirmed_follower_in_plain_words(trial):
    follow("ada@example.org", trial=trial, at=hours_ago(2))
    add_version(trial)
    result = delivery.run()
    assert result.digests_sent == 1
    [message] = mail.outbox
    assert message.to == ["ada@example.org"]
    assert "NCT07509034" in message.subject
    assert "Status changed from Not yet recruiting to Recruiting" in message.body
    html = message.alternatives[0].content
    assert "Status changed from Not yet recruiting to Recruiting" in html
    assert message.alternatives[0].mimetype == "text/html"
    assert "http://127.0.0.1:8000/trials/NCT07509034/" in message.body
    assert all(url.startswith("http://127.0.0.1:8000/") for url in links(message.body))
    assert all(url.startswith("http://127.0.0.1:8000/") for url in links(html))


def test_links_are_built_from_site_url(trial, settings):
    settings.SITE_URL = "https://trials.example.org"
    follow("ada@example.org", trial=trial, at=hours_ago(2))
    add_version(trial)
    delivery.run()
    message = mail.outbox[0]
    urls = links(message.body) + links(message.alternatives[0].content)
    assert urls and all(url.startswith("https://trials.example.org/") for url in urls)
    assert message.extra_headers["List-Unsubscribe"].startswith(
        "<https://trials.example.org/updates/unsubscribe/"
    )


def test_every_alert_has_one_click_unsubscribe_headers(trial):
    subscription = follow("ada@example.org", trial=trial, at=hours_ago(2))
    add_version(trial)
    # Links are signed with the time in seconds: the same second here as in the email.
    with time_machine.travel(timezone.now(), tick=False):
        delivery.run()
        headers = mail.outbox[0].extra_headers
        assert headers["List-Unsubscribe"] == f"<{subscription.subscriber.unsubscribe_url}>"
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert headers["Auto-Submitted"] == "auto-generated"
        assert subscription.subscriber.manage_url in mail.outbox[0].body


def test_nothing_is_sent_to_an_unconfirmed_sign_up(trial):
    follow("ada@example.org", trial=trial, confirmed=False, at=hours_ago(2))
    add_version(trial)
    assert delivery.run().digests_sent == 0
    assert mail.outbox == []
    assert not Delivery.objects.exists()


def test_changes_from_before_the_sign_up_are_not_news(trial):
    add_version(trial, seen_at=hours_ago(3))
    follow("ada@example.org", trial=trial, at=hours_ago(2))
    delivery.run()
    assert mail.outbox == []


def test_news_waits_for_confirmation_then_goes_out(trial):
    subscription = follow("ada@example.org", trial=trial, confirmed=False, at=hours_ago(2))
    add_version(trial)
    delivery.run()
    assert mail.outbox == []
    subscription.confirm()
    delivery.run()
    assert len(mail.outbox) == 1


def test_one_digest_per_address_gathers_all_its_news(trial, group):
    other = make_trial("NCT01111111")
    follow("ada@example.org", trial=trial, at=hours_ago(2))
    follow("ada@example.org", trial=other, at=hours_ago(2))
    follow("ada@example.org", group=group, at=hours_ago(2))
    follow("bob@example.org", trial=trial, at=hours_ago(2))
    add_version(trial)
    add_version(trial, changes=[{"field": "enrollment", "old": 40, "new": 60}])
    add_version(other, changes=[{"field": "contacts"}])
    new_trial = make_trial("NCT02222222", group=group, headline="A brand new study")
    add_version(new_trial, kind=TrialVersion.Kind.NEW)
    result = delivery.run()
    assert result.digests_sent == 2
    [ada] = sent_to("ada@example.org")
    assert "Number of participants changed from 40 to 60" in ada.body
    assert "Contact details changed" in ada.body
    assert "A brand new study" in ada.body
    assert "New for: Solid tumors" in ada.body
    [bob] = sent_to("bob@example.org")
    assert "A brand new study" not in bob.body
    assert Delivery.objects.pending().count() == 0


def test_a_second_run_sends_nothing_twice(trial):
    follow("ada@example.org", trial=trial, at=hours_ago(2))
    add_version(trial)
    delivery.run()
    delivery.run()
    assert len(mail.outbox) == 1
    add_version(trial, changes=[{"field": "phase", "old": "PHASE1", "new": "PHASE2"}])
    delivery.run()
    assert len(mail.outbox) == 2
    assert "Status changed" not in mail.outbox[1].body
    assert "Phase changed from Phase 1 to Phase 2" in mail.outbox[1].body


def test_the_database_refuses_the_same_news_twice(trial):
    subscription = follow("ada@example.org", trial=trial, at=hours_ago(2))
    version = add_version(trial)
    Delivery.objects.create(subscription=subscription, version=version)
    with pytest.raises(IntegrityError):
        Delivery.objects.create(subscription=subscription, version=version)


def test_a_trial_in_two_followed_groups_is_told_once(db):
    tumors = ConditionGroup.objects.create(name="Solid tumors")
    lung = ConditionGroup.objects.create(name="Lung cancer")
    follow("ada@example.org", group=tumors, at=hours_ago(2))
    follow("ada@example.org", group=lung, at=hours_ago(2))
    new_trial = make_trial("NCT02222222", group=tumors, headline="A brand new study")
    new_trial.groups.add(lung)
    add_version(new_trial, kind=TrialVersion.Kind.NEW)
    delivery.run()
    [message] = mail.outbox
    assert message.body.count("A brand new study") == 1
    assert (
        "Lung cancer, Solid tumors" in message.body or "Solid tumors, Lung cancer" in message.body
    )
    assert Delivery.objects.count() == 2


def test_a_draft_is_announced_when_staff_publish_it(group):
    follow("ada@example.org", group=group, at=hours_ago(2))
    draft = make_trial("NCT03333333", group=group, published=False, headline="Draft study")
    add_version(draft, kind=TrialVersion.Kind.NEW, seen_at=hours_ago(5))
    delivery.run()
    assert mail.outbox == []
    draft.is_published = True
    draft.save()
    delivery.run()
    [message] = mail.outbox
    assert "Draft study" in message.body


def test_a_trial_published_by_a_bulk_update_is_still_announced(group):
    follow("ada@example.org", group=group, at=hours_ago(2))
    draft = make_trial("NCT03333333", group=group, published=False, headline="Bulk study")
    add_version(draft, kind=TrialVersion.Kind.NEW)
    type(draft).objects.filter(pk=draft.pk).update(is_published=True)  # no signals
    assert not Publication.objects.filter(trial=draft).exists()
    delivery.run()
    assert "Bulk study" in mail.outbox[0].body


def test_trials_public_before_the_sign_up_are_not_news(group):
    old = make_trial("NCT04444444", group=group)
    add_version(old, kind=TrialVersion.Kind.NEW)
    Publication.objects.filter(trial=old).update(published_at=hours_ago(3))
    follow("ada@example.org", group=group, at=hours_ago(2))
    delivery.run()
    assert mail.outbox == []


def test_news_about_a_trial_taken_down_is_dropped(trial):
    follow("ada@example.org", trial=trial, at=hours_ago(2))
    add_version(trial)
    delivery.queue_news()
    trial.is_published = False
    trial.save()
    delivery.run()
    assert mail.outbox == []
    assert not Delivery.objects.pending().exists()


def test_unsubscribing_drops_pending_news(trial):
    subscription = follow("ada@example.org", trial=trial, at=hours_ago(2))
    add_version(trial)
    delivery.queue_news()
    subscription.delete()
    delivery.run()
    assert mail.outbox == []


class FailingBackend:
    """A mail server that is down."""

    def __init__(self, error):
        self.error = error

    def open(self):
        pass

    def send_messages(self, messages):
        raise self.error

    def close(self):
        pass


def test_an_smtp_failure_keeps_the_news_pending_with_backoff(trial, monkeypatch):
    follow("ada@example.org", trial=trial, at=hours_ago(2))
    add_version(trial)
    down = FailingBackend(ConnectionRefusedError("Connection refused"))
    monkeypatch.setattr(delivery.mail, "mailers", type("M", (), {"default": down})())
    start = timezone.now()
    result = delivery.run(start)
    assert result.errors and result.digests_sent == 0
    pending = Delivery.objects.get()
    assert pending.sent_at is None
    assert pending.attempts == 1
    assert "Connection refused" in pending.last_error
    assert pending.next_attempt_at == start + dt.timedelta(seconds=delivery.BACKOFF[0])
    assert result.retry_at == pending.next_attempt_at
    # Still down a little later: not due yet, so no new attempt; then a second, longer wait.
    delivery.run(start + dt.timedelta(seconds=30))
    assert Delivery.objects.get().attempts == 1
    delivery.run(start + dt.timedelta(seconds=61))
    pending.refresh_from_db()
    assert pending.attempts == 2
    assert pending.next_attempt_at > start + dt.timedelta(seconds=61 + 4 * 60)
    monkeypatch.undo()
    with time_machine.travel(pending.next_attempt_at + dt.timedelta(seconds=1)):
        delivery.run()
    assert len(mail.outbox) == 1
    pending.refresh_from_db()
    assert pending.sent_at is not None and pending.last_error == ""


def test_a_refused_recipient_does_not_hold_up_the_others(trial, monkeypatch):
    follow("ada@example.org", trial=trial, at=hours_ago(2))
    follow("bob@example.org", trial=trial, at=hours_ago(2))
    add_version(trial)
    sent = []

    class PickyBackend(FailingBackend):
        def send_messages(self, messages):
            if messages[0].to == ["ada@example.org"]:
                raise smtplib.SMTPRecipientsRefused({"ada@example.org": (550, b"No such user")})
            sent.extend(messages)
            return 1

    monkeypatch.setattr(delivery.mail, "mailers", type("M", (), {"default": PickyBackend(None)})())
    delivery.run()
    assert [m.to for m in sent] == [["bob@example.org"]]
    assert Delivery.objects.pending().get().subscription.subscriber.email == "ada@example.org"


def test_the_backoff_grows_and_stops_growing():
    waits = [delivery.backoff(n) for n in range(1, 10)]
    assert waits == sorted(waits)
    assert waits[-1] == waits[-2] == dt.timedelta(hours=6)


def test_hostile_trial_text_is_escaped_in_the_html_email(group):
    hostile = make_trial("NCT05555555", group=group, headline='<script>alert("x")</script>')
    follow("ada@example.org", trial=hostile, at=hours_ago(2))
    add_version(
        hostile, changes=[{"field": "sponsor", "old": "A", "new": "<b onmouseover=x>B</b>"}]
    )
    delivery.run()
    html = mail.outbox[0].alternatives[0].content
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<b onmouseover" not in html
    # The plain text part is text: it shows the words as they are.
    assert '<script>alert("x")</script>' in mail.outbox[0].body


def test_the_digest_is_readable_on_a_phone_and_by_a_screen_reader(trial):
    follow("ada@example.org", trial=trial, at=hours_ago(2))
    add_version(trial)
    delivery.run()
    html = mail.outbox[0].alternatives[0].content
    assert '<html lang="en">' in html
    assert 'name="viewport"' in html
    assert "<h1" in html and "<h2" in html
    assert "<ul" in html and "<li>" in html
    assert "<table" not in html  # no layout tables: content reflows on a narrow screen
    assert "font-size:18px" in html


def test_news_waiting_for_a_retry_goes_out_with_newer_news_in_one_digest(trial):
    subscription = follow("ada@example.org", trial=trial, at=hours_ago(2))
    waiting = Delivery.objects.create(
        subscription=subscription,
        version=add_version(trial),
        attempts=1,
        next_attempt_at=timezone.now() + dt.timedelta(minutes=5),
    )
    add_version(trial, changes=[{"field": "phase", "old": "PHASE1", "new": "PHASE2"}])
    delivery.run()
    [message] = mail.outbox
    assert "Status changed" in message.body and "Phase changed" in message.body
    waiting.refresh_from_db()
    assert waiting.sent_at is not None


def test_only_the_changes_since_the_sign_up_are_sent(trial):
    add_version(trial, seen_at=hours_ago(3), changes=[{"field": "enrollment", "old": 1, "new": 2}])
    follow("ada@example.org", trial=trial, at=hours_ago(2))
    add_version(trial)
    delivery.run()
    [message] = mail.outbox
    assert "Status changed" in message.body
    assert "Number of participants" not in message.body
    assert Delivery.objects.count() == 1


def test_group_followers_hear_of_new_trials_not_of_their_changes(group):
    follow("ada@example.org", group=group, at=hours_ago(2))
    new_trial = make_trial("NCT02222222", group=group)
    add_version(new_trial, kind=TrialVersion.Kind.NEW)
    add_version(new_trial)
    delivery.run()
    [message] = mail.outbox
    assert "Status changed" not in message.body
    assert Delivery.objects.get().version.kind == TrialVersion.Kind.NEW


def test_an_address_that_cannot_be_sent_to_does_not_stop_the_others(trial, monkeypatch):
    follow("ada@example.org", trial=trial, at=hours_ago(2))
    follow("bob@example.org", trial=trial, at=hours_ago(2))
    add_version(trial)
    real_digest = delivery.emails.digest

    def digest(subscriber, items):
        if subscriber.email == "ada@example.org":
            raise ValueError("an address the mail library cannot encode")
        return real_digest(subscriber, items)

    monkeypatch.setattr(delivery.emails, "digest", digest)
    result = delivery.run()
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]
    assert not result.errors
    stuck = Delivery.objects.pending().get()
    assert stuck.attempts == 1 and "ValueError" in stuck.last_error


def test_posted_results_reach_followers_worded_as_news(trial):
    follow("ada@example.org", trial=trial, at=hours_ago(2))
    add_version(
        trial,
        changes=[
            {"field": "results", "event": "posted", "posted_on": "2026-06-01"},
            {"field": "status", "old": "ACTIVE_NOT_RECRUITING", "new": "COMPLETED"},
        ],
    )
    assert delivery.run().digests_sent == 1
    [message] = mail.outbox
    assert message.subject == "Results are in for study NCT07509034"
    news = "the study team has posted what the study found"
    assert news in message.body
    assert "/trials/NCT07509034/#what-the-study-found" in message.body
    assert "Results were posted: what the study found" in message.body
    html = message.alternatives[0].content
    assert (
        news in html
        and 'href="http://127.0.0.1:8000/trials/NCT07509034/#what-the-study-found"' in html
    )


def test_other_changes_are_not_worded_as_results(trial):
    follow("ada@example.org", trial=trial, at=hours_ago(2))
    add_version(
        trial, changes=[{"field": "results", "event": "revised", "posted_on": "2026-06-01"}]
    )
    delivery.run()
    [message] = mail.outbox
    assert message.subject == "Study NCT07509034 has changed"
    assert "Results are in" not in message.body
    assert "The posted results were updated" in message.body
