import datetime as dt
import re

import pytest
from django.contrib.auth.models import User

from trials import importer
from trials.models import Trial

from .ctgov import demo_record, private_contact_values, record, write

pytestmark = pytest.mark.django_db

SEEN = [
    dt.datetime(2026, 6, 27, 14, 0, tzinfo=dt.UTC),
    dt.datetime(2026, 6, 28, 9, 0, tzinfo=dt.UTC),
    dt.datetime(2026, 6, 30, 9, 0, tzinfo=dt.UTC),
    dt.datetime(2026, 7, 1, 9, 30, 5, 123456, tzinfo=dt.UTC),  # imports keep microseconds
]


@pytest.fixture
def example(tmp_path):
    """The example trial imported through its four registry states."""
    for version, seen in enumerate(SEEN, start=1):
        path = write(tmp_path, f"v{version}.json", demo_record(version))
        assert not importer.import_paths([path], seen_at=seen).failures
    return Trial.objects.get(nct_id="NCT07509034")


def main(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_it_lists_the_changes_in_plain_words_newest_first(client, example):
    page = text(main(client.get("/trials/NCT07509034/history/")))
    expected = [
        "Changed Jul 01, 2026",
        "Registry record updated Jun 30, 2026",
        "Contact details changed",
        "Changed Jun 30, 2026",
        "Eligibility criteria changed",
        "Changed Jun 28, 2026",
        "Status changed from Not yet recruiting to Recruiting",
        "National Institutes of Health Clinical Center, Bethesda, Maryland: status changed "
        "from Not yet recruiting to Recruiting",
        "First seen Jun 27, 2026",
        "First seen on the registry",
    ]
    positions = [page.find(line) for line in expected]
    assert -1 not in positions, [line for line, p in zip(expected, positions, strict=True) if p < 0]
    assert positions == sorted(positions)
    assert "Updated 3 times" in page


def test_each_version_has_an_anchor_the_feeds_link_to(client, example):
    html = main(client.get("/trials/NCT07509034/history/"))
    assert [int(n) for n in re.findall(r'id="version-(\d+)"', html)] == [4, 3, 2, 1]
    rss = client.get("/trials/NCT07509034/changes.rss").content.decode()
    assert "/trials/NCT07509034/history/#version-4" in rss
    assert "Eligibility criteria changed." in rss


def test_new_locations_are_named_with_their_city_and_state(client, tmp_path):
    data = record("NCT05993949")
    importer.import_paths([write(tmp_path, "a.json", data)])
    data["protocolSection"]["contactsLocationsModule"]["locations"].append(
        {
            "facility": "Dana-Farber Cancer Institute",
            "city": "Boston",
            "state": "Massachusetts",
            "country": "United States",
            "contacts": [{"name": "Site nurse", "phone": "617-555-0100", "email": "n@example.org"}],
        }
    )
    importer.import_paths([write(tmp_path, "b.json", data)])
    page = text(main(client.get("/trials/NCT05993949/history/")))
    assert "New location: Dana-Farber Cancer Institute, Boston, Massachusetts" in page
    assert "Contact details changed" in page
    assert "617-555-0100" not in page and "n@example.org" not in page


def test_the_trial_page_links_its_history(client, example):
    html = main(client.get("/trials/NCT07509034/"))
    assert '<a href="/trials/NCT07509034/history/">Updated 3 times</a>' in html


def test_contacts_never_appear_in_the_history(client, example):
    html = client.get("/trials/NCT07509034/history/").content.decode()
    for value in private_contact_values():
        assert value not in html


def test_lower_case_ids_redirect_and_unknown_ones_are_the_sites_404(client, example):
    response = client.get("/trials/nct07509034/history/")
    assert response.status_code == 301
    assert response["Location"] == "/trials/NCT07509034/history/"
    for path in ("/trials/NCT00000000/history/", "/trials/NCT123/history/"):
        response = client.get(path)
        assert response.status_code == 404
        assert "We could not find that page" in response.content.decode()


def test_a_drafts_history_is_for_staff_only(client, example):
    Trial.objects.filter(pk=example.pk).update(is_published=False)
    assert client.get("/trials/NCT07509034/history/").status_code == 404
    staff = User.objects.create_user("editor", password="x", is_staff=True)
    client.force_login(staff)
    html = main(client.get("/trials/NCT07509034/history/"))
    assert "Draft: only staff can see this page." in html


def test_the_history_is_read_only(client, example):
    assert client.post("/trials/NCT07509034/history/").status_code == 405
    assert Trial.objects.get().update_count == 3


def test_a_new_change_shows_at_once_on_a_cached_history(client, example, tmp_path):
    client.get("/trials/NCT07509034/history/")  # cached now
    changed = demo_record(4)
    changed["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"
    importer.import_paths([write(tmp_path, "v5.json", changed)])
    page = text(main(client.get("/trials/NCT07509034/history/")))
    assert "Status changed from Recruiting to Completed" in page
    assert "Updated 4 times" in text(main(client.get("/trials/NCT07509034/")))


def test_registry_text_cannot_inject_markup(client, tmp_path):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    data = record("NCT05993949")
    protocol = data["protocolSection"]
    protocol["identificationModule"]["briefTitle"] = f"Title {payload}"
    protocol["descriptionModule"]["briefSummary"] = f"Summary {payload}"
    protocol["conditionsModule"]["conditions"] = [f"Condition {payload}"]
    protocol["eligibilityModule"]["eligibilityCriteria"] = f"Inclusion Criteria:\n\n* {payload}"
    protocol["contactsLocationsModule"]["locations"][0]["facility"] = f"Site {payload}"
    importer.import_paths([write(tmp_path, "a.json", data)])
    protocol["contactsLocationsModule"]["locations"].append(
        {"facility": f"New {payload}", "city": "Boston", "country": "United States"}
    )
    importer.import_paths([write(tmp_path, "b.json", data)])
    for path in ("/trials/NCT05993949/", "/trials/NCT05993949/history/", "/trials/"):
        html = client.get(path).content.decode()
        assert "<script>alert" not in html
        assert "<img src=x" not in html
    history = client.get("/trials/NCT05993949/history/").content.decode()
    assert "New location: New &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in history


def test_times_are_machine_readable_as_html_requires(client, example):
    # HTML allows at most three digits of a second's fraction; imports record microseconds.
    html = main(client.get("/trials/NCT07509034/history/"))
    stamps = re.findall(r'<time datetime="([^"]+)"', html)
    assert stamps
    for stamp in stamps:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}[+-]\d{4})?", stamp), stamp
