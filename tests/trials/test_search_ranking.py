"""Best match, for a patient: trials about what was asked, those they can join first."""

import datetime as dt

import pytest

from trials.models import Synonym

from .search_data import found, make_trial

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
LAST_MONTH = TODAY - dt.timedelta(days=30)
NEXT_YEAR = TODAY + dt.timedelta(days=365)


def fresh(**fields) -> dict:
    return {"status_verified_on": LAST_MONTH, "completion_date": NEXT_YEAR, **fields}


def test_an_open_trial_comes_first_among_equally_good_matches(client, db):
    make_trial(
        "NCT00002001",
        brief_title="Gout diet",
        conditions=["Gout"],
        status="COMPLETED",
        last_updated_at="2026-11-01T00:00:00Z",
    )
    make_trial(
        "NCT00002002",
        brief_title="Gout drug",
        conditions=["Gout"],
        status="TERMINATED",
        last_updated_at="2026-10-01T00:00:00Z",
    )
    make_trial(
        "NCT00002003",
        brief_title="Gout walk",
        conditions=["Gout"],
        last_updated_at="2020-01-01T00:00:00Z",
        **fresh(status="RECRUITING"),
    )
    make_trial(
        "NCT00002004",
        brief_title="Gout app",
        conditions=["Gout"],
        last_updated_at="2019-01-01T00:00:00Z",
        **fresh(status="NOT_YET_RECRUITING"),
    )
    assert found(client, "gout") == ["NCT00002003", "NCT00002004", "NCT00002001", "NCT00002002"]
    # Another order, when asked for, is kept.
    assert found(client, "gout", sort="updated")[0] == "NCT00002001"


def test_small_cell_lung_cancer_is_not_found_inside_non_small_cell(client, vocabulary):
    make_trial(
        "NCT00002011",
        brief_title="Osimertinib in non-small cell lung cancer",
        registrant_conditions=["NSCLC"],
        **fresh(status="RECRUITING"),
    )
    make_trial(
        "NCT00002012",
        brief_title="Tarlatamab after chemotherapy",
        registrant_conditions=["Small Cell Lung Carcinoma (SCLC)"],
        status="COMPLETED",
    )
    make_trial(
        "NCT00002013",
        brief_title="Lung cancer screening",
        registry_summary="For people at risk of small cell lung cancer.",
        **fresh(status="RECRUITING"),
    )
    assert found(client, "small cell lung cancer") == ["NCT00002012", "NCT00002013"]
    assert found(client, "SCLC") == ["NCT00002012"]  # our additions count in names only
    assert found(client, "non small cell lung cancer") == ["NCT00002011"]
    assert found(client, "NSCLC") == ["NCT00002011"]
    # Named only in a summary, and only inside "non-small cell", it is no match either.
    make_trial(
        "NCT00002014",
        brief_title="Durvalumab after chemoradiation",
        registry_summary="For unresectable non-small cell lung cancer.",
        **fresh(status="RECRUITING"),
    )
    assert found(client, "small cell lung cancer") == ["NCT00002012", "NCT00002013"]


def test_high_blood_pressure_is_not_pulmonary_hypertension(client, vocabulary):
    # As the registry files them: "Pulmonary Arterial Hypertension" brings the MeSH term
    # "Hypertension" with it.
    make_trial(
        "NCT00002061",
        brief_title="Sotatercept in pulmonary arterial hypertension (PAH)",
        registrant_conditions=["Pulmonary Arterial Hypertension"],
        conditions=["Pulmonary Arterial Hypertension", "Hypertension"],
        mesh_terms=[
            {"id": "D000081029", "term": "Pulmonary Arterial Hypertension"},
            {"id": "D006973", "term": "Hypertension"},
        ],
        **fresh(status="RECRUITING"),
        last_updated_at="2026-11-01T00:00:00Z",
    )
    make_trial(
        "NCT00002062",
        brief_title="Pharmacist visits for chronic disease",
        registrant_conditions=["Hypertension", "Diabetes Mellitus"],
        **fresh(status="NOT_YET_RECRUITING"),
        last_updated_at="2020-01-01T00:00:00Z",
    )
    make_trial(
        "NCT00002063",
        brief_title="Blood pressure in the lungs and in the arms",
        registrant_conditions=["Pulmonary Hypertension", "Essential Hypertension"],
        conditions=["Hypertension, Pulmonary", "Essential Hypertension"],
        status="COMPLETED",
    )
    assert found(client, "high blood pressure") == ["NCT00002062", "NCT00002063"]
    # Asked for by its own name, or by the MeSH parent term, it is found.
    assert "NCT00002061" in found(client, "pulmonary hypertension")
    assert "NCT00002061" in found(client, "hypertension")


def test_a_gene_named_after_a_lymphoma_is_no_blood_cancer(client, vocabulary):
    make_trial(
        "NCT00002065",
        brief_title="Brigatinib in lung cancer with an anaplastic lymphoma kinase rearrangement",
        registrant_conditions=["NSCLC"],
        **fresh(status="RECRUITING"),
    )
    make_trial(
        "NCT00002066",
        brief_title="Crizotinib in anaplastic large cell lymphoma",
        registrant_conditions=["ALK-positive Anaplastic Large Cell Lymphoma"],
        status="COMPLETED",
    )
    assert found(client, "blood cancer") == ["NCT00002066"]


def test_an_editor_says_what_a_synonym_does_not_mean(client, db):
    make_trial(
        "NCT00002071", brief_title="Vaccine timing", registrant_conditions=["Whooping Cough"]
    )
    make_trial("NCT00002072", brief_title="Cough syrup", registrant_conditions=["Cough"])
    synonym = Synonym.objects.create(said="hacking", means="cough")
    assert set(found(client, "hacking")) == {"NCT00002071", "NCT00002072"}
    synonym.not_meant = "whooping cough"
    synonym.save()  # searchable at once, as any change an editor saves
    assert found(client, "hacking") == ["NCT00002072"]


def test_title_and_condition_matches_come_before_mentions_in_a_summary(client, db):
    make_trial(
        "NCT00002021",
        brief_title="Sleep after surgery",
        registry_summary="Some people have psoriasis.",
        **fresh(status="RECRUITING"),
    )
    make_trial(
        "NCT00002022", brief_title="Cream study", conditions=["Psoriasis"], status="COMPLETED"
    )
    assert found(client, "psoriasis") == ["NCT00002022", "NCT00002021"]


def test_a_whole_phrase_beats_scattered_words(client, db):
    make_trial(
        "NCT00002031",
        brief_title="Heart rhythm and kidney failure",
        **fresh(status="RECRUITING"),
        last_updated_at="2026-11-01T00:00:00Z",
    )
    make_trial(
        "NCT00002032",
        brief_title="Nurse visits",
        conditions=["Heart Failure"],
        **fresh(status="RECRUITING"),
        last_updated_at="2020-01-01T00:00:00Z",
    )
    assert found(client, "heart failure") == ["NCT00002032", "NCT00002031"]


def test_a_stale_open_status_ranks_below_a_fresh_one(client, db):
    make_trial(
        "NCT00002041",
        brief_title="Gout walk",
        conditions=["Gout"],
        status="RECRUITING",
        status_verified_on=TODAY - dt.timedelta(days=800),
        completion_date=NEXT_YEAR,
        last_updated_at="2026-11-01T00:00:00Z",
    )
    make_trial(
        "NCT00002042",
        brief_title="Gout app",
        conditions=["Gout"],
        status="RECRUITING",
        status_verified_on=LAST_MONTH,
        completion_date=TODAY - dt.timedelta(days=10),
    )
    make_trial(
        "NCT00002043",
        brief_title="Gout diet",
        conditions=["Gout"],
        last_updated_at="2019-01-01T00:00:00Z",
        **fresh(status="RECRUITING"),
    )
    make_trial(
        "NCT00002044",
        brief_title="Gout drug",
        conditions=["Gout"],
        status="COMPLETED",
        status_verified_on=LAST_MONTH,
    )
    ranked = found(client, "gout")
    assert ranked[0] == "NCT00002043"
    assert set(ranked[1:3]) == {"NCT00002041", "NCT00002042"}
    assert ranked[3] == "NCT00002044"


def test_open_trials_are_listed_first_past_the_result_limit(client, db, monkeypatch):
    monkeypatch.setattr("trials.search.RESULT_LIMIT", 3)
    for n in range(4):
        make_trial(f"NCT0000205{n}", brief_title=f"Gout study {n}", status="COMPLETED")
    make_trial("NCT00002059", brief_title="Gout trial open now", **fresh(status="RECRUITING"))
    assert found(client, "gout")[0] == "NCT00002059"
