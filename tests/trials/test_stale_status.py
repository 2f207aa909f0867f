"""The registry's “status last verified” date, said plainly, and open statuses that are stale."""

import datetime as dt

import pytest
import time_machine

from trials import importer
from trials.choices import Status, status_is_stale
from trials.models import Trial, TrialVersion

from .ctgov import record, write
from .search_data import card_ids, make_trial

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)
NOTE = "May no longer be open"


def test_the_import_keeps_the_month_the_status_was_last_verified(tmp_path):
    importer.import_paths([write(tmp_path, "a.json", record("NCT02910323"))])
    trial = Trial.objects.get(nct_id="NCT02910323")
    assert trial.status_verified_on == dt.date(2024, 12, 1)
    # A new verification date alone is no change patients are told about.
    changed = record("NCT02910323")
    changed["protocolSection"]["statusModule"]["statusVerifiedDate"] = "2025-06"
    importer.import_paths([write(tmp_path, "b.json", changed)])
    trial.refresh_from_db()
    assert trial.status_verified_on == dt.date(2025, 6, 1)
    assert not TrialVersion.objects.filter(trial=trial, kind="CHANGED").exists()


def test_a_bad_verified_date_is_reported_and_stores_nothing(tmp_path):
    bad = record("NCT02910323")
    bad["protocolSection"]["statusModule"]["statusVerifiedDate"] = "2024-13"
    failures = []
    importer.import_paths([write(tmp_path, "a.json", bad)], on_failure=failures.append)
    assert "statusVerifiedDate" in str(failures[0])
    assert not Trial.objects.exists()


@pytest.mark.parametrize(
    ("status", "verified", "completion", "stale"),
    [
        ("RECRUITING", dt.date(2026, 11, 1), dt.date(2027, 1, 1), False),
        ("RECRUITING", dt.date(2025, 11, 30), None, True),  # a year and a day ago
        ("RECRUITING", dt.date(2025, 12, 1), None, False),
        ("NOT_YET_RECRUITING", dt.date(2026, 11, 1), dt.date(2026, 11, 30), True),
        ("ENROLLING_BY_INVITATION", None, None, False),
        ("COMPLETED", dt.date(2010, 1, 1), dt.date(2011, 1, 1), False),
        ("UNKNOWN", dt.date(2010, 1, 1), None, False),
    ],
)
def test_which_open_statuses_are_stale(status, verified, completion, stale):
    assert status_is_stale(status, verified, completion, TODAY) is stale


@time_machine.travel(dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC), tick=False)
def test_the_trial_page_says_when_the_status_was_confirmed_and_if_it_is_stale(client):
    make_trial(
        "NCT00003001",
        status="RECRUITING",
        status_verified_on=dt.date(2023, 3, 1),
        completion_date=dt.date(2028, 1, 1),
    )
    make_trial(
        "NCT00003002",
        status="RECRUITING",
        status_verified_on=dt.date(2026, 10, 1),
        completion_date=dt.date(2028, 1, 1),
    )
    stale = client.get("/trials/NCT00003001/").content.decode()
    assert "The study team last confirmed this status in March 2023." in stale
    assert NOTE in stale
    fresh = client.get("/trials/NCT00003002/").content.decode()
    assert "The study team last confirmed this status in October 2026." in fresh
    assert NOTE not in fresh


@time_machine.travel(dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC), tick=False)
def test_cards_say_so_and_a_filter_leaves_stale_trials_out(client):
    make_trial(
        "NCT00003011",
        brief_title="Gout walk",
        status="RECRUITING",
        status_verified_on=dt.date(2022, 5, 1),
        completion_date=dt.date(2028, 1, 1),
    )
    make_trial(
        "NCT00003012",
        brief_title="Gout app",
        status="RECRUITING",
        status_verified_on=dt.date(2026, 11, 1),
        completion_date=dt.date(2026, 6, 1),
    )
    make_trial(
        "NCT00003013",
        brief_title="Gout diet",
        status="RECRUITING",
        status_verified_on=dt.date(2026, 11, 1),
        completion_date=dt.date(2027, 6, 1),
    )
    make_trial(
        "NCT00003014",
        brief_title="Gout drug",
        status="COMPLETED",
        status_verified_on=dt.date(2015, 1, 1),
        completion_date=dt.date(2016, 1, 1),
    )
    html = client.get("/trials/", {"q": "gout"}).content.decode()
    assert html.count(NOTE) == 2
    assert "the study team last confirmed this status in May 2022" in html
    assert "its planned end date, June 2026, has passed" in html
    kept = client.get("/trials/", {"q": "gout", "hide_stale": "on"}).content.decode()
    assert sorted(card_ids(kept)) == ["NCT00003013", "NCT00003014"]
    assert 'id="id_hide_stale" aria-describedby="id_hide_stale_help" checked' in kept
    listed = client.get("/trials/", {"hide_stale": "on"}).content.decode()
    assert sorted(card_ids(listed)) == ["NCT00003013", "NCT00003014"]
    assert Trial.objects.without_stale().count() == 2
    open_now = Trial.objects.filter(status__in=Status.open_to_patients()).without_stale()
    assert [t.nct_id for t in open_now] == ["NCT00003013"]


def test_nothing_is_left_out_when_every_match_is_stale(client):
    make_trial(
        "NCT00003021",
        brief_title="Gout walk",
        status="RECRUITING",
        status_verified_on=dt.date(2001, 5, 1),
    )
    html = client.get("/trials/", {"q": "gout", "hide_stale": "on"}).content.decode()
    assert card_ids(html) == []
    assert "Include trials whose open status may be out of date" in html
