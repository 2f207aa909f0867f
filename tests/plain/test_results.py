"""“What the study found” written from real posted results says each number in words a reader
can follow: no signs, no “at least 0%”, and counts that say whom they count."""

import json

from plain.results import summarise
from tests.trials.ctgov import SHARED
from trials.results.mapping import map_results


def found(nct_id: str):
    record = json.loads((SHARED / f"{nct_id}.json").read_text())
    status = record["protocolSection"]["statusModule"]["overallStatus"]
    return summarise(map_results(record), status=status)


def test_a_p_value_below_a_limit_is_said_in_words():
    summary = found("NCT01367860")
    outcomes = summary.main_results + summary.other_results
    analyses = [analysis for outcome in outcomes for analysis in outcome.analyses]
    assert any("a p-value of less than 0.05." in a for a in analyses)
    assert not any("<" in a for a in analyses)


def test_side_effects_listed_from_zero_percent_do_not_say_at_least_zero():
    summary = found("NCT04066023")
    assert summary.side_effects_note == (
        "The study listed other side effects. These were the most common."
    )
    assert "at least 5% of a group" in found("NCT00777179").side_effects_note


def test_an_age_in_the_registrys_singular_unit_reads_in_the_plural():
    assert "Half were younger than 61 years, and half were older." in (
        found("NCT00777179").participants
    )


def test_ages_and_sexes_of_fewer_people_than_took_part_say_how_many_they_describe():
    # 16 people started; the study described 8 of them (5 female, 3 male) at the start.
    participants = found("NCT00763412").participants
    assert participants[:2] == [
        "16 people took part.",
        "The study described 8 people when they joined.",
    ]
    assert "5 were female and 3 were male." in participants
    # Where the two counts agree there is nothing to explain.
    assert not any("described" in line for line in found("NCT00777179").participants)


def test_a_total_group_with_another_title_is_the_total_not_one_more_group():
    # The registrant titled the total “Total Title”: 158 + 159 = 317, not 634 people.
    summary = found("NCT02552212")
    assert summary.participants[:3] == [
        "317 people took part.",
        "Their average age was 37.3 years.",
        "163 were female and 154 were male.",
    ]


def first_result(nct_id: str) -> str:
    return found(nct_id).main_results[0].lines[0].text


def test_the_values_around_a_result_are_called_a_range_only_when_they_are_one():
    # A confidence interval is no range of people's values, nor is the middle half of them.
    assert first_result("NCT00356603").endswith(
        "the result was 93.9% (95% confidence interval 79.8 to 99.3)."
    )
    assert "confidence interval" in [term.name for term in found("NCT00356603").terms]
    middle = [line.text for o in found("NCT03608150").other_results for line in o.lines]
    assert any("(half of people between 48 and 99)" in line for line in middle)
    assert first_result("NCT00763412").endswith(
        "the average was 19.63 kg/m^2 (range 15.56 to 22.64)."
    )
