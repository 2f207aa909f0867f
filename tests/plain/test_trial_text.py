"""The written text on the site: stored at import, labelled, and always second to an editor's."""

import datetime as dt
import json

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils.html import escape

from subscriptions import delivery
from tests.subscriptions.helpers import add_version, follow, hours_ago
from tests.trials.ctgov import record, write
from trials import importer
from trials.models import ConditionGroup, Trial

pytestmark = pytest.mark.django_db

NCT_ID = "NCT04040387"
LABEL = "Written automatically from the registry record. Our editors have not checked it yet."
EDITORS = {
    "headline": "A headline our editors wrote",
    "plain_summary": "A summary our editors wrote for this trial.",
    "could_lead_to": "What our editors think this could lead to.",
}
SEEN = dt.datetime(2026, 6, 27, 14, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def trial(tmp_path) -> Trial:
    importer.import_paths([write(tmp_path, "first.json", record(NCT_ID))], seen_at=SEEN)
    return Trial.objects.get(nct_id=NCT_ID)


def edit(trial: Trial) -> Trial:
    for name, value in EDITORS.items():
        setattr(trial, name, value)
    trial.save()
    return trial


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_an_import_stores_the_written_text_and_the_design_it_came_from(trial):
    assert trial.generated_headline and len(trial.generated_headline) <= 90
    assert len(trial.generated_summary.split(". ")) >= 3
    assert trial.generated_could_lead_to and trial.generated_could_go_wrong
    assert trial.design["allocation"] in ("RANDOMIZED", "NON_RANDOMIZED", "NA")
    assert trial.title == trial.generated_headline
    assert trial.summary == trial.generated_summary


def test_the_page_shows_the_written_text_labelled_with_the_official_title_beside(client, trial):
    html = page(client, trial.get_absolute_url())
    assert f'<h1 id="trial-title">{escape(trial.generated_headline)}</h1>' in html
    assert LABEL in html
    assert 'href="/how-we-write/"' in html
    assert "Official title" in html and escape(trial.registry_title) in html
    assert escape(trial.generated_summary) in html
    assert escape(trial.generated_could_go_wrong) in html
    assert f"<title>{escape(trial.generated_headline)} ({NCT_ID})" in html
    assert f'<meta property="og:title" content="{escape(trial.generated_headline)}' in html


def test_an_editors_text_replaces_the_written_text_and_its_label(client, trial):
    edit(trial)
    html = page(client, trial.get_absolute_url())
    assert f'<h1 id="trial-title">{escape(EDITORS["headline"])}</h1>' in html
    assert LABEL not in html
    assert escape(EDITORS["plain_summary"]) in html
    assert escape(trial.generated_summary) not in html
    assert escape(EDITORS["could_lead_to"]) in html
    assert escape(trial.generated_could_go_wrong) not in html
    assert f'<meta name="description" content="{escape(EDITORS["plain_summary"])}' in html


def test_a_label_names_only_the_parts_still_written_automatically(client, trial):
    trial.headline = EDITORS["headline"]
    trial.save()
    html = page(client, trial.get_absolute_url())
    assert LABEL not in html
    assert (
        "The summary and “What this could mean” were written automatically from the registry "
        "record. Our editors have not checked them yet."
    ) in html


def test_cards_and_feeds_use_the_written_headline_then_the_editors(client, trial):
    solid_tumors = ConditionGroup.objects.create(name="Written text group")
    trial.groups.add(solid_tumors)
    assert escape(trial.generated_headline) in page(client, "/trials/")
    feed = page(client, f"/conditions/{solid_tumors.slug}/new.rss")
    assert escape(trial.generated_headline) in feed
    assert escape(trial.generated_summary[:100]) in feed
    edit(trial)
    cache.clear()
    assert escape(EDITORS["headline"]) in page(client, "/trials/")
    assert escape(trial.generated_headline) not in page(client, "/trials/")
    feed = page(client, f"/conditions/{solid_tumors.slug}/new.rss")
    assert escape(EDITORS["headline"]) in feed and escape(EDITORS["plain_summary"]) in feed


def test_json_ld_names_the_trial_by_its_plain_headline(client, trial):
    html = page(client, trial.get_absolute_url())
    data = json.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert data["name"] == trial.generated_headline
    assert data["description"] == trial.generated_summary


def test_a_changed_record_rewrites_the_text_but_never_the_editors(tmp_path, trial):
    edit(trial)
    changed = record(NCT_ID)
    changed["protocolSection"]["designModule"]["enrollmentInfo"] = {
        "count": 4321,
        "type": "ESTIMATED",
    }
    importer.import_paths([write(tmp_path, "changed.json", changed)])
    trial.refresh_from_db()
    assert "4,321 people" in trial.generated_summary
    assert {name: getattr(trial, name) for name in EDITORS} == EDITORS
    assert trial.title == EDITORS["headline"]


def test_an_unchanged_record_writes_nothing(tmp_path, trial):
    Trial.objects.filter(pk=trial.pk).update(generated_summary="kept")
    counts = importer.import_paths([write(tmp_path, "same.json", record(NCT_ID))])
    assert counts.unchanged == 1
    trial.refresh_from_db()
    assert trial.generated_summary == "kept"


def test_the_page_on_how_we_write_explains_it(client):
    html = page(client, "/how-we-write/")
    assert "How we write trial summaries" in html
    assert "Written automatically from the registry record." in html


def test_the_registrants_summary_stays_beside_ours_with_its_glossary_links(client, trial):
    Trial.objects.filter(pk=trial.pk).update(registry_summary="A randomized study of a device.")
    html = page(client, trial.get_absolute_url())
    theirs = html[html.index("In the registrant’s words") :]
    theirs = theirs[: theirs.index("</blockquote>")]
    assert "A" in theirs and 'href="/glossary/#randomized"' in theirs
    assert "study of a device." in theirs


def test_alert_emails_name_the_trial_by_the_written_headline_then_the_editors(trial):
    follow("ada@example.org", trial=trial, at=hours_ago(2))
    add_version(trial)
    delivery.run()
    [message] = mail.outbox
    assert trial.generated_headline in message.body
    assert escape(trial.generated_headline) in message.alternatives[0].content
    edit(trial)
    add_version(trial)
    mail.outbox.clear()
    delivery.run()
    [message] = mail.outbox
    assert EDITORS["headline"] in message.body and trial.generated_headline not in message.body
    assert EDITORS["headline"] in message.alternatives[0].content
