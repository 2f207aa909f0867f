"""The words written from a trial's facts state those facts, for each kind of study."""

import dataclasses
import re

import pytest

from plain.facts import Intervention, TrialFacts
from plain.writer import HEADLINE_LIMIT, MAX_SENTENCE_WORDS, write
from trials.readability import reading_grade

DRUG_WORDS = re.compile(r"\b(drugs?|medicines?|medications?)\b", re.I)

RANDOMISED_PLACEBO = TrialFacts(
    study_type="INTERVENTIONAL",
    phase="PHASE3",
    status="COMPLETED",
    conditions=("Cluster Headache",),
    interventions=(Intervention("DRUG", "Eptinezumab"), Intervention("DRUG", "Placebo")),
    allocation="RANDOMIZED",
    intervention_model="PARALLEL",
    primary_purpose="TREATMENT",
    masking="DOUBLE",
    who_masked=("PARTICIPANT", "INVESTIGATOR"),
    arm_kinds=("EXPERIMENTAL", "PLACEBO_COMPARATOR"),
    enrollment=231,
    minimum_age="18 Years",
    maximum_age="75 Years",
    start_year=2020,
    completion_year=2023,
    site_count=120,
    countries=("United States", "Germany", "Japan"),
)
SINGLE_GROUP = TrialFacts(
    study_type="INTERVENTIONAL",
    phase="PHASE1",
    status="RECRUITING",
    conditions=("Leukemia, Myeloid, Acute",),
    interventions=(Intervention("BIOLOGICAL", "CD123 CAR-T cells"),),
    allocation="NA",
    intervention_model="SINGLE_GROUP",
    primary_purpose="TREATMENT",
    masking="NONE",
    arm_kinds=("EXPERIMENTAL",),
    enrollment=45,
    enrollment_is_estimate=True,
    minimum_age="2 Years",
    maximum_age="75 Years",
    start_year=2019,
    completion_year=2024,
    completion_is_estimate=True,
    site_count=1,
    countries=("China",),
)
COHORT = TrialFacts(
    study_type="OBSERVATIONAL",
    status="RECRUITING",
    conditions=("Leukemia, Lymphocytic, Chronic, B-Cell",),
    observational_model="COHORT",
    time_perspective="PROSPECTIVE",
    enrollment=200,
    enrollment_is_estimate=True,
    minimum_age="18 Years",
    start_year=2022,
    completion_year=2026,
    site_count=35,
    countries=("Germany",),
)
EXPANDED_ACCESS = TrialFacts(
    study_type="EXPANDED_ACCESS",
    status="AVAILABLE",
    conditions=("Carcinoma, Non-Small-Cell Lung",),
    interventions=(Intervention("DRUG", "AZD2693"),),
    sex="FEMALE",
    minimum_age="18 Years",
    site_count=2,
    countries=("United States",),
)
DEVICE_WITH_SHAM = TrialFacts(
    study_type="INTERVENTIONAL",
    phase="NA",
    status="COMPLETED",
    conditions=("Intervertebral Disc Displacement", "Low Back Pain"),
    interventions=(
        Intervention("DEVICE", "Sustained Acoustic Medicine"),
        Intervention("DEVICE", "Sham Device"),
    ),
    allocation="RANDOMIZED",
    intervention_model="PARALLEL",
    primary_purpose="TREATMENT",
    masking="TRIPLE",
    who_masked=("PARTICIPANT", "INVESTIGATOR", "OUTCOMES_ASSESSOR"),
    arm_kinds=("EXPERIMENTAL", "SHAM_COMPARATOR"),
    enrollment=65,
    minimum_age="18 Years",
    maximum_age="60 Years",
    start_year=2015,
    completion_year=2016,
    site_count=3,
    countries=("United States",),
)
EVERY_KIND = [RANDOMISED_PLACEBO, SINGLE_GROUP, COHORT, EXPANDED_ACCESS, DEVICE_WITH_SHAM]


def everything(text) -> str:
    return " ".join(
        [text.headline, text.summary, text.active_substance]
        + [text.could_lead_to, text.could_go_wrong]
    )


def test_a_randomised_placebo_trial_states_its_phase_groups_placebo_size_and_places():
    text = write(RANDOMISED_PLACEBO)
    assert text.headline == "Testing the drug eptinezumab for cluster headache"
    assert "This is a phase 3 study" in text.summary
    assert "adults aged 18 to 75 with cluster headache" in text.summary
    assert "People are put into groups by chance, and some get a placebo" in text.summary
    assert "Neither they nor their doctors know" in text.summary
    assert (
        "It included 231 people at 120 places in 3 countries, from 2020 to 2023, and has finished."
    ) in text.summary
    assert text.active_substance == "Eptinezumab (a drug)"
    assert "approved for cluster headache" in text.could_lead_to
    assert (
        "You might get a placebo, a dummy with no active substance, instead of the drug."
    ) in text.could_go_wrong


def test_a_single_group_phase_1_trial_says_everyone_gets_it_and_what_phase_1_is():
    text = write(SINGLE_GROUP)
    assert "a cell therapy called CD123 CAR-T cells" in text.summary
    assert "one of the first tests in people, mostly to check safety" in text.summary
    assert "people aged 2 to 75 with acute myeloid leukemia" in text.summary
    assert "Everyone in it gets the cell therapy." in text.summary
    assert "It plans to include 45 people at one place in China, from 2019 to 2024." in text.summary
    assert "placebo" not in everything(text)
    assert "It is looking for people to join now." in text.summary
    assert text.active_substance == "CD123 CAR-T cells (a cell therapy)"
    assert "larger studies could test whether the cell therapy works" in text.could_lead_to


def test_an_observational_cohort_gives_nobody_a_treatment_and_never_speaks_of_a_drug():
    text = write(COHORT)
    assert text.headline.startswith("Following people with")
    assert "This is an observational study: nobody is given a treatment for it." in text.summary
    assert "follows a group of people over time" in text.summary
    assert "adults aged 18 or older" in text.summary
    assert "200 people at 35 places in Germany" in text.summary
    assert text.active_substance == ""
    assert "It does not test a treatment." in text.could_lead_to
    assert not DRUG_WORDS.search(everything(text))
    assert "placebo" not in everything(text) and "phase" not in everything(text)


def test_expanded_access_says_what_it_is_and_that_it_shows_nothing_about_working():
    text = write(EXPANDED_ACCESS)
    assert text.headline.startswith("Early access to the drug AZD2693")
    assert "This is expanded access" in text.summary
    assert "It tests a drug called AZD2693 in women aged 18 or older" in text.summary
    assert "It is open to people now." in text.summary
    assert "not set up to show whether the treatment works" in text.could_lead_to


def test_a_device_trial_with_a_sham_speaks_of_the_device_and_the_sham_never_a_drug():
    text = write(DEVICE_WITH_SHAM)
    assert text.headline == (
        "Testing sustained acoustic medicine for slipped (herniated) disc or low back pain"
    )
    assert "This study tests a device called sustained acoustic medicine" in text.summary
    assert "People are put into groups by chance, and some get a sham." in text.summary
    assert "65 people at 3 places in the United States" in text.summary
    assert text.active_substance == ""
    assert "You might get a sham, a fake device that does nothing, instead." in text.could_go_wrong
    assert not DRUG_WORDS.search(everything(text).replace("sustained acoustic medicine", ""))


@pytest.mark.parametrize("facts", EVERY_KIND, ids=lambda f: f.study_type + f.phase)
def test_every_kind_reads_easily_in_short_sentences(facts):
    text = write(facts)
    assert len(text.headline) <= HEADLINE_LIMIT
    sentences = re.split(r"(?<=[.!?])\s+", text.summary)
    assert 3 <= len(sentences) <= 5
    for part in (text.summary, text.could_lead_to, text.could_go_wrong):
        for sentence in re.split(r"(?<=[.!?])\s+", part):
            assert len(sentence.split()) <= MAX_SENTENCE_WORDS, sentence
    assert reading_grade(text.summary) <= 8


def test_the_same_facts_always_give_the_same_words():
    assert write(RANDOMISED_PLACEBO) == write(RANDOMISED_PLACEBO)


def test_a_long_name_gives_way_to_its_kind_and_the_headline_stays_short():
    facts = TrialFacts(
        study_type="INTERVENTIONAL",
        phase="PHASE2",
        conditions=("Carcinoma, Non-Small-Cell Lung",),
        interventions=(
            Intervention(
                "BIOLOGICAL",
                "Autologous tumour infiltrating lymphocytes expanded ex vivo with interleukin",
            ),
        ),
    )
    text = write(facts)
    assert len(text.headline) <= HEADLINE_LIMIT
    assert "It tests a cell therapy in people with non-small cell lung cancer." in text.summary


def _drug_trial(*interventions, conditions=(), registrant_conditions=(), **more):
    return TrialFacts(
        study_type="INTERVENTIONAL",
        phase="PHASE2",
        primary_purpose="TREATMENT",
        conditions=conditions,
        registrant_conditions=registrant_conditions,
        interventions=tuple(Intervention("DRUG", name) for name in interventions),
        **more,
    )


def test_a_registrants_abbreviated_condition_is_written_out():
    text = write(_drug_trial("AZD2693", registrant_conditions=("NSCLC",)))
    assert text.headline == "Testing the drug AZD2693 for non-small cell lung cancer"
    assert "NSCLC" not in text.headline + text.summary


def test_one_entry_that_combines_medicines_is_said_to_be_two_without_the_route():
    text = write(_drug_trial("oral S-1 + oral osimertinib", conditions=("Lung Neoplasms",)))
    assert text.headline == "Testing S-1 and osimertinib for lung cancer"
    assert "two drugs, S-1 and osimertinib," in text.summary
    assert "oral" not in text.headline + text.summary
    assert "a drug called" not in text.summary


@pytest.mark.parametrize(
    "names, headline",
    [
        (("Docetaxel", "Bevacizumab"), "Testing docetaxel and bevacizumab for lung cancer"),
        (("Melatonin",), "Testing the drug melatonin for lung cancer"),
        (("AZD2693",), "Testing the drug AZD2693 for lung cancer"),
        (("semaglutide pill",), "Testing the drug semaglutide for lung cancer"),
        (("neratinib tablets",), "Testing the drug neratinib for lung cancer"),
        (("JS111 capsules",), "Testing the drug JS111 for lung cancer"),
        (("Platelet-rich plasma",), "Testing the drug platelet-rich plasma for lung cancer"),
    ],
)
def test_names_read_in_lower_case_without_their_dosage_form_and_codes_stay(names, headline):
    text = write(_drug_trial(*names, conditions=("Lung Neoplasms",)))
    assert text.headline == headline


def test_a_large_number_of_people_is_written_with_a_thousands_comma():
    text = write(_drug_trial("AZD2693", enrollment=6006, enrollment_is_estimate=True))
    assert "It plans to include 6,006 people" in text.summary


@pytest.mark.parametrize(
    "kind, name, purpose, headline",
    [
        (
            "DEVICE",
            "application validation",
            "DIAGNOSTIC",
            "Testing an app or digital tool to find or check",
        ),
        ("BEHAVIORAL", "study app", "TREATMENT", "Testing an app or online program for"),
        ("OTHER", "Intervention", "TREATMENT", "Testing an approach for"),
        ("OTHER", "isCGM", "TREATMENT", "Testing isCGM for"),
        ("BEHAVIORAL", "Educational", "TREATMENT", "Testing an advice program for"),
    ],
)
def test_a_name_that_only_says_what_kind_of_thing_it_is_gives_way_to_the_kind(
    kind, name, purpose, headline
):
    facts = TrialFacts(
        study_type="INTERVENTIONAL",
        primary_purpose=purpose,
        conditions=("Diabetes Mellitus",),
        interventions=(Intervention(kind, name),),
    )
    text = write(facts)
    assert text.headline.startswith(headline)
    if name != "isCGM":  # a code names its thing; the generic phrases appear nowhere
        assert name.lower() not in (text.headline + text.summary).lower()


def test_a_case_control_study_compares_people_with_and_without_the_condition():
    facts = TrialFacts(
        study_type="OBSERVATIONAL",
        observational_model="CASE_CONTROL",
        conditions=("Trigeminal Neuralgia",),
        minimum_age="19 Years",
    )
    assert write(facts).headline.startswith("Comparing people with and without trigeminal")
    without = dataclasses.replace(facts, conditions=())
    assert write(without).headline == "Comparing people with and without a condition"


def test_a_withdrawn_study_was_only_planned_and_a_stopped_one_planned_its_numbers():
    withdrawn = dataclasses.replace(SINGLE_GROUP, status="WITHDRAWN", enrollment=None)
    assert "It was planned at one place in China, from 2019 to 2024" in write(withdrawn).summary
    assert "It ran" not in write(withdrawn).summary
    stopped = dataclasses.replace(SINGLE_GROUP, status="TERMINATED")
    assert "It planned to include 45 people" in write(stopped).summary


def test_a_cohort_seen_once_is_a_one_time_look_not_followed_over_time():
    once = dataclasses.replace(COHORT, time_perspective="CROSS_SECTIONAL")
    text = write(once)
    assert text.headline.startswith("A one-time look at people with")
    assert "It looks at each person once, at one time." in text.summary
    assert "over time" not in text.headline + text.summary
    assert "over time" in write(COHORT).summary


def test_a_broad_term_gives_way_to_the_conditions_the_trial_names():
    facts = _drug_trial(
        "SAR443579",
        conditions=("Leukemia", "Neoplasms", "Recurrence", "Leukemia, Myeloid, Acute"),
    )
    text = write(facts)
    assert text.headline == (
        "Testing the drug SAR443579 for leukemia or acute myeloid leukemia (AML)"
    )
    assert "tumor" not in text.summary and "come back" not in text.summary
    alone = write(_drug_trial("SAR443579", conditions=("Neoplasms",)))
    assert alone.headline == "Testing the drug SAR443579 for cancer or tumor"


def test_a_prevention_study_names_only_what_it_tries_to_prevent():
    facts = TrialFacts(
        study_type="INTERVENTIONAL",
        primary_purpose="PREVENTION",
        conditions=("Surgical Wound Infection", "Diabetes Mellitus"),
        interventions=(Intervention("DEVICE", "Wound irrigation system"),),
        sex="FEMALE",
        minimum_age="41 Years",
        maximum_age="80 Years",
    )
    text = write(facts)
    assert text.headline == (
        "Testing the device wound irrigation system to prevent infection of a surgical wound"
    )
    assert "could help prevent infection of a surgical wound." in text.could_lead_to
    assert "diabetes" not in everything(text)
    treating = write(dataclasses.replace(facts, primary_purpose="TREATMENT"))
    assert "infection of a surgical wound or diabetes" in treating.summary


def test_healthy_people_named_as_a_condition_are_not_a_condition():
    facts = _drug_trial(
        "AZD2693", registrant_conditions=("Healthy Japanese Subjects",), healthy_volunteers=True
    )
    text = write(facts)
    assert text.headline == "Testing the drug AZD2693 in healthy volunteers"
    assert "with healthy" not in text.summary.lower()


def test_suicide_is_never_said_to_be_what_people_have():
    text = write(_drug_trial("OTX-202", conditions=("Suicide", "Suicide, Attempted")))
    assert text.headline == "Testing the drug OTX-202 for risk of suicide or past suicide attempts"
    assert "with suicide" not in text.summary


def test_a_placebo_app_is_a_dummy_that_does_nothing_not_one_without_a_substance():
    facts = dataclasses.replace(
        DEVICE_WITH_SHAM,
        interventions=(Intervention("DEVICE", "Parkinson's Application"),),
        arm_kinds=("EXPERIMENTAL", "PLACEBO_COMPARATOR"),
    )
    text = write(facts)
    assert "You might get a placebo, a dummy that does nothing, instead of the app" in (
        text.could_go_wrong
    )
    assert "substance" not in text.could_go_wrong


def test_an_age_in_minutes_is_not_read_as_years():
    # The record says “18 Minutes”: we repeat it, and do not call newborns adults.
    text = write(_drug_trial("AZD2693", minimum_age="18 Minutes", conditions=("Asthma",)))
    assert "in people aged 18 minutes or older with asthma" in text.summary
    assert "adults" not in text.summary
