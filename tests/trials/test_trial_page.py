import json
import re

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache

from trials import importer
from trials.models import Contact, Location, Trial

from .conftest import SITE_EMAIL, SITE_PHONE, STUDY_EMAIL, STUDY_PHONE
from .ctgov import SHARED, write

pytestmark = pytest.mark.django_db

EXAMPLE_ORDER = [
    "Engineered immune cells take aim at deadly lung cancer",
    "NCT07509034",
    "First seen Jun 27, 2026",
    "Last updated Jul 01, 2026",
    "Updated 3 times",
    ">Summary<",
    ">What this could mean<",
    "informational only — not medical advice",
    ">Active substance<",
    ">What this could lead to<",
    ">What could go wrong<",
    ">Disclaimer<",
    'id="get-updates"',
    ">Conditions<",
    "As listed by the trial registrant",
    ">Contacts and locations<",
    ">Study contacts<",
    ">Locations<",
]


def page(client, nct_id="NCT07509034"):
    """The trial page's main content (the header, footer and <head> repeat the title)."""
    response = client.get(f"/trials/{nct_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_it_shows_the_example_sections_in_order(client, example_trial):
    html = page(client)
    positions = [html.find(marker) for marker in EXAMPLE_ORDER]
    assert -1 not in positions, [m for m, p in zip(EXAMPLE_ORDER, positions, strict=True) if p < 0]
    assert positions == sorted(positions)


def test_it_shows_the_facts_at_a_glance_near_the_top(client, example_trial):
    html = page(client)
    glance = html[: html.find(">Summary<")]
    for fact in ("Recruiting", "Phase 1", "40 (planned)", "National Cancer Institute (NCI)"):
        assert fact in glance


def visible_text(html: str) -> str:
    """The words a reader sees: tags and screen-reader-only text left out."""
    return re.sub(r'<span class="visually-hidden">.*?</span>|<[^>]+>', "", html)


def test_it_splits_eligibility_into_inclusion_and_exclusion(client, example_trial):
    html = visible_text(page(client))
    section = html[html.find("Who can take part") :]
    assert "18 years and older" in section
    assert "Not accepted" in section  # healthy volunteers
    inclusion = section[section.find("You may be able to join if") : section.find("may not be")]
    exclusion = section[section.find("You may not be able to join if") :]
    assert "Relapsed small cell lung cancer" in inclusion
    assert "Active infection" in exclusion and "Active infection" not in inclusion


def test_it_keeps_the_registrant_terms_exactly_and_in_order(client, example_trial):
    html = page(client)
    terms = html[html.find("As listed by the trial registrant") :]
    found = re.findall(r"<li>([^<]+)</li>", terms)[:3]
    assert found == ["neuroendocrine carcinoma", "Recurrence", "small cell lung carcinoma"]


def test_it_masks_every_contact(client, example_trial):
    html = client.get("/trials/NCT07509034/").content.decode()
    for secret in (STUDY_PHONE, STUDY_EMAIL, SITE_PHONE, SITE_EMAIL, "Dr. Study", "555"):
        assert secret not in html
    assert html.count("Phone: •••-•••-••••") == 3
    assert html.count("Email: •••••@•••••") == 3


def test_it_offers_group_updates_and_links_the_registry(client, example_trial):
    html = page(client)
    assert "when new studies for Solid tumors are added" in html
    assert 'href="https://clinicaltrials.gov/study/NCT07509034"' in html
    assert 'href="/disclaimer/"' in html


def test_it_leaves_out_empty_sections(client, db):
    Trial.objects.create(nct_id="NCT00000001", brief_title="Bare record", is_published=True)
    html = page(client, "NCT00000001")
    for absent in (
        ">Summary<",
        ">What this could mean<",
        ">Conditions<",
        ">Contacts and locations<",
        "Phase<",
        "Participants<",
        "Sponsor<",
    ):
        assert absent not in html
    assert "Bare record" in html  # the registry title stands in for a missing headline


def test_it_labels_the_registry_summary_as_the_registrants_words(client, db):
    Trial.objects.create(
        nct_id="NCT00000002",
        brief_title="Registry only",
        registry_summary="The registrant's own summary.",
        is_published=True,
    )
    html = page(client, "NCT00000002")
    assert "In the words of the trial’s registrant" in html
    assert "The registrant&#x27;s own summary." in html


def test_it_says_when_the_registry_changed_after_the_summary_was_written(client, example_trial):
    example_trial.plain_language_version = 3
    example_trial.save()
    assert "The registry record has changed since this summary was written" in page(client)
    example_trial.plain_language_version = 4
    example_trial.save()
    assert "The registry record has changed" not in page(client)


def test_it_escapes_hostile_registry_text(client, db):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    Trial.objects.create(
        nct_id="NCT00000003",
        brief_title=payload,
        registry_summary=payload * 1000,
        registrant_conditions=[payload],
        eligibility_criteria=f"Inclusion Criteria:\n* {payload}",
        is_published=True,
    )
    html = page(client, "NCT00000003")
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_lower_case_id_redirects_permanently(client, example_trial):
    response = client.get("/trials/nct07509034/")
    assert response.status_code == 301
    assert response["Location"] == "/trials/NCT07509034/"


@pytest.mark.parametrize(
    "path", ["/trials/NCT99999999/", "/trials/NCT123/", "/trials/hello/", "/trials/NCT075090341/"]
)
def test_unknown_or_malformed_ids_get_the_sites_404(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_a_draft_is_hidden_from_the_public_and_shown_to_staff(client, example_trial):
    example_trial.is_published = False
    example_trial.save()
    assert client.get("/trials/NCT07509034/").status_code == 404
    staff = User.objects.create_user("editor", password="pw", is_staff=True)
    client.force_login(staff)
    html = page(client)
    assert "Draft: only staff can see this page." in html


def test_a_post_is_refused(client, example_trial):
    assert client.post("/trials/NCT07509034/").status_code == 405


@pytest.mark.parametrize("path", ["/", "/trials/", "/trials/NCT07509034/", "/conditions/"])
def test_head_requests_are_answered_like_gets(client, example_trial, path):
    # Link checkers and some browsers ask with HEAD before they GET.
    assert client.head(path).status_code == 200


def test_queries_do_not_grow_with_locations(client, example_trial, django_assert_max_num_queries):
    for n in range(150):
        site = Location.objects.create(trial=example_trial, facility=f"Site {n}", city="Boston")
        Contact.objects.create(trial=example_trial, location=site, phone="617-555-0100")
    with django_assert_max_num_queries(8):
        html = page(client)
    assert "Site 149" in html


def test_a_stopped_trial_says_why_in_our_words_and_quotes_the_study_team(client, db):
    importer.import_paths([SHARED / "NCT04280055.json"])
    html = page(client, "NCT04280055")
    section = html[html.index('<section aria-labelledby="why-stopped">') :]
    section = section[: section.index("</section>")]
    assert ">Why the study stopped early</h2>" in section
    assert (
        "The study stopped early. In short, not enough people joined, and the COVID-19 pandemic "
        "got in the way."
    ) in section
    assert "The study team’s reason, in their words:" in section
    assert (
        '<blockquote class="registrant-words">Not possible to achieve the anticipated no. of '
        "patients due to Covid-19 pandemic</blockquote>"
    ) in section


def test_a_withdrawn_trial_without_results_says_why_too(client, db):
    importer.import_paths([SHARED / "NCT05584540.json"])
    html = page(client, "NCT05584540")
    assert ">Why the study was withdrawn</h2>" in html
    assert "In short, the money to run it ran out." in html
    assert "loss of funding</blockquote>" in html


def test_the_reason_for_stopping_is_masked_like_all_registry_text(client, db, tmp_path):
    data = json.loads((SHARED / "NCT04280055.json").read_text())
    data["protocolSection"]["statusModule"]["whyStopped"] = (
        "Sponsor decision. Questions: stop.team@example.org or +1 215-555-0147"
    )
    importer.import_paths([write(tmp_path, "stopped.json", data)])
    html = page(client, "NCT04280055")
    assert "Sponsor decision. Questions:" in html
    assert "stop.team@example.org" not in html and "555-0147" not in html
    assert Trial.objects.get(nct_id="NCT04280055").why_stopped.count("555-0147") == 0


def test_an_open_trial_shows_no_reason_for_stopping(client, db):
    importer.import_paths([SHARED / "NCT05584540.json", SHARED / "NCT04040387.json"])
    Trial.objects.filter(nct_id="NCT05584540").update(status="RECRUITING")
    for nct_id in ("NCT05584540", "NCT04040387"):
        html = page(client, nct_id)
        assert "why-stopped" not in html and "in their words:" not in html


def test_a_trial_with_results_says_why_it_stopped_once_in_its_results(client, db):
    importer.import_paths([SHARED / "NCT02945046.json"])
    html = page(client, "NCT02945046")
    assert html.count("The study team’s reason, in their words:") == 1
    found = html.index('aria-labelledby="what-the-study-found"')
    assert html.index("The study team’s reason, in their words:") > found
    assert "In short, results suggested the treatment would not help." in html
    # An editor's words replace the written results: the reason then stands on its own.
    Trial.objects.filter(nct_id="NCT02945046").update(plain_results="Our editors' words.")
    cache.clear()
    html = page(client, "NCT02945046")
    assert html.count("The study team’s reason, in their words:") == 1
    assert html.index('<section aria-labelledby="why-stopped">') < html.index(
        'aria-labelledby="what-the-study-found"'
    )
