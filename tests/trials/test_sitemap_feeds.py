import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.test import override_settings

from trials import sitemaps
from trials.models import Trial, TrialVersion

from .search_data import make_trial

pytestmark = pytest.mark.django_db

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"


def parse(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - our own responses


@pytest.fixture
def published(db):
    make_trial(
        "NCT00000301",
        headline="First",
        groups=["Heart"],
        first_seen_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        last_updated_at=dt.datetime(2026, 3, 4, 5, 6, tzinfo=dt.UTC),
    )
    make_trial(
        "NCT00000302",
        headline="Second",
        groups=["Heart"],
        first_seen_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
    )
    make_trial("NCT00000303", headline="Draft", groups=["Heart"], is_published=False)


@override_settings(SITE_URL="https://trials.example.org")
def test_the_sitemap_lists_published_trials_and_groups_with_real_lastmod(client, published):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = parse(response.content)
    entries = {
        url.find(f"{SM}loc").text: getattr(url.find(f"{SM}lastmod"), "text", None)
        for url in root.iter(f"{SM}url")
    }
    assert entries == {
        "https://trials.example.org/trials/NCT00000301/": "2026-03-04",
        "https://trials.example.org/trials/NCT00000302/": None,  # never changed: no lastmod
        "https://trials.example.org/conditions/heart/": "2026-03-04",
    }


def test_the_sitemap_becomes_an_index_past_its_limit(client, published, monkeypatch):
    monkeypatch.setattr(sitemaps.SiteSitemap, "limit", 2)
    response = client.get("/sitemap.xml")
    root = parse(response.content)
    assert root.tag == f"{SM}sitemapindex"
    locations = [loc.text for loc in root.iter(f"{SM}loc")]
    assert locations == [
        "http://testserver/sitemap-trials.xml",
        "http://testserver/sitemap-conditions.xml",
    ]
    monkeypatch.setattr(sitemaps.SiteSitemap, "limit", 1)
    root = parse(client.get("/sitemap.xml").content)
    assert "http://testserver/sitemap-trials.xml?p=2" in [loc.text for loc in root.iter(f"{SM}loc")]
    page = parse(client.get("/sitemap-trials.xml?p=2").content)
    assert [loc.text for loc in page.iter(f"{SM}loc")] == [
        "http://127.0.0.1:8000/trials/NCT00000302/"
    ]


@override_settings(SITE_URL="https://trials.example.org")
def test_robots_txt_points_at_the_sitemap(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines and "Disallow: /admin/" in lines
    assert "Sitemap: https://trials.example.org/sitemap.xml" in lines


def test_the_group_feed_has_new_trials_newest_first(client, published):
    rss = parse(client.get("/conditions/heart/new.rss").content)
    assert rss.find("channel/title").text == "New clinical trials: Heart"
    items = rss.findall("channel/item")
    assert [i.find("title").text for i in items] == ["Second", "First"]
    assert items[0].find("link").text == "http://testserver/trials/NCT00000302/"
    atom = parse(client.get("/conditions/heart/new.atom").content)
    assert [e.find(f"{ATOM}title").text for e in atom.findall(f"{ATOM}entry")] == [
        "Second",
        "First",
    ]


def first_seen_then_changed(change: dict) -> None:
    """NCT00000301 first seen on 1 January 2026, then changed 30 days later."""
    trial = Trial.objects.get(nct_id="NCT00000301")
    seen = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    TrialVersion.objects.create(trial=trial, number=1, kind="NEW", seen_at=seen)
    TrialVersion.objects.create(
        trial=trial,
        number=2,
        kind="CHANGED",
        seen_at=seen + dt.timedelta(days=30),
        changes=[change],
    )


def test_the_trial_feed_describes_each_change(client, published):
    first_seen_then_changed({"field": "status", "old": "NOT_YET_RECRUITING", "new": "RECRUITING"})
    rss = parse(client.get("/trials/NCT00000301/changes.rss").content)
    items = rss.findall("channel/item")
    assert [i.find("title").text for i in items] == [
        "NCT00000301 changed (version 2)",
        "NCT00000301 first seen",
    ]
    assert "status" in items[0].find("description").text.lower()
    assert items[1].find("description").text == "First seen on the registry."
    assert client.get("/trials/NCT00000301/changes.atom").status_code == 200


def test_posted_results_are_news_in_the_trial_feed_and_history(client, published):
    first_seen_then_changed({"field": "results", "event": "posted", "posted_on": "2026-01-20"})
    rss = parse(client.get("/trials/NCT00000301/changes.rss").content)
    item = rss.findall("channel/item")[0]
    assert item.find("title").text == "NCT00000301 posted its results (version 2)"
    assert item.find("description").text == "Results were posted: what the study found."
    history = client.get("/trials/NCT00000301/history/").content.decode()
    assert "Results were posted: what the study found" in history


def test_a_drafts_feed_is_a_404(client, published):
    assert client.get("/trials/NCT00000303/changes.rss").status_code == 404


def test_the_trial_page_links_its_feed(client, published):
    html = client.get("/trials/NCT00000301/").content.decode()
    assert '<link rel="alternate" type="application/rss+xml"' in html
    assert 'href="/trials/NCT00000301/changes.rss"' in html


@override_settings(SITE_URL="https://trials.example.org")
@pytest.mark.parametrize("path", ["/", "/trials/", "/conditions/", "/conditions/heart/"])
def test_every_page_has_a_canonical_link_description_and_open_graph(client, published, path):
    html = client.get(f"{path}?sort=newest").content.decode()
    head = html[: html.index("</head>")]
    assert f'<link rel="canonical" href="https://trials.example.org{path}">' in head
    assert '<meta name="description" content="' in head
    for prop in ("og:title", "og:description", "og:url", "og:type", "og:site_name"):
        assert f'<meta property="{prop}" content="' in head


def test_the_trial_page_open_graph_describes_the_trial(client, published):
    html = client.get("/trials/NCT00000301/").content.decode()
    assert '<meta property="og:title" content="First (NCT00000301)">' in html
    assert '<meta property="og:type" content="article">' in html


def test_the_index_dates_each_sitemap_by_its_latest_change_in_few_queries(
    client, published, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(sitemaps.SiteSitemap, "limit", 1)
    for n in range(10):
        make_trial(f"NCT{310 + n:08d}", last_updated_at=f"2025-0{1 + n % 9}-01T00:00:00Z")
    with django_assert_max_num_queries(8):  # not one query or row per trial
        root = parse(client.get("/sitemap.xml").content)
    dates = {
        entry.find(f"{SM}loc").text: entry.find(f"{SM}lastmod").text
        for entry in root.iter(f"{SM}sitemap")
        if entry.find(f"{SM}lastmod") is not None
    }
    assert dates["http://testserver/sitemap-trials.xml"].startswith("2026-03-04")


HOSTILE = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"


def feed_texts(client, path: str) -> list[str]:
    """Every title, description and summary of the feed, as a feed reader reads them: as HTML."""
    root = parse(client.get(path).content)
    names = ("title", "description", f"{ATOM}title", f"{ATOM}summary", f"{ATOM}subtitle")
    return [element.text or "" for name in names for element in root.iter(name)]


@pytest.fixture
def hostile(db):
    trial = make_trial(
        "NCT00000401",
        headline="",
        brief_title=f"Title {HOSTILE}",
        registry_summary=f"Summary {HOSTILE}",
        sponsor=f"Sponsor {HOSTILE}",
        groups=["Heart"],
        first_seen_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    seen = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    TrialVersion.objects.create(trial=trial, number=1, kind="NEW", seen_at=seen)
    TrialVersion.objects.create(
        trial=trial,
        number=2,
        kind="CHANGED",
        seen_at=seen + dt.timedelta(days=1),
        changes=[{"field": "sponsor", "old": "NCI", "new": f"Sponsor {HOSTILE}"}],
    )
    return trial


@pytest.mark.parametrize(
    "path",
    [
        "/conditions/heart/new.rss",
        "/conditions/heart/new.atom",
        "/trials/NCT00000401/changes.rss",
        "/trials/NCT00000401/changes.atom",
    ],
)
def test_feeds_carry_registry_text_as_text_never_as_markup(client, hostile, path):
    texts = feed_texts(client, path)
    assert any("&lt;script&gt;alert(1)" in text for text in texts)
    for text in texts:
        assert "<script" not in text.lower()
        assert "<img" not in text.lower()
