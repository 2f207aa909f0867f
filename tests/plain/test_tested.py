"""What a study tests is named and counted, and every sentence agrees with how many things of
which kinds it tests: one drug, two drugs, three or more, or a drug with a device or a
program."""

import json
import re

import pytest

from plain.facts import Intervention, TrialFacts, design_from_record, facts_from_mapping
from plain.writer import HEADLINE_LIMIT, sentences, write
from tests.trials.ctgov import SHARED
from trials.importer import map_study

# Words about one thing next to a thing said in the plural, or the other way round.
DISAGREEING = re.compile(
    r"\bthe (drugs|devices|treatments|programs|procedures) (works|is)\b|"
    r"\bthe (drug|device|treatment|program|procedure) (work|are)\b|"
    r"\bthe (drugs|devices|treatments) may not work, and it\b|"
    r"\bIf it works, the (drugs|devices|treatments)\b"
)


def trial(*interventions: tuple[str, str], **more) -> TrialFacts:
    facts = {
        "study_type": "INTERVENTIONAL",
        "phase": "PHASE2",
        "status": "RECRUITING",
        "primary_purpose": "TREATMENT",
        "conditions": ("Carcinoma, Non-Small-Cell Lung",),
        "allocation": "RANDOMIZED",
        "intervention_model": "PARALLEL",
        "masking": "NONE",
        "arm_kinds": ("EXPERIMENTAL", "ACTIVE_COMPARATOR"),
        "enrollment": 120,
        "enrollment_is_estimate": True,
        "minimum_age": "18 Years",
        "site_count": 4,
        "countries": ("France",),
    }
    interventions = tuple(Intervention(kind, name) for kind, name in interventions)
    return TrialFacts(**{**facts, **more}, interventions=interventions)


def everything(text) -> str:
    return " ".join([text.headline, text.summary, text.could_lead_to, text.could_go_wrong])


def test_one_drug_is_the_drug_it_works():
    text = write(trial(("DRUG", "Osimertinib")))
    assert text.headline == "Testing the drug osimertinib for non-small cell lung cancer"
    assert "It tests a drug called osimertinib in adults aged 18 or older" in text.summary
    assert "it checks if the drug works and keeps checking that it is safe" in text.summary
    assert "The drug may not work, and it may have side effects" in text.could_go_wrong
    assert "If it works, a larger study could compare it with current care." in text.could_lead_to
    assert not DISAGREEING.search(everything(text))


def test_two_drugs_are_the_drugs_they_work():
    text = write(trial(("DRUG", "Osimertinib"), ("DRUG", "Gefitinib")))
    assert text.headline == "Testing osimertinib and gefitinib for non-small cell lung cancer"
    assert "It tests two drugs, osimertinib and gefitinib, in adults" in text.summary
    assert "it checks if the drugs work and keeps checking that they are safe" in text.summary
    assert "The drugs may not work, and they may have side effects" in text.could_go_wrong
    assert "If they work, a larger study could compare them" in text.could_lead_to
    assert "the drug " not in everything(text)
    assert not DISAGREEING.search(everything(text))


def test_three_drugs_are_each_named_in_the_summary_and_the_headline():
    text = write(trial(("DRUG", "Cladribine"), ("DRUG", "Cytarabine"), ("DRUG", "Decitabine")))
    assert text.headline == (
        "Testing cladribine, cytarabine and decitabine for non-small cell lung cancer"
    )
    assert "It tests three drugs: cladribine, cytarabine and decitabine." in text.summary
    assert "a drug" not in text.summary and "the drug " not in everything(text)
    assert "the drugs work" in text.summary
    assert not DISAGREEING.search(everything(text))


def test_a_long_list_names_the_first_three_and_the_headline_counts_them():
    names = ["Gemtuzumab ozogamicin", "Liposomal daunorubicin", "Mitoxantrone"]
    names += ["Fludarabine", "Cytarabine", "Busulfan", "Cyclophosphamide"]
    text = write(trial(*(("DRUG", name) for name in names), phase="PHASE3"))
    assert text.headline == "Testing seven drugs for non-small cell lung cancer"
    assert len(text.headline) <= HEADLINE_LIMIT
    assert re.search(r"It tests seven drugs, including gemtuzumab ozogamicin", text.summary)
    assert "a large test of whether the drugs work better" in text.summary
    assert "A good result could help the drugs get approved" in text.could_lead_to


def test_three_names_too_long_for_a_headline_are_counted_there_and_named_below():
    names = ["Pembrolizumab", "Enfortumab vedotin", "Carboplatin"]
    text = write(
        trial(
            *(("DRUG", name) for name in names),
            conditions=("Carcinoma, Transitional Cell", "Urinary Bladder Neoplasms"),
        )
    )
    assert len(text.headline) <= HEADLINE_LIMIT
    assert text.headline.startswith("Testing three drugs for")
    assert "three drugs: pembrolizumab, enfortumab vedotin and carboplatin." in text.summary


def test_a_drug_and_a_device_are_treatments_and_only_the_drug_is_a_substance():
    text = write(trial(("DRUG", "Insulin glargine"), ("DEVICE", "Pen injector CX1")))
    assert "It tests a drug called insulin glargine and a device called pen injector CX1" in (
        text.summary
    )
    assert "it checks if the treatments work and keeps checking that they are safe" in (
        text.summary
    )
    assert "The treatments may not work, and they may have side effects" in text.could_go_wrong
    assert text.active_substance == "Insulin glargine (a drug)"
    assert not DISAGREEING.search(everything(text))


def test_a_drug_and_a_talking_therapy_are_named_with_their_kinds():
    text = write(
        trial(
            ("DRUG", "Sertraline"),
            ("BEHAVIORAL", "Cognitive behavioral therapy"),
            phase="PHASE4",
            conditions=("Depression",),
        )
    )
    assert (
        "It tests a drug called sertraline and a talking therapy called cognitive behavioral "
        "therapy"
    ) in text.summary
    assert "the treatments are already approved, and this study learns more about them" in (
        text.summary
    )
    assert "The treatments may not work as well for you, and they can have side effects" in (
        text.could_go_wrong
    )
    assert text.active_substance == "Sertraline (a drug)"


def test_three_things_of_two_kinds_are_listed_by_kind():
    text = write(trial(("DRUG", "Olaparib"), ("DRUG", "Cisplatin"), ("RADIATION", "Radiotherapy")))
    assert (
        "It tests three treatments: the drugs olaparib and cisplatin, and a radiation "
        "treatment called radiotherapy."
    ) in text.summary
    assert text.headline == (
        "Testing olaparib, cisplatin and radiotherapy for non-small cell lung cancer"
    )


def test_the_same_thing_listed_twice_counts_once():
    text = write(trial(("DRUG", "Chemotherapy"), ("DRUG", "Alflutinib"), ("DRUG", "chemotherapy")))
    assert "It tests two drugs, chemotherapy and alflutinib, in adults" in text.summary


def test_a_dose_is_neither_a_second_medicine_nor_part_of_the_name():
    text = write(trial(("DRUG", "Teneligliptin 20mg/day + Atorvastatin 40mg/day")))
    assert "two drugs, teneligliptin and atorvastatin," in text.summary
    assert "day" not in text.summary.replace("today", "")


def written(nct_id: str):
    record = json.loads((SHARED / f"{nct_id}.json").read_text())
    study = map_study(record)
    return write(facts_from_mapping(study.facts, design_from_record(record), study.locations))


@pytest.mark.parametrize(
    "nct_id, tested, thing",
    [
        ("NCT03884829", "It tests a drug called CYC140 in", "the drug works"),
        ("NCT05773092", "It tests two drugs, S-1 and osimertinib, in", "the drugs work"),
        (
            "NCT01515527",
            "It tests three drugs: cladribine, cytarabine and decitabine.",
            "the drugs work",
        ),
        (
            "NCT03937544",
            "It tests three treatments: a cell therapy called CD19 CAR-T CELLS, and the drugs "
            "cyclophosphamide and fludarabine.",
            "the treatments work",
        ),
        (
            "NCT03863535",
            "This study tests a drug called conbercept and a procedure called panretinal "
            "coagulation.",
            "",
        ),
    ],
)
def test_real_records_with_one_two_three_and_mixed_things_tested(nct_id, tested, thing):
    text = written(nct_id)
    assert tested in text.summary
    assert thing in everything(text)
    assert 3 <= len(sentences(text.summary)) <= 5
    assert not DISAGREEING.search(everything(text))


def test_a_vehicle_is_a_placebo_not_a_second_drug():
    text = write(trial(("DRUG", "ACCU-D1"), ("DRUG", "Vehicle"), arm_kinds=("EXPERIMENTAL",)))
    assert "It tests a drug called ACCU-D1 in" in text.summary
    assert "some get a placebo" in text.summary
    assert text.active_substance == "ACCU-D1 (a drug)"


def test_forms_of_one_drug_are_one_drug():
    text = written("NCT05819398")  # spesolimab “formulation 1” and “formulation 2”
    assert text.headline.startswith("Testing the drug spesolimab for hidradenitis")
    assert "It tests a drug called spesolimab in adults" in text.summary
    assert "two drugs" not in everything(text)
    assert text.active_substance == "Spesolimab (a drug)"
    regimens = write(trial(("DRUG", "SNDX-5613"), *(("DRUG", f"Chemo Regimen {n}") for n in "12")))
    assert "It tests two drugs, SNDX-5613 and chemo, in" in regimens.summary


def test_a_medicine_whose_code_starts_like_a_scan_is_still_tested():
    text = written("NCT00576225")  # “CT-2103/carboplatin” against “paclitaxel/carboplatin”
    assert "It tests three drugs: CT-2103, carboplatin and paclitaxel." in text.summary
    assert text.active_substance.startswith("CT-2103 (a drug);")
    scan = write(trial(("DRUG", "Osimertinib"), ("OTHER", "CT scan")))
    assert "It tests a drug called osimertinib in" in scan.summary


def test_flu_vaccines_known_by_their_short_names_are_vaccines():
    text = written("NCT02967393")  # ccIIV4 and IIV4
    assert "It tests two vaccines, ccIIV4 and IIV4, in children" in text.summary
    assert text.active_substance == "ccIIV4 (a vaccine); IIV4 (a vaccine)"
    assert "drug" not in everything(text)


@pytest.mark.parametrize(
    "nct_id, tested, substance",
    [
        # Filed as “combination products”: fusion devices, a program, radiotherapy with a drug.
        ("NCT04550923", "tests two devices", ""),
        ("NCT04581499", "tests a program called DynamiCare motivation support program", ""),
        (
            "NCT03955198",
            "tests a radiation treatment called radiotherapy and a drug called durvalumab",
            "durvalumab (a drug)",
        ),
        # Filed as “genetic” and “radiation”: a blood sample and a scan are tests.
        ("NCT02585739", "tests a test called blood sample", ""),
        ("NCT03076658", "tests a test called EOS imaging", ""),
    ],
)
def test_what_a_registrant_files_under_a_medicine_type_is_named_for_what_it_is(
    nct_id, tested, substance
):
    text = written(nct_id)
    assert tested in text.summary
    assert text.active_substance == substance
    assert not re.search(r"drugs? given with a device|gene therapy", everything(text))


def test_the_usual_care_alone_is_what_the_tested_thing_is_compared_with():
    text = written("NCT03433391")  # Oxiplex against “Surgery Only”
    assert text.headline == "Testing the device oxiplex for herniated lumbar disk"
    assert "tests a device called oxiplex in adults" in text.summary
    assert "surgery only" not in everything(text).lower()


def test_words_before_a_name_that_only_say_its_kind_are_left_out():
    supplement = written("NCT00405041")  # “Dietary supplement GVG 2”
    assert "It tests a dietary supplement called GVG 2 in adults" in supplement.summary
    assert supplement.headline.startswith("Testing the dietary supplement GVG 2 for")
    app = written("NCT04723056")  # “Use of Zemedy Application”
    assert app.headline == "Testing zemedy application for irritable bowel syndrome (IBS)"
    assert "an app or digital tool called zemedy application in adults" in app.summary


def test_two_doses_of_one_thing_are_one_thing():
    # “Hyaluronic acid 75 mg/capsule” and “Hyaluronic acid 50 mg/capsule”, and a placebo.
    text = written("NCT05803083")
    assert "tests a dietary supplement called hyaluronic acid in women aged 30 to 60." in (
        text.summary
    )
    assert "two" not in everything(text) and "capsule" not in everything(text)


def test_one_drug_taken_on_different_schedules_is_one_drug():
    text = written("NCT04402008")  # poziotinib once daily, twice daily, or either
    assert "It tests a drug called poziotinib in adults" in text.summary
    assert text.active_substance == "Poziotinib (a drug)"
    assert "three drugs" not in everything(text)


@pytest.mark.parametrize(
    "kind, name, tested",
    [
        ("OTHER", "application MARO", "an app or online program called MARO"),
        ("OTHER", "Telephone by nurse", "an approach called telephone by nurse"),
        ("DEVICE", "Digital therapeutics", "an app or digital tool in"),
        # Treatments by hand or by movement are physical therapies.
        ("OTHER", "Kinesio taping", "a physical therapy called kinesio taping"),
        ("PROCEDURE", "Mechanical traction", "a physical therapy called mechanical traction"),
        ("OTHER", "Conventional Physiotherapy", "a physical therapy in"),
        ("PROCEDURE", "Endoscopic extraction of disc tissue", "a procedure called"),
    ],
)
def test_a_name_tells_the_kind_and_the_kind_is_not_repeated_from_the_name(kind, name, tested):
    # An app without the word “app”, a phone call that is no app, taping and traction that
    # are physical therapies, and an “extraction” that is no traction.
    text = write(trial((kind, name), phase="NA"))
    assert f"This study tests {tested}" in text.summary


def test_a_medicine_and_another_therapy_are_not_merged_into_two_therapies():
    text = write(
        trial(
            ("BIOLOGICAL", "Mesenchymal stem cell suspension"),
            ("OTHER", "Physical therapy"),
            phase="PHASE1",
        )
    )
    assert "It tests a cell therapy called mesenchymal stem cell suspension and a physical " in (
        text.summary
    )
    assert "two therapies" not in everything(text)


def test_the_word_group_after_a_name_is_not_part_of_it():
    text = written("NCT05463224")  # “Lazertinib group”
    assert text.headline == "Testing the drug lazertinib for non-small cell lung cancer"
    assert text.active_substance == "Lazertinib (a drug)"
