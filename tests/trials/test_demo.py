import html
import re
from collections import Counter
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trials.models import Location, Trial, TrialVersion

from .ctgov import REAL, all_fixture_records, private_contact_values
from .test_trial_page import EXAMPLE_ORDER

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_the_demo_holds_at_least_twenty_real_records_and_the_example(demo):
    real = sorted(path.stem for path in REAL.glob("NCT*.json"))
    assert len(real) >= 20
    assert set(Trial.objects.values_list("nct_id", flat=True)) == {*real, "NCT07509034"}
    assert not Trial.objects.filter(is_published=False).exists()


def test_the_demo_is_varied(demo):
    sites = Counter(Location.objects.values_list("trial__nct_id", flat=True))
    assert max(sites.values()) >= 100
    statuses = set(Trial.objects.values_list("status", flat=True))
    assert {"RECRUITING", "NOT_YET_RECRUITING", "COMPLETED", "TERMINATED"} <= statuses
    assert len(statuses) >= 7
    groups = set(Trial.objects.values_list("groups__name", flat=True)) - {None}
    assert {
        "Solid tumors",
        "Blood cancers",
        "Heart and blood vessels",
        "Mental health",
    } <= groups
    assert len(groups) >= 15
    us_with_coordinates = Location.objects.filter(country="United States", latitude__isnull=False)
    assert us_with_coordinates.values("state").distinct().count() >= 20


def test_the_example_trial_reads_like_the_example(client, demo):
    response = client.get("/trials/NCT07509034/")
    page = response.content.decode()
    page = page[page.index("<main") : page.index("</main>")]
    positions = [page.find(marker) for marker in EXAMPLE_ORDER]
    assert -1 not in positions, [m for m, p in zip(EXAMPLE_ORDER, positions, strict=True) if p < 0]
    assert positions == sorted(positions)
    for words in (
        "B7-H3 CAR T cells (a type of immune cell therapy)",
        "new studies for Solid tumors",
        "National Institutes of Health Clinical Center",
        "Bethesda, Maryland, 20892, United States",
        "neuroendocrine carcinoma",
        "small cell lung carcinoma",
        "40 (planned)",
        "National Cancer Institute (NCI)",
        "Phase 1",
    ):
        assert words in page, words
    assert page.count("Phone: •••-•••-••••") == 3
    assert page.count("Email: •••••@•••••") == 3
    assert "The registry record has changed since this summary was written" not in page


def test_the_example_trial_has_three_recorded_updates(demo):
    trial = Trial.objects.get(nct_id="NCT07509034")
    assert (trial.update_count, trial.current_version, trial.plain_language_version) == (3, 4, 4)
    kinds = list(trial.versions.order_by("number").values_list("kind", flat=True))
    assert kinds == ["NEW", "CHANGED", "CHANGED", "CHANGED"]
    assert [c.name for c in trial.groups.all()] == ["Solid tumors"]


def test_loading_the_demo_again_changes_nothing(demo):
    before = list(Trial.objects.order_by("nct_id").values())
    versions = TrialVersion.objects.count()
    with CaptureQueriesContext(connection) as queries:
        call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    verbs = ("INSERT", "UPDATE", "DELETE")
    assert [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(verbs)] == []
    assert list(Trial.objects.order_by("nct_id").values()) == before
    assert TrialVersion.objects.count() == versions


def test_loading_the_demo_keeps_an_editors_text(demo):
    Trial.objects.filter(nct_id="NCT07509034").update(headline="An editor's headline")
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Trial.objects.get(nct_id="NCT07509034").headline == "An editor's headline"


# Every public page: no contact's phone number or email address, anywhere ----------------------

LINK = re.compile(r'(?:href|src)="([^"]+)"')
LOC = re.compile(r"<loc>([^<]+)</loc>")


def crawl(client, start: list[str], limit: int = 2000) -> dict[str, bytes]:
    """Every same-site page reachable from `start` (admin excluded), by path."""
    seen: dict[str, bytes] = {}
    queue = list(start)
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        response = client.get(path)
        assert response.status_code in (200, 301, 302, 404), (path, response.status_code)
        body = response.content if not response.streaming else b"".join(response)
        seen[path] = body
        if response.status_code in (301, 302):
            queue.append(response["Location"])
            continue
        text = body.decode("utf-8", errors="replace")
        for link in [*LINK.findall(text), *LOC.findall(text)]:
            parts = urlsplit(urljoin(path, html.unescape(link)))
            if parts.netloc and parts.netloc not in ("127.0.0.1:8000", "testserver"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target.startswith("/") and not target.startswith(("/admin/", "//")):
                queue.append(target)
    return seen


def test_no_public_page_shows_a_contacts_phone_number_or_email(client, demo):
    start = ["/", "/robots.txt", "/sitemap.xml", "/no-such-page/", "/trials/NCT00000000/"]
    for nct_id in Trial.objects.values_list("nct_id", flat=True):
        start += [f"/trials/{nct_id}/", f"/trials/{nct_id}/history/"]
        start += [f"/trials/{nct_id}/changes.rss", f"/trials/{nct_id}/changes.atom"]
    pages = crawl(client, start)
    assert len(pages) > 100
    assert any("/conditions/" in path and path.endswith(".rss") for path in pages)
    assert any("page=2" in path for path in pages)
    private = private_contact_values()
    assert len(private) > 50
    for path, body in pages.items():
        text = body.decode("utf-8", errors="replace")
        for value in private:
            assert value not in text and html.escape(value) not in text, (path, value)


def test_the_fixtures_hold_contacts_to_protect():
    contacts = [
        person
        for data in all_fixture_records()
        for site in data["protocolSection"].get("contactsLocationsModule", {}).get("locations", [])
        for person in site.get("contacts", [])
        if person.get("phone") and person.get("email")
    ]
    assert len(contacts) > 20
