"""A patient searches for their condition, narrows to recruiting trials near their ZIP code,
opens a trial, reads every section with the study team's contacts masked, and prints it."""

import re

import pytest
from playwright.sync_api import expect

from trials.models import Location, Trial

SECTIONS = [
    "Summary",
    "What this could mean",
    "Disclaimer",
    "Get updates",
    "Conditions",
    "Who can take part",
    "Contacts and locations",
]


NOT_RECRUITING = "NCT06094296"  # non-small cell lung cancer, terminated


@pytest.fixture
def far_away_trial(orm, site_data):
    """A recruiting small cell lung cancer trial with its only site in Los Angeles."""
    demo = Trial.objects.get(nct_id=site_data.demo_nct_id)
    trial = Trial.objects.create(
        nct_id="NCT09999901",
        is_published=True,
        brief_title="Maintenance Immunotherapy for Small Cell Lung Cancer",
        status="RECRUITING",
        phase="PHASE2",
    )
    trial.conditions.set(demo.conditions.all())
    trial.refresh_search_text()
    Location.objects.create(
        trial=trial,
        facility="UCLA Medical Center",
        city="Los Angeles",
        state="California",
        postal_code="90095",
        country="United States",
        latitude=34.07,
        longitude=-118.44,
    )
    yield trial
    trial.delete()


@pytest.fixture
def phone(chromium, live_url):
    with chromium.context(
        live_url, viewport={"width": 390, "height": 844}, is_mobile=True
    ) as context:
        yield context


def test_a_patient_finds_a_recruiting_trial_near_them_and_prints_it(
    phone, site_data, far_away_trial, tmp_path
):
    not_recruiting = Trial.objects.get(nct_id=NOT_RECRUITING)
    page = phone.new_page()
    page.goto("/")
    page.get_by_label("Condition, treatment or NCT ID").fill(site_data.search_term)
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/trials/\?q="))
    results = page.locator(".trial-card")
    expect(results.first).to_be_visible()
    listed = page.locator("main").inner_text()
    # Open trials are ranked first, so a closed one may sit on a later page before filtering.
    assert far_away_trial.title in listed

    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("Recruiting", exact=True).check()
    page.get_by_label("US ZIP code").fill(site_data.near_zip)
    page.get_by_label("Within (miles)").fill("50")
    page.get_by_role("button", name="Search").click()

    status = page.get_by_role("status")
    expect(status).to_contain_text("within 50 miles of")
    titles = page.locator(".trial-card__title").all_inner_texts()
    assert site_data.demo_title in titles
    assert not_recruiting.title not in titles, "a trial that is not recruiting is listed"
    assert far_away_trial.title not in titles, "a trial with no site nearby is listed"
    demo_card = page.locator(".trial-card", has_text=site_data.demo_title)
    expect(demo_card).to_contain_text("miles")

    demo_card.get_by_role("link", name=site_data.demo_title).click()
    expect(page).to_have_url(re.compile(f"/trials/{site_data.demo_nct_id}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(site_data.demo_title)
    headings = page.locator("main h2").all_inner_texts()
    assert [h for h in headings if h in SECTIONS] == SECTIONS, f"sections: {headings}"
    contacts = page.locator(
        "section", has=page.get_by_role("heading", name="Contacts and locations")
    )
    expect(contacts).to_contain_text("Phone: •••-•••-••••")
    expect(contacts).to_contain_text("Email: •••••@•••••")
    html = page.content()
    for value in site_data.private_values:
        assert value not in html, "a study team's contact detail reached the browser"

    page.emulate_media(media="print")
    expect(page.locator("#get-updates")).to_be_hidden()
    expect(page.locator(".site-header nav")).to_be_hidden()
    expect(page.get_by_role("heading", name="Who can take part")).to_be_visible()
    expect(contacts).to_contain_text("Phone: •••-•••-••••")
    pdf = page.pdf(path=tmp_path / "trial.pdf", format="Letter")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
