import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from tests.concurrency import at_once
from trials import importer
from trials.groups import BLOOD_CANCERS, SOLID_TUMORS
from trials.models import Condition, Contact, Location, Trial, TrialVersion

from .ctgov import REAL, SHARED, demo_record, record, with_nct_id, write

pytestmark = pytest.mark.django_db

SEEN = dt.datetime(2026, 6, 27, 14, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 7, 1, 9, 30, tzinfo=dt.UTC)


def import_records(tmp_path, *records, **options) -> importer.Counts:
    paths = [write(tmp_path, f"{n}-{id(r)}.json", r) for n, r in enumerate(records)]
    return importer.import_paths(paths, **options)


def writes(queries) -> list[str]:
    verbs = ("INSERT", "UPDATE", "DELETE")
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(verbs)]


# Mapping, on real records -----------------------------------------------------------------


def test_it_maps_identification_status_design_and_eligibility(tmp_path):
    counts = importer.import_paths([REAL / "NCT00162175.json"])
    assert (counts.created, counts.failed) == (1, 0)
    trial = Trial.objects.get(nct_id="NCT00162175")
    assert trial.brief_title == "PPAR-COMBO With Sulfonylurea"
    assert trial.official_title.startswith("A Phase 3, Randomized, Double-blind")
    assert trial.status == "COMPLETED"
    assert trial.phase == "PHASE3"
    assert trial.study_type == "INTERVENTIONAL"
    assert (trial.enrollment, trial.enrollment_is_estimate) == (534, False)
    assert trial.sponsor == "Bristol-Myers Squibb"
    assert trial.first_submitted_on == dt.date(2005, 9, 9)
    assert trial.last_update_posted_on == dt.date(2010, 9, 14)
    # "2003-07": a month, not a day.
    assert (trial.start_date, trial.start_date_precision) == (dt.date(2003, 7, 1), "MONTH")
    assert not trial.start_date_is_estimate
    assert (trial.completion_date, trial.completion_date_precision) == (
        dt.date(2005, 11, 1),
        "MONTH",
    )
    assert (trial.minimum_age, trial.minimum_age_years) == ("18 Years", 18)
    assert (trial.maximum_age, trial.maximum_age_years) == ("70 Years", 70)
    assert trial.sex == "ALL"
    assert trial.healthy_volunteers is False
    assert trial.eligibility_criteria.startswith("Inclusion Criteria:")
    assert trial.interventions == [
        {"type": "DRUG", "name": "Muraglitazar", "description": "", "other_names": []}
    ]
    assert trial.registrant_conditions == ["Metabolics Diabetes Nos"]
    assert trial.is_published
    assert trial.summary == trial.generated_summary != trial.registry_summary
    assert not trial.summary_is_registrants


def test_it_maps_acronym_keywords_collaborators_officials_and_estimates():
    importer.import_paths([REAL / "NCT05809934.json", REAL / "NCT05993949.json"])
    fortuna = Trial.objects.get(nct_id="NCT05809934")
    assert fortuna.acronym == "FORTUNA"
    assert fortuna.collaborators == ["AstraZeneca K.K."]
    assert fortuna.keywords[:3] == ["Nonalcoholic Steatohepatitis", "NASH", "fatty liver disease"]
    assert (fortuna.enrollment, fortuna.enrollment_is_estimate) == (232, True)
    assert (fortuna.completion_date, fortuna.completion_date_precision) == (
        dt.date(2025, 11, 7),
        "DAY",
    )
    assert fortuna.completion_date_is_estimate
    stanford = Trial.objects.get(nct_id="NCT05993949")
    assert stanford.officials == [
        {
            "name": "Lori Muffly, M.D.",
            "role": "PRINCIPAL_INVESTIGATOR",
            "affiliation": "Stanford University",
        }
    ]
    assert stanford.maximum_age == "" and stanford.maximum_age_years is None


def test_it_keeps_the_registrants_summary_and_description_as_written():
    importer.import_paths([REAL / "NCT04040387.json"])
    trial = Trial.objects.get()
    assert trial.detailed_description.startswith("Nightmares are a common problem affecting 2-8%")
    source = record("NCT04040387")["protocolSection"]["descriptionModule"]
    assert trial.registry_summary == source["briefSummary"].strip()
    assert trial.status == "ENROLLING_BY_INVITATION"


def test_a_new_trial_is_published_with_written_text_and_the_registrants_summary_labelled(client):
    importer.import_paths([REAL / "NCT04040387.json"])
    trial = Trial.objects.get(nct_id="NCT04040387")
    html = client.get("/trials/NCT04040387/").content.decode()
    assert "Written automatically from the registry record." in html
    assert escape(trial.generated_summary) in html
    assert "In the registrant’s words" in html
    assert '<blockquote class="registrant-words">' in html


def test_it_keeps_registrant_terms_exactly_and_in_order_beside_the_mesh_conditions():
    importer.import_paths([REAL / "NCT05869903.json"])
    trial = Trial.objects.get(nct_id="NCT05869903")
    assert trial.registrant_conditions == ["Obesity", "Overweight", "Overweight or Obesity"]
    assert sorted(trial.conditions.values_list("name", "mesh_id")) == [
        ("Obesity", "D000009765"),
        ("Overweight", "D000050177"),
    ]
    assert {"id": "D000009765", "term": "Obesity"} in trial.mesh_terms
    assert any(m.get("type") == "ancestor" for m in trial.mesh_terms)
    assert trial.condition_names == "Obesity Overweight"
    assert [c.name for c in trial.groups.all()] == ["Diabetes, hormones and metabolism"]


def test_it_maps_every_site_with_its_status_contacts_and_coordinates():
    importer.import_paths([REAL / "NCT05869903.json", REAL / "NCT03908762.json"])
    obesity = Trial.objects.get(nct_id="NCT05869903")
    assert obesity.locations.count() == 135
    first = obesity.locations.order_by("position").first()
    assert (first.facility, first.city, first.state, first.postal_code, first.country) == (
        "The Institute for Liver Health dba Arizona Clinical Trials",
        "Mesa",
        "Arizona",
        "85210",
        "United States",
    )
    assert (first.latitude, first.longitude) == (33.42227, -111.82264)
    assert first.contacts.get().role == "PRINCIPAL_INVESTIGATOR"
    study_contact = obesity.contacts.get(location=None)
    assert study_contact.phone == "1-317-615-4559"
    assert study_contact.email == "ClinicalTrials.gov@lilly.com"

    kansas = Trial.objects.get(nct_id="NCT03908762")
    site = kansas.locations.get()
    assert site.status == "RECRUITING"
    assert [(c.role, c.name, c.phone) for c in site.contacts.order_by("position")] == [
        ("CONTACT", "Teri Lavenbarg", "913-588-6022"),
        ("PRINCIPAL_INVESTIGATOR", "David Robbins", ""),
        ("SUB_INVESTIGATOR", "Kristin Grdinovac", ""),
    ]
    assert kansas.status == "UNKNOWN"
    assert kansas.phase == "NA"
    assert kansas.healthy_volunteers is True


def test_it_files_the_example_trial_under_solid_tumors_and_leukemia_under_blood_cancers():
    importer.import_paths([REAL / "NCT05993949.json", REAL.parent / "demo" / "NCT07509034-4.json"])
    example = Trial.objects.get(nct_id="NCT07509034")
    assert [c.name for c in example.groups.all()] == [SOLID_TUMORS]
    assert example.primary_group.name == SOLID_TUMORS
    leukemia = Trial.objects.get(nct_id="NCT05993949")
    assert [c.name for c in leukemia.groups.all()] == [BLOOD_CANCERS]
    # Both are found together as cancers through their MeSH terms.
    assert Trial.objects.search("neoplasms").count() == 2


def test_a_record_without_contacts_locations_or_mesh_terms_imports(tmp_path):
    data = record("NCT05993949")
    del data["protocolSection"]["contactsLocationsModule"]
    del data["derivedSection"]
    del data["protocolSection"]["designModule"]["phases"]
    counts = import_records(tmp_path, data)
    assert counts.created == 1
    trial = Trial.objects.get()
    assert (trial.locations.count(), trial.contacts.count(), trial.groups.count()) == (0, 0, 0)
    assert trial.phase == ""


def test_odd_unicode_and_long_text_are_kept(tmp_path):
    data = record("NCT05993949")
    title = "Étude «naïve» — 日本語 😀 test\u200b"
    data["protocolSection"]["identificationModule"]["briefTitle"] = title
    long_text = "Très long. " * 2500  # 27,500 characters, like the longest real descriptions
    data["protocolSection"]["descriptionModule"]["detailedDescription"] = long_text
    data["protocolSection"]["descriptionModule"]["briefSummary"] = "NUL\x00 removed"
    assert import_records(tmp_path, data).created == 1
    trial = Trial.objects.get()
    assert trial.brief_title == title
    assert trial.detailed_description == long_text.strip()
    assert trial.registry_summary == "NUL removed"


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared record collection is not here")
def test_every_shared_record_imports():
    counts = importer.import_paths([SHARED])
    assert counts.failures == []
    assert counts.created == len(list(SHARED.glob("*.json")))
    assert Trial.objects.filter(search_vector__isnull=True).count() == (
        Trial.objects.count() if connection.vendor != "postgresql" else 0
    )


# Versions and changes ---------------------------------------------------------------------


def test_a_new_trial_gets_version_one_and_its_dates(tmp_path):
    import_records(tmp_path, record("NCT05993949"), seen_at=SEEN)
    trial = Trial.objects.get()
    version = trial.versions.get()
    assert (version.number, version.kind, version.seen_at) == (1, "NEW", SEEN)
    assert version.registry_updated_on == dt.date(2023, 10, 10)
    assert version.changes == []
    assert (trial.first_seen_at, trial.last_updated_at) == (SEEN, SEEN)
    assert (trial.update_count, trial.current_version) == (0, 1)


def test_rerunning_the_same_records_writes_nothing(tmp_path):
    paths = [REAL / "NCT05869903.json", REAL / "NCT05993949.json"]
    importer.import_paths(paths)
    before = list(Trial.objects.values_list("nct_id", "content_hash", "last_updated_at"))
    with CaptureQueriesContext(connection) as queries:
        counts = importer.import_paths(paths)
    assert (counts.created, counts.updated, counts.unchanged) == (0, 0, 2)
    assert writes(queries.captured_queries) == []
    assert len(queries.captured_queries) == 1  # one look-up for the whole batch
    assert list(Trial.objects.values_list("nct_id", "content_hash", "last_updated_at")) == before
    assert TrialVersion.objects.count() == 2


def test_the_same_record_sent_differently_changes_nothing_but_its_source_hash(tmp_path):
    data = record("NCT05993949")
    import_records(tmp_path, data)
    data["derivedSection"]["miscInfoModule"]["versionHolder"] = "2026-11-24"
    with CaptureQueriesContext(connection) as queries:
        counts = import_records(tmp_path, data)
    assert counts.unchanged == 1
    assert [sql.split()[0] for sql in writes(queries.captured_queries)] == ["UPDATE"]
    assert TrialVersion.objects.count() == 1
    assert Trial.objects.get().update_count == 0


def test_a_changed_record_gives_one_version_with_the_right_diff(tmp_path):
    data = record("NCT05993949")
    import_records(tmp_path, data, seen_at=SEEN)
    protocol = data["protocolSection"]
    protocol["statusModule"]["overallStatus"] = "ACTIVE_NOT_RECRUITING"
    protocol["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2024-02-01"
    protocol["eligibilityModule"]["eligibilityCriteria"] += "\n* Another rule"
    protocol["contactsLocationsModule"]["locations"].append(
        {
            "facility": "Dana-Farber Cancer Institute",
            "status": "RECRUITING",
            "city": "Boston",
            "state": "Massachusetts",
            "zip": "02215",
            "country": "United States",
            "geoPoint": {"lat": 42.35843, "lon": -71.05977},
        }
    )
    counts = import_records(tmp_path, data, seen_at=LATER)
    assert counts.updated == 1
    trial = Trial.objects.get()
    version = trial.versions.get(number=2)
    assert version.kind == "CHANGED"
    assert (version.seen_at, version.registry_updated_on) == (LATER, dt.date(2024, 2, 1))
    assert version.changes == [
        {"field": "status", "old": "RECRUITING", "new": "ACTIVE_NOT_RECRUITING"},
        {
            "field": "eligibility_criteria",
            "old": record("NCT05993949")["protocolSection"]["eligibilityModule"][
                "eligibilityCriteria"
            ].strip(),
            "new": protocol["eligibilityModule"]["eligibilityCriteria"].strip(),
        },
        {
            "field": "locations",
            "added": [
                {
                    "facility": "Dana-Farber Cancer Institute",
                    "city": "Boston",
                    "state": "Massachusetts",
                    "postal_code": "02215",
                    "country": "United States",
                    "status": "RECRUITING",
                }
            ],
            "removed": [],
            "status": [],
        },
    ]
    assert version.change_lines() == [
        "Status changed from Recruiting to Active, not recruiting",
        "Eligibility criteria changed",
        "New location: Dana-Farber Cancer Institute, Boston, Massachusetts",
    ]
    assert (trial.update_count, trial.current_version) == (1, 2)
    assert (trial.first_seen_at, trial.last_updated_at) == (SEEN, LATER)
    assert trial.status == "ACTIVE_NOT_RECRUITING"
    assert trial.locations.count() == 2


def test_an_update_keeps_editorial_text_publication_and_unchanged_rows(tmp_path):
    data = record("NCT03908762")
    import_records(tmp_path, data, draft=True)
    trial = Trial.objects.get()
    Trial.objects.filter(pk=trial.pk).update(
        headline="Our headline", plain_summary="Our words.", plain_language_version=1
    )
    site = trial.locations.get()
    contact_ids = set(Contact.objects.values_list("id", flat=True))
    protocol = data["protocolSection"]
    protocol["identificationModule"]["briefTitle"] = "A new registry title"
    protocol["contactsLocationsModule"]["locations"][0]["contacts"][0]["phone"] = "913-555-0100"
    import_records(tmp_path, data)
    trial.refresh_from_db()
    assert (trial.headline, trial.plain_summary) == ("Our headline", "Our words.")
    assert trial.brief_title == "A new registry title"
    assert not trial.is_published  # a draft stays a draft
    assert trial.registry_changed_since_written
    assert Trial.objects.needing_review().get() == trial
    assert trial.locations.get().pk == site.pk
    assert set(Contact.objects.values_list("id", flat=True)) == contact_ids
    assert Contact.objects.get(name="Teri Lavenbarg").phone == "913-555-0100"
    assert trial.versions.get(number=2).change_lines() == [
        "Title changed",
        "Contact details changed",
    ]


def test_a_site_whose_address_changes_only_in_case_is_the_same_site(tmp_path):
    data = record("NCT03908762")
    import_records(tmp_path, data)
    site = Location.objects.get()
    where = data["protocolSection"]["contactsLocationsModule"]["locations"][0]
    where["facility"] = f"  {where['facility'].upper()} "
    where["status"] = "COMPLETED"
    import_records(tmp_path, data)
    kept = Location.objects.get()
    assert kept.pk == site.pk
    assert kept.facility == site.facility.upper()
    place = ", ".join([site.facility.upper(), site.city, site.state])
    lines = Trial.objects.get().versions.get(number=2).change_lines()
    assert lines == [f"{place}: status changed from Recruiting to Completed"]


def test_an_update_relinks_conditions_and_removes_gone_sites(tmp_path):
    data = record("NCT05993949")
    import_records(tmp_path, data)
    browse = data["derivedSection"]["conditionBrowseModule"]
    browse["meshes"] = [{"id": "D000003920", "term": "Diabetes Mellitus"}]
    browse["ancestors"] = [{"id": "D000004700", "term": "Endocrine System Diseases"}]
    data["protocolSection"]["contactsLocationsModule"]["locations"] = []
    import_records(tmp_path, data)
    trial = Trial.objects.get()
    assert list(trial.conditions.values_list("name", flat=True)) == ["Diabetes Mellitus"]
    assert [c.name for c in trial.groups.all()] == ["Diabetes, hormones and metabolism"]
    assert trial.condition_names == "Diabetes Mellitus"
    assert not Location.objects.exists()
    assert list(Contact.objects.values_list("location", flat=True)) == [None]
    lines = trial.versions.get(number=2).change_lines()
    assert "Location removed: Stanford University, Palo Alto, California" in lines
    assert "Condition terms changed" in lines


def test_successive_states_in_one_run_are_recorded_in_order(tmp_path):
    counts = importer.import_paths(
        [write(tmp_path, f"{v}.json", demo_record(v)) for v in (1, 2, 3, 4)]
    )
    assert (counts.created, counts.updated) == (1, 3)
    trial = Trial.objects.get()
    assert [v.number for v in trial.versions.all()] == [4, 3, 2, 1]
    assert trial.update_count == 3


# Bad input --------------------------------------------------------------------------------


BAD_RECORDS = {
    "no NCT ID": (
        lambda d: d["protocolSection"]["identificationModule"].pop("nctId"),
        "has no NCT ID",
    ),
    "not an NCT ID": (
        lambda d: d["protocolSection"]["identificationModule"].update(nctId="NCT123"),
        "“NCT123” is not an NCT ID",
    ),
    "locations not a list": (
        lambda d: d["protocolSection"]["contactsLocationsModule"].update(locations="Boston"),
        "protocolSection.contactsLocationsModule.locations should be a list, not text",
    ),
    "enrollment as text": (
        lambda d: d["protocolSection"]["designModule"]["enrollmentInfo"].update(count="forty"),
        "enrollmentInfo.count should be a whole number",
    ),
    "title as a number": (
        lambda d: d["protocolSection"]["identificationModule"].update(briefTitle=42),
        "briefTitle should be text, not a number",
    ),
    "impossible date": (
        lambda d: d["protocolSection"]["statusModule"]["startDateStruct"].update(date="2023-02-30"),
        "startDateStruct.date “2023-02-30” is not a real date",
    ),
    "not a date": (
        lambda d: d["protocolSection"]["statusModule"].update(studyFirstSubmitDate="soon"),
        "studyFirstSubmitDate “soon” is not a date",
    ),
    "huge summary": (
        lambda d: d["protocolSection"]["descriptionModule"].update(briefSummary="x" * 150_000),
        "briefSummary is 150,000 characters long",
    ),
    "unknown status": (
        lambda d: d["protocolSection"]["statusModule"].update(overallStatus="MAYBE"),
        "overallStatus “MAYBE” is not one we know",
    ),
    "ages the wrong way round": (
        lambda d: d["protocolSection"]["eligibilityModule"].update(
            minimumAge="65 Years", maximumAge="18 Years"
        ),
        "minimumAge 65 Years is above maximumAge 18 Years",
    ),
    "latitude off the globe": (
        lambda d: d["protocolSection"]["contactsLocationsModule"]["locations"][0][
            "geoPoint"
        ].update(lat=123.0),
        "geoPoint.lat 123.0 is outside -90 to 90",
    ),
    "criteria not text": (
        lambda d: d["protocolSection"]["eligibilityModule"].update(eligibilityCriteria=["a"]),
        "protocolSection.eligibilityModule.eligibilityCriteria should be text, not a list",
    ),
    "a site contact's phone as a number": (
        lambda d: d["protocolSection"]["contactsLocationsModule"]["locations"][0]["contacts"][
            0
        ].update(phone=5550100),
        "protocolSection.contactsLocationsModule.locations[0].contacts[0].phone should be text",
    ),
    "lone surrogate": (
        lambda d: d["protocolSection"]["identificationModule"].update(briefTitle="bad \ud800"),
        "not valid Unicode",
    ),
}


@pytest.mark.parametrize("kind", BAD_RECORDS)
def test_a_bad_record_is_reported_and_the_others_import(tmp_path, kind):
    change, reason = BAD_RECORDS[kind]
    bad = record("NCT05993949")
    change(bad)
    good = record("NCT03908762")
    lines = tmp_path / "studies.jsonl"
    lines.write_text(
        json.dumps(good) + "\n" + json.dumps(bad, ensure_ascii=True) + "\n", encoding="utf-8"
    )
    counts = importer.import_paths([lines])
    assert counts.created == 1
    assert Trial.objects.get().nct_id == "NCT03908762"
    [failure] = counts.failures
    assert (failure.source, failure.position) == (str(lines), "line 2")
    assert reason in failure.reason
    assert str(failure).startswith(f"{lines}: line 2: ")


def test_a_bad_new_state_leaves_the_stored_trial_untouched(tmp_path):
    data = record("NCT05993949")
    import_records(tmp_path, data)
    stored = Trial.objects.values().get()
    data["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"
    data["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = -5
    counts = import_records(tmp_path, data)
    assert counts.failed == 1
    assert Trial.objects.values().get() == stored
    assert TrialVersion.objects.count() == 1


def test_invalid_json_is_reported_with_its_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"protocolSection": {\n  "identificationModule": {,}}}')
    counts = importer.import_paths([path, REAL / "NCT03908762.json"])
    assert counts.created == 1
    [failure] = counts.failures
    assert failure.source == str(path)
    assert failure.reason.startswith("invalid JSON at line 2 column 28")


def test_a_bad_line_in_json_lines_is_reported_and_the_rest_import(tmp_path):
    path = tmp_path / "studies.jsonl"
    good = [record("NCT03908762"), record("NCT05993949")]
    path.write_text(f"{json.dumps(good[0])}\n{{not json\n\n{json.dumps(good[1])}\n")
    counts = importer.import_paths([path])
    assert counts.created == 2
    [failure] = counts.failures
    assert failure.position == "line 2"
    assert failure.reason.startswith("invalid JSON at column 2")


def test_not_a_study_and_unreadable_paths_are_reported(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "latin1.json").write_bytes(b'{"x": "caf\xe9"}')
    counts = importer.import_paths(
        [
            write(tmp_path, "list.json", [1, record("NCT03908762")]),
            tmp_path / "missing.json",
            tmp_path / "empty",
            tmp_path / "latin1.json",
        ]
    )
    reasons = [(f.position, f.reason) for f in counts.failures]
    assert reasons == [
        ("record 1", "is a number, not a study object"),
        ("", "cannot be read (No such file or directory)"),
        ("", "no *.json files in this directory"),
        ("", "is not UTF-8 text (byte 11)"),
    ]
    assert counts.created == 1


def test_a_batch_that_fails_is_stored_again_one_record_at_a_time(tmp_path, monkeypatch):
    # Another importer created NCT03908762 after this one looked: its batch insert fails,
    # and each record is then stored on its own.
    importer.import_paths([REAL / "NCT03908762.json"])
    monkeypatch.setattr(importer.running, "_stored_hashes", lambda nct_ids: {})
    counts = importer.import_paths([REAL / "NCT03908762.json", REAL / "NCT05993949.json"])
    assert (counts.created, counts.unchanged, counts.failed) == (1, 1, 0)
    assert Trial.objects.count() == 2
    assert TrialVersion.objects.count() == 2


# Two importers at once --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_importers_of_the_same_records_never_duplicate_a_trial():
    base = record("NCT03908762")
    records = [with_nct_id(base, f"NCT0990{n:04d}") for n in range(30)]
    items = [("thread", f"record {n}", r) for n, r in enumerate(records)]
    results, errors = at_once(2, lambda: importer.import_items(items, batch_size=10))
    assert errors == []
    assert Trial.objects.count() == 30
    assert TrialVersion.objects.count() == 30
    assert sum(c.created for c in results) == 30
    assert sum(c.unchanged for c in results) == 30
    assert all(c.failed == 0 for c in results)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_importers_storing_the_same_change_record_it_once():
    first = record("NCT03908762")
    importer.import_items([("setup", "", first)])
    changed = json.loads(json.dumps(first))
    changed["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"
    study = importer.map_study(changed)
    outcomes, errors = at_once(2, lambda: importer.store(study, catalog=importer.Catalog()))
    assert errors == []
    assert sorted(outcomes) == ["unchanged", "updated"]
    trial = Trial.objects.get()
    assert (trial.update_count, trial.current_version) == (1, 2)
    assert list(trial.versions.values_list("number", flat=True)) == [2, 1]
    assert Condition.objects.count() == 2
