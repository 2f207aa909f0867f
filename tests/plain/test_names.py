import json
import re
import tomllib

import pytest

from plain import names
from plain.names import all_names, everyday_name, has_everyday_name, rule_name
from tests.trials.ctgov import REAL, SHARED


def test_it_names_the_issues_examples():
    assert everyday_name("Carcinoma, Non-Small-Cell Lung") == "non-small cell lung cancer"
    assert everyday_name("Intervertebral Disc Displacement") == "slipped (herniated) disc"
    assert everyday_name("Sleep Initiation and Maintenance Disorders") == "insomnia"
    assert (
        everyday_name("Precursor Cell Lymphoblastic Leukemia-Lymphoma")
        == "acute lymphoblastic leukemia (ALL)"
    )


def test_it_finds_a_term_whatever_its_case_and_spacing():
    assert everyday_name("  diabetes mellitus,  type 2 ") == "type 2 diabetes"
    assert everyday_name("") == ""


@pytest.mark.parametrize(
    ("term", "name"),
    [
        ("Leukemia, Myeloid, Acute", "acute myeloid leukemia"),
        ("Carcinoma, Renal Cell", "renal cell cancer"),
        ("Adenocarcinoma of Lung", "adenocarcinoma of lung"),
        ("Pancreatic Neoplasms", "pancreatic cancer"),
        ("Nose Neoplasms", "nose cancer"),
        ("Neoplasms, Germ Cell and Embryonal", "germ cell and embryonal tumors"),
        ("Salivary Gland Neoplasms", "salivary gland tumors"),
        ("Neoplasm Metastasis", "cancer that has spread"),
        ("Neoplasm, Residual", "residual tumor"),
        ("HIV Infections", "HIV infections"),
        ("Lymphoma, B-Cell, Marginal Zone", "marginal zone B-cell lymphoma"),
        ("Hodgkin Disease", "Hodgkin disease"),
        ("Sjogren's Syndrome", "Sjogren's syndrome"),
        ("Hemophilia B", "hemophilia B"),
        ("COVID-19 Breakthrough Infections", "COVID-19 breakthrough infections"),
        ("Diabetes Mellitus, Type 2", "type 2 diabetes mellitus"),
    ],
)
def test_the_rule_un_inverts_and_says_cancer_or_tumor(term, name):
    assert rule_name(term) == name


def test_unknown_terms_fall_back_to_the_rule():
    assert not has_everyday_name("Carcinoma, Renal Cell")
    assert everyday_name("Carcinoma, Renal Cell") == "renal cell cancer"


def test_the_table_is_well_formed():
    text = names.TABLE.read_text(encoding="utf-8")
    tomllib.loads(text)  # TOML itself refuses a term written twice
    terms = re.findall(r'^"([^"]+)" = ', text, re.M)
    assert len(terms) == len(all_names())
    folded = [term.casefold() for term in terms]
    assert len(folded) == len(set(folded)), "a term is listed twice in different case"
    for term, name in all_names().items():
        assert term == " ".join(term.split()), term
        assert name == " ".join(name.split()) and name, term
        assert len(name) <= 80, term
        # Names are used inside sentences: lower-case, unless they start with an
        # abbreviation (HIV, ALS) or a person's name (Parkinson's).
        first = name.split()[0].split("-")[0].removesuffix("'s")
        assert first.islower() or first.isupper() or first in names.EPONYMS, name
        assert name.count("(") == name.count(")"), name


def _condition_terms(path, kind="meshes") -> set[str]:
    record = json.loads(path.read_text())
    browse = record.get("derivedSection", {}).get("conditionBrowseModule", {})
    return {mesh["term"] for mesh in browse.get(kind, [])}


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared record collection is not here")
def test_the_table_names_the_conditions_of_nearly_every_shared_trial():
    trials = [_condition_terms(path) for path in sorted(SHARED.glob("*.json"))]
    with_terms = [terms for terms in trials if terms]
    covered = [terms for terms in with_terms if all(has_everyday_name(t) for t in terms)]
    assert len(with_terms) > 400
    assert len(covered) / len(with_terms) >= 0.95


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared record collection is not here")
def test_the_table_names_the_broader_groups_of_nearly_every_shared_trial():
    # Search reads the table as vocabulary: the records' ancestor terms are named too.
    trials = [_condition_terms(path, "ancestors") for path in sorted(SHARED.glob("*.json"))]
    with_terms = [terms for terms in trials if terms]
    covered = [terms for terms in with_terms if all(has_everyday_name(t) for t in terms)]
    assert len(covered) / len(with_terms) >= 0.95


def test_the_table_names_every_condition_in_the_fixtures():
    missing = set()
    for path in sorted(REAL.glob("NCT*.json")):
        missing |= {t for t in _condition_terms(path) if not has_everyday_name(t)}
    assert not missing


@pytest.mark.parametrize(
    "term, name",
    [
        ("NSCLC", "non-small cell lung cancer"),
        ("Advanced NSCLC", "advanced non-small cell lung cancer"),
        ("EGFR-mutant NSCLC", "EGFR-mutant non-small cell lung cancer"),
        ("T2DM", "type 2 diabetes"),
        # Already explained beside its long form, or part of a longer word: left alone.
        ("Non-small Cell Lung Cancer (NSCLC)", "non-small cell lung cancer (NSCLC)"),
        ("MS-related fatigue", "MS-related fatigue"),
        ("AMLexanox allergy", "AMLexanox allergy"),
    ],
)
def test_well_known_abbreviations_are_written_out(term, name):
    assert everyday_name(term) == name
