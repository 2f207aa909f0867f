"""Over every real record we have: the written text states only the record's numbers, never
speaks of a drug where none is tested, agrees with how many things it tests, and reads at grade
8 or below in a summary of three to five sentences."""

import json
import re

import pytest

from plain.facts import design_from_record, facts_from_mapping, short_name
from plain.names import everyday_name
from plain.writer import HEADLINE_LIMIT, MAX_SENTENCE_WORDS, sentences, write
from tests.plain.test_tested import DISAGREEING
from tests.trials.ctgov import SHARED
from trials.importer import map_study
from trials.readability import reading_grade

RECORDS = sorted(SHARED.glob("NCT*.json"))
DRUG_TYPES = {"DRUG", "BIOLOGICAL", "GENETIC", "COMBINATION_PRODUCT"}
DRUG_WORDS = re.compile(r"\b(drugs?|medicines?|medications?)\b", re.I)
# Thousands written with commas (“6,006”) are the record's 6006.
NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?")


def written(path):
    record = json.loads(path.read_text())
    study = map_study(record)
    facts = facts_from_mapping(study.facts, design_from_record(record), study.locations)
    return record, study, facts, write(facts)


def test_there_are_hundreds_of_records():
    assert len(RECORDS) > 500


@pytest.mark.parametrize("path", RECORDS, ids=lambda path: path.stem)
def test_the_text_states_the_record_and_reads_easily(path):
    record, study, facts, text = written(path)
    everything = " ".join(
        [text.headline, text.summary, text.active_substance]
        + [text.could_lead_to, text.could_go_wrong]
    )
    # Every number is one the record gives, or a count of what it lists.
    known = {n.replace(",", "") for n in NUMBER.findall(json.dumps(record))}
    known |= {str(facts.site_count), str(len(facts.countries))}
    for number in NUMBER.findall(everything):
        number = number.replace(",", "")
        assert number in known, f"{number} is not in {path.name}: {everything}"

    # Nothing speaks of a drug unless a drug is tested (names from the record aside).
    if not {i["type"] for i in study.facts["interventions"]} & DRUG_TYPES:
        ours = everything
        names = [i["name"] for i in study.facts["interventions"]]
        names += [short_name(name) for name in names]
        names += [everyday_name(term) for term in facts.conditions + facts.registrant_conditions]
        for name in sorted(names, key=len, reverse=True):
            ours = ours.replace(name, "").replace(name.lower(), "")
        assert not DRUG_WORDS.search(ours), everything
        assert text.active_substance == ""

    assert text.headline and len(text.headline) <= HEADLINE_LIMIT
    assert text.summary and text.could_lead_to and text.could_go_wrong
    assert reading_grade(text.summary) <= 8, text.summary
    assert 3 <= len(sentences(text.summary)) <= 5, text.summary
    assert not DISAGREEING.search(everything), everything
    for part in (text.summary, text.could_lead_to, text.could_go_wrong):
        for sentence in sentences(part):
            assert len(sentence.split()) <= MAX_SENTENCE_WORDS, sentence
