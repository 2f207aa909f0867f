"""A visitor signs up for a trial's updates, confirms from the link in the email, gets the alert
after an import records a change, and unsubscribes with one click. Email goes through a real
SMTP server on loopback, sent by the site's own task worker."""

import json
import re
import time
from pathlib import Path

from django.apps import apps
from playwright.sync_api import expect

from subscriptions.models import Subscription
from tests.subscriptions.smtp import text_part
from trials import importer
from trials.models import Trial

ADDRESS = "follower@example.org"
FIXTURES = Path(apps.get_app_config("trials").path) / "fixtures" / "ctgov"


def mail_to(mailbox, address: str, count: int, timeout: float = 30) -> list:
    """The first `count` messages to `address`, waiting for them to arrive."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in mailbox.messages if m["To"] == address]
        if len(found) >= count:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{count} email(s) to {address} expected, got {len(found)}")


def link(message, path: str) -> str:
    return next(url for url in re.findall(r"https?://\S+", text_part(message)) if path in url)


def test_a_visitor_follows_a_trial_hears_of_its_change_and_unsubscribes(
    browser, live_url, site_data, mailbox, orm, tmp_path
):
    trial = Trial.objects.get(nct_id=site_data.followed_nct_id)
    page = browser.new_page()
    page.goto(trial.get_absolute_url())
    form = page.locator("#get-updates form")
    form.get_by_label("Email").fill(ADDRESS)
    form.get_by_label("When this study changes").check()
    form.get_by_label("I agree to the terms of use").check()
    form.get_by_role("button", name="Get updates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    assert not Subscription.objects.confirmed().filter(subscriber__email=ADDRESS).exists()

    [confirmation] = mail_to(mailbox, ADDRESS, 1)
    confirm_url = link(confirmation, "/updates/confirm/")
    assert confirm_url.startswith(f"{live_url}/updates/confirm/")
    page.goto(confirm_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your updates")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you")
    assert Subscription.objects.confirmed().filter(subscriber__email=ADDRESS, trial=trial).exists()

    record = json.loads((FIXTURES / f"{trial.nct_id}.json").read_text())
    record["protocolSection"]["statusModule"]["overallStatus"] = "ACTIVE_NOT_RECRUITING"
    changed = tmp_path / f"{trial.nct_id}.json"
    changed.write_text(json.dumps(record))
    counts = importer.import_paths([changed])
    assert not counts.failures, counts.failures
    version = trial.versions.latest()
    assert version.kind == version.Kind.CHANGED

    digest = mail_to(mailbox, ADDRESS, 2)[1]
    text = text_part(digest)
    for line in version.change_lines():
        assert line in text, f"the alert does not say {line!r}"
    assert f"{live_url}/trials/{trial.nct_id}/" in text
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    page.goto(link(digest, "/updates/unsubscribe/"))
    page.get_by_role("button", name="Stop all update emails").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You will get no more update emails")
    assert not Subscription.objects.filter(subscriber__email=ADDRESS).exists()
