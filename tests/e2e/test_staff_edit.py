"""A staff member signs in to the admin, writes a trial's plain-language summary, and the public
page shows it straight away (the cached page is replaced)."""

import re

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from trials.models import Trial

SUMMARY = "This study tests whether a daily pill can calm liver swelling caused by fat build-up."


@pytest.fixture
def editor(orm):
    user = User.objects.create_user("editor", "editor@example.org", "a long editor password")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name="Editors"))
    yield user
    user.delete()


@pytest.fixture
def large_trial(orm, site_data):
    """The trial as it was; its text and version pin are put back after the test."""
    trial = Trial.objects.get(nct_id=site_data.large_nct_id)
    yield trial
    trial.refresh_from_db()
    trial.plain_summary = ""
    trial.plain_language_version = None
    trial.save()


def test_an_editor_writes_a_summary_and_the_public_page_shows_it(
    chromium, live_url, browser, editor, large_trial
):
    ours = large_trial.generated_summary.split(". ")[0]  # written automatically at import
    assert ours
    public = browser.new_page()
    public.goto(large_trial.get_absolute_url())  # now cached
    summary = public.locator("section", has=public.get_by_role("heading", name="Summary"))
    expect(summary).to_contain_text(ours)
    expect(summary).not_to_contain_text(SUMMARY)

    with chromium.context(live_url) as staff:
        page = staff.new_page()
        page.goto("/admin/")
        page.get_by_label("Username").fill("editor")
        page.get_by_label("Password").fill("a long editor password")
        page.get_by_role("button", name="Log in").click()
        page.locator("#content-main").get_by_role("link", name="Trials", exact=True).last.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("trial to change")
        page.locator("#searchbar").fill(large_trial.nct_id)
        page.get_by_role("button", name="Search").click()
        page.get_by_role("link", name=re.compile(large_trial.nct_id)).first.click()
        page.get_by_label(re.compile(r"^Summary:?$")).fill(SUMMARY)
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    public.reload()
    expect(summary).to_contain_text(SUMMARY)
    expect(summary).not_to_contain_text(ours)  # the editor's words take our text's place
    large_trial.refresh_from_db()
    assert large_trial.plain_summary == SUMMARY
