"""What names a trial (trials/naming.py) is stored with the row by every way a trial is written,
so the search ranks by what the trial is called now."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from trials import importer
from trials.models import Condition, Trial
from trials.naming import NAME_COLUMNS, NAMING_FIELDS, names_of
from trials.ranking import Query

from .ctgov import REAL, demo_record, write
from .search_data import found, make_trial

pytestmark = pytest.mark.django_db


def stored_names(nct_id: str) -> dict[str, str]:
    return Trial.objects.filter(nct_id=nct_id).values(*NAME_COLUMNS).get()


def names_now(nct_id: str) -> dict[str, str]:
    """The names the trial's fields as stored make."""
    return names_of(Trial.objects.filter(nct_id=nct_id).values(*NAMING_FIELDS).get())


# The names themselves ---------------------------------------------------------------------


def test_own_names_are_the_titles_headlines_conditions_and_keywords_in_lower_case():
    names = names_of(
        {
            "headline": "Cells Against Lung Cancer",
            "generated_headline": "Testing a cell therapy",
            "brief_title": "CAR-T in SCLC",
            "acronym": "",
            "registrant_conditions": ["Small Cell Lung Cancer", None, 7],
            "keywords": ["CAR-T"],
        }
    )
    assert names["own_names"] == (
        "cells against lung cancer|testing a cell therapy|car-t in sclc"
        "|small cell lung cancer|car-t"
    )
    assert names["filed_names"] == ""


def test_filed_names_are_the_trials_own_mesh_terms_said_both_ways_without_ancestors():
    names = names_of(
        {
            "condition_names": "Leukemia, Myeloid, Acute",
            "mesh_terms": [
                {"id": "D015470", "term": "Leukemia, Myeloid, Acute"},
                {"id": "D007951", "term": "Leukemia", "type": "ancestor"},
                "not a term",
                {"id": "D0"},
            ],
        }
    )
    assert names["filed_names"] == (
        "leukemia, myeloid, acute|leukemia, myeloid, acute|acute myeloid leukemia"
    )
    assert "|leukemia|" not in f"|{names['filed_names']}|"


def test_what_follows_each_non_in_the_title_and_summaries_is_kept_in_short_runs():
    summary = "For non-small cell lung cancer. " + "x" * 300 + " Not for NON SMALL-cell."
    after = names_of(
        {
            "official_title": "A non|inferiority study",
            "registry_summary": summary,
            "plain_summary": "None yet.",
            "brief_title": "Not this non-small cell title",  # titles are names, not texts
        }
    )["after_non"].split("|")
    assert after[0] == " inferiority study"  # a "|" in the text never splits a run
    assert after[1].startswith("-small cell lung cancer. xxx") and len(after[1]) == 120
    assert after[2] == " small-cell."
    assert after[3] == "e yet."  # "none" too: the phrases looked for decide
    assert len(after) == 4
    assert names_of({"registry_summary": "Canon and anonymous"})["after_non"] == ""


# Every way a trial is written -------------------------------------------------------------


def test_an_import_stores_the_names_of_each_new_trial():
    importer.import_paths(sorted(REAL.glob("NCT*.json")))
    nct_ids = list(Trial.objects.values_list("nct_id", flat=True))
    assert len(nct_ids) >= 10
    for nct_id in nct_ids:
        names = stored_names(nct_id)
        assert names == names_now(nct_id)
        assert names["own_names"]
        filed = Trial.objects.filter(nct_id=nct_id).exclude(mesh_terms=[]).exists()
        assert bool(names["filed_names"]) == filed


def test_a_changed_record_rewrites_the_names_and_keeps_the_editors_headline(tmp_path):
    importer.import_paths([write(tmp_path, "v1.json", demo_record(1))])
    Trial.objects.filter(nct_id="NCT07509034").update(headline="Our words for this trial")
    changed = demo_record(1)
    changed["protocolSection"]["identificationModule"]["briefTitle"] = "A brand new title"
    importer.import_paths([write(tmp_path, "v2.json", changed)])

    names = stored_names("NCT07509034")
    assert names == names_now("NCT07509034")
    assert "|a brand new title|" in f"|{names['own_names']}|"
    assert names["own_names"].startswith("our words for this trial|")


def test_an_editors_headline_is_among_the_names_however_the_trial_is_saved():
    trial = make_trial("NCT01000001", brief_title="A study of an inhaler")
    trial.headline = "Breathing easier with a new inhaler"
    trial.save()
    assert stored_names(trial.nct_id)["own_names"].startswith("breathing easier")

    trial.headline = "A puffer for asthma"
    trial.save(update_fields=["headline"])
    assert stored_names(trial.nct_id) == names_now(trial.nct_id)
    assert stored_names(trial.nct_id)["own_names"].startswith("a puffer for asthma|")


def test_linking_or_renaming_a_condition_refiles_the_trial():
    trial = make_trial("NCT01000002", brief_title="A study")
    condition = Condition.objects.create(name="Sciatica")
    trial.conditions.add(condition)
    assert "sciatica" in stored_names(trial.nct_id)["filed_names"]

    condition.name = "Radiculopathy"
    condition.save()
    filed = stored_names(trial.nct_id)["filed_names"]
    assert "radiculopathy" in filed and "sciatica" not in filed
    assert stored_names(trial.nct_id) == names_now(trial.nct_id)


def test_the_demo_text_is_among_the_example_trials_names():
    call_command("load_demo", verbosity=0)
    names = stored_names("NCT07509034")
    assert names == names_now("NCT07509034")
    assert names["own_names"].startswith("engineered immune cells take aim at deadly lung cancer|")


def test_the_search_ranks_by_the_headline_an_editor_just_wrote(client, vocabulary):
    # Both mention asthma only in a summary, until an editor names the first after it.
    for nct_id in ("NCT01000003", "NCT01000004"):
        make_trial(
            nct_id, brief_title="A breathing study", registry_summary="For people with asthma."
        )
    assert found(client, "asthma") == ["NCT01000004", "NCT01000003"]
    first = Trial.objects.get(nct_id="NCT01000003")
    first.headline = "A new inhaler for asthma"
    first.save()
    assert found(client, "asthma") == ["NCT01000003", "NCT01000004"]


# The rows stored before the names were -----------------------------------------------------


def test_the_migration_writes_the_names_of_rows_stored_before(monkeypatch):
    importer.import_paths(sorted(REAL.glob("NCT*.json")))
    Trial.objects.update(own_names="", filed_names="")
    migration = importlib.import_module("trials.migrations.0018_trial_names")
    monkeypatch.setattr(migration, "BATCH", 3)  # several batches
    # What of a schema editor the migration uses (SQLite's refuses to open inside a test).
    editor = SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)
    migration.write_names(apps, editor)
    for nct_id in Trial.objects.values_list("nct_id", flat=True):
        assert stored_names(nct_id) == names_now(nct_id)
        assert stored_names(nct_id)["own_names"]


# Reading the runs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("For non-small cell lung cancer.", True),
        ("In non small-cell lung cancers, stage IV", True),
        ("nonsmall cell lung carcinoma", True),  # a phrase the vocabulary adds
        ("NON-SMALL-CELL LUNG CANCER", True),
        ("Small cell lung cancer, and non-cancer controls", False),
        ("non-smoking adults with small cell lung cancer", False),
        ("non-small cell lung cancerous growths", False),
    ],
)
def test_a_phrase_right_after_non_in_a_trials_texts_is_a_negated_mention(vocabulary, text, negated):
    query = Query("small cell lung cancer")
    after_non = names_of({"registry_summary": text})["after_non"]
    assert query.matcher.negated(after_non) is negated


def test_a_single_word_after_non_is_no_negated_mention(vocabulary):
    # Only phrases of several words are looked for: "non-diabetic" still mentions diabetes.
    after_non = names_of({"registry_summary": "Diabetic and non-diabetic adults"})["after_non"]
    assert not Query("diabetic").matcher.negated(after_non)
