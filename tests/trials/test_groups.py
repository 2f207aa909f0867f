import pytest

from trials.groups import (
    BLOOD_CANCERS,
    BRAIN,
    EYES,
    GROUPS,
    HEART,
    LUNGS,
    PAIN,
    SOLID_TUMORS,
    TERM_GROUPS,
    groups_for,
)

EXAMPLE_TERMS = ["Carcinoma, Neuroendocrine", "Small Cell Lung Carcinoma", "Recurrence"]
EXAMPLE_ANCESTORS = [
    "Neuroendocrine Tumors",
    "Neoplasms, Germ Cell and Embryonal",
    "Neoplasms by Histologic Type",
    "Neoplasms",
    "Carcinoma, Bronchogenic",
    "Lung Neoplasms",
    "Thoracic Neoplasms",
    "Neoplasms by Site",
    "Lung Diseases",
    "Respiratory Tract Diseases",
]


def test_the_example_trial_is_a_solid_tumor_only():
    assert groups_for(EXAMPLE_TERMS, EXAMPLE_ANCESTORS) == [SOLID_TUMORS]


@pytest.mark.parametrize(
    ("terms", "ancestors", "groups"),
    [
        (["Leukemia, Myeloid, Acute"], ["Leukemia, Myeloid", "Leukemia"], [BLOOD_CANCERS]),
        (
            ["Multiple Myeloma"],
            ["Neoplasms, Plasma Cell", "Hemostatic Disorders", "Vascular Diseases"],
            [BLOOD_CANCERS],
        ),
        (["Lymphoma, Non-Hodgkin"], ["Lymphoma", "Lymphoproliferative Disorders"], [BLOOD_CANCERS]),
        (["Breast Neoplasms"], ["Neoplasms by Site", "Breast Diseases"], [SOLID_TUMORS]),
        (["Glioblastoma"], ["Astrocytoma", "Glioma"], [SOLID_TUMORS]),
        (["Neoplasms"], [], [SOLID_TUMORS, BLOOD_CANCERS]),
        # A cancer's own non-cancer terms still count; its organ ancestors do not.
        (["Lung Neoplasms", "Cancer Pain"], ["Lung Diseases", "Pain"], [SOLID_TUMORS, PAIN]),
        (
            ["Asthma"],
            ["Bronchial Diseases", "Lung Diseases"],
            [LUNGS, "Immune system and allergies"],
        ),
        (["Stroke"], ["Cerebrovascular Disorders", "Vascular Diseases"], [HEART, BRAIN]),
        (["Macular Degeneration"], ["Retinal Diseases", "Eye Diseases"], [EYES]),
        # Precancerous conditions and cysts sit under Neoplasms in MeSH, but are not cancer.
        (["Cysts"], ["Neoplasms"], []),
        (["Tumor Virus Infections"], ["Virus Diseases"], ["Infections"]),
        ([], [], []),
    ],
)
def test_terms_and_ancestors_give_the_groups_patients_look_under(terms, ancestors, groups):
    assert sorted(groups_for(terms, ancestors)) == sorted(groups)


def test_every_mapped_term_names_a_known_group():
    assert {group for groups in TERM_GROUPS.values() for group in groups} <= set(GROUPS)
    assert all(description.endswith(".") for description in GROUPS.values())
