"""Posted results: read from the registry's resultsSection, stored with the trial, news when
they first appear."""

import copy
import datetime as dt
import json

import pytest

from trials import importer
from trials.models import Trial, TrialResults
from trials.results import data
from trials.results.mapping import BadResults, map_results, registry_words

from .ctgov import SHARED, write

pytestmark = pytest.mark.django_db

SEEN = dt.datetime(2026, 6, 27, 14, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 7, 1, 9, 30, tzinfo=dt.UTC)
WITH_RESULTS = sorted(p for p in SHARED.glob("NCT*.json") if '"resultsSection"' in p.read_text())


def shared(nct_id: str) -> dict:
    return json.loads((SHARED / f"{nct_id}.json").read_text())


def without_results(record: dict) -> dict:
    record = copy.deepcopy(record)
    del record["resultsSection"]
    record["hasResults"] = False
    return record


# Mapping ------------------------------------------------------------------------------------


def test_the_shared_records_hold_results():
    assert len(WITH_RESULTS) == 36


@pytest.mark.parametrize("path", WITH_RESULTS, ids=lambda p: p.stem)
def test_every_shared_record_with_results_maps_and_survives_storage(path):
    record = json.loads(path.read_text())
    results = map_results(record)
    section = record["resultsSection"]
    outcomes = section["outcomeMeasuresModule"]["outcomeMeasures"]
    assert [o.title for o in results.outcomes] == [registry_words(o["title"]) for o in outcomes]
    groups = section["adverseEventsModule"]["eventGroups"]
    assert [(g.serious_affected, g.serious_at_risk) for g in results.adverse_events.groups] == [
        (g.get("seriousNumAffected"), g.get("seriousNumAtRisk")) for g in groups
    ]
    # What is stored reads back as the same typed results.
    assert data.from_json(json.loads(json.dumps(data.to_json(results)))) == results


def test_it_reads_flow_baseline_outcomes_and_analyses_as_reported():
    results = map_results(shared("NCT03608150"))
    started = results.flow.periods[0].milestones[0]
    assert started.kind == "STARTED"
    assert [(c.group_id, c.count) for c in started.counts] == [("FG000", 58), ("FG001", 59)]
    primary = results.primary_outcomes[0]
    assert primary.title == "Best-Corrected Visual Acuity of Amblyopic Eye"
    assert (primary.param_type, primary.unit, primary.time_frame) == (
        "MEAN",
        "Lines of visual acuity improvement",
        "12 weeks",
    )
    values = primary.classes[0].categories[0].values
    assert [(v.group_id, v.value, v.spread) for v in values] == [
        ("OG000", "1.77", "1.56"),
        ("OG001", "0.85", "1.34"),
    ]
    assert [(c.group_id, c.count) for c in primary.counts] == [("OG000", 47), ("OG001", 48)]
    other = results.adverse_events.other[1]
    assert (other.term, [(c.affected, c.at_risk) for c in other.counts]) == (
        "Headache",
        [(8, 51), (1, 59)],
    )
    assert results.first_posted_on


def test_it_keeps_analyses_and_why_the_study_stopped():
    record = shared("NCT01406860")
    results = map_results(record)
    assert results.why_stopped == "lack of enrollment/drug shortages"
    analysed = [
        a
        for path in WITH_RESULTS
        for o in map_results(json.loads(path.read_text())).outcomes
        for a in o.analyses
    ]
    assert any(a.p_value and a.method for a in analysed)
    assert any(a.ci_lower and a.ci_upper and a.ci_percent for a in analysed)


def test_a_record_without_results_has_none():
    assert map_results(without_results(shared("NCT03608150"))) is None
    assert map_results({**shared("NCT03608150"), "resultsSection": {}}) is None


def test_the_point_of_contact_is_never_kept_and_free_text_is_masked():
    record = shared("NCT00329836")
    contact = record["resultsSection"]["moreInfoModule"]["pointOfContact"]
    outcome = record["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"][0]
    outcome["description"] = "Ask Dr Who at who@example.org or (319) 310 8067 about dose 1.25-0.625"
    stored = json.dumps(data.to_json(map_results(record)), ensure_ascii=False)
    for value in (contact["email"], contact["phone"], "who@example.org", "310 8067"):
        assert value not in stored
    assert "dose 1.25-0.625" in stored


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda r: r.update(resultsSection=[]), "resultsSection should be an object, not a list"),
        (
            lambda r: r["resultsSection"]["outcomeMeasuresModule"].update(outcomeMeasures={}),
            "resultsSection.outcomeMeasuresModule.outcomeMeasures should be a list",
        ),
        (
            lambda r: r["resultsSection"]["adverseEventsModule"]["eventGroups"][0].update(
                seriousNumAffected="many"
            ),
            "seriousNumAffected should be a whole number",
        ),
        (
            lambda r: r["resultsSection"]["adverseEventsModule"]["eventGroups"][0].update(
                seriousNumAffected=-3
            ),
            "seriousNumAffected should be a whole number",
        ),
    ],
)
def test_a_broken_results_section_is_a_clear_failure(tmp_path, change, reason):
    record = shared("NCT01406860")
    change(record)
    with pytest.raises(BadResults, match=reason.replace("(", r"\(")):
        map_results(record)
    counts = importer.import_paths([write(tmp_path, "broken.json", record)])
    assert counts.failed == 1 and reason in counts.failures[0].reason
    assert not Trial.objects.exists()


def test_an_incomplete_results_section_is_read_for_what_it_has():
    record = shared("NCT01406860")
    del record["resultsSection"]["adverseEventsModule"]
    del record["resultsSection"]["baselineCharacteristicsModule"]
    results = map_results(record)
    assert results.adverse_events is None and results.baseline is None
    assert len(results.outcomes) == 4


# Storing --------------------------------------------------------------------------------------


def test_new_trials_are_stored_with_their_results(tmp_path):
    counts = importer.import_paths(WITH_RESULTS[:5] + [SHARED / "NCT05584540.json"])
    assert (counts.created, counts.failed) == (6, 0)
    assert set(Trial.objects.filter(has_results=True).values_list("nct_id", flat=True)) == {
        p.stem for p in WITH_RESULTS[:5]
    }
    assert TrialResults.objects.count() == 5
    stored = TrialResults.objects.get(trial__nct_id=WITH_RESULTS[0].stem)
    assert stored.parsed == map_results(json.loads(WITH_RESULTS[0].read_text()))
    assert stored.first_posted_on is not None


def test_results_posted_later_are_news_and_stored(tmp_path):
    record = shared("NCT03608150")
    importer.import_paths([write(tmp_path, "a.json", without_results(record))], seen_at=SEEN)
    trial = Trial.objects.get(nct_id="NCT03608150")
    assert not trial.has_results and not TrialResults.objects.exists()

    importer.import_paths([write(tmp_path, "b.json", record)], seen_at=LATER)
    trial.refresh_from_db()
    assert trial.has_results and trial.results.parsed.outcomes
    version = trial.versions.get(number=2)
    assert version.change_lines()[0] == "Results were posted: what the study found"

    revised = copy.deepcopy(record)
    revised["resultsSection"]["adverseEventsModule"]["eventGroups"][0]["seriousNumAffected"] = 1
    importer.import_paths([write(tmp_path, "c.json", revised)], seen_at=LATER)
    trial.refresh_from_db()
    assert trial.results.parsed.adverse_events.groups[0].serious_affected == 1
    assert trial.versions.get(number=3).change_lines() == ["The posted results were updated"]

    importer.import_paths([write(tmp_path, "d.json", without_results(record))], seen_at=LATER)
    trial.refresh_from_db()
    assert not trial.has_results and not TrialResults.objects.exists()
    assert trial.versions.get(number=4).change_lines() == [
        "The registry no longer shows the study’s results"
    ]


def test_an_unchanged_reimport_writes_no_results(tmp_path):
    importer.import_paths(WITH_RESULTS[:3])
    before = list(TrialResults.objects.order_by("pk").values_list("pk", "document"))
    counts = importer.import_paths(WITH_RESULTS[:3])
    assert counts.unchanged == 3
    assert list(TrialResults.objects.order_by("pk").values_list("pk", "document")) == before


def test_trials_stored_before_results_were_imported_get_them_without_false_news(tmp_path):
    record = shared("NCT03608150")
    importer.import_paths([write(tmp_path, "a.json", record)], seen_at=SEEN)
    trial = Trial.objects.get(nct_id="NCT03608150")
    # As the rows looked before this feature: no results, no "results" in the snapshot.
    snapshot = {k: v for k, v in trial.registry_snapshot.items() if k != "results"}
    Trial.objects.filter(pk=trial.pk).update(
        registry_snapshot=snapshot, has_results=False, source_hash="", content_hash="old"
    )
    TrialResults.objects.all().delete()

    importer.import_paths([write(tmp_path, "a.json", record)], seen_at=LATER)
    trial.refresh_from_db()
    assert trial.has_results and trial.results.parsed.primary_outcomes
    assert trial.versions.count() == 1  # storing results we already had read is not news
