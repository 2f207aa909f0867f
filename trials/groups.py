"""Which patient-facing condition groups a trial belongs to, read from its MeSH condition tree.

ClinicalTrials.gov's derived section gives each trial its MeSH condition terms (`meshes`) and,
merged for the whole trial, their ancestors in the MeSH tree (`ancestors`). The record carries no
tree numbers, so the groups are found by name:

- Cancers first. A term names a solid tumor when it is a carcinoma, sarcoma, melanoma, glioma,
  blastoma or mesothelioma, a “… Tumor(s)”, or a tumor by site or tissue (“Lung Neoplasms”,
  “Neoplasms, Glandular and Epithelial”); leukemias, lymphomas, myelomas and the other
  hematologic neoplasms are blood cancers. A trial whose own term is cancer in general
  (“Neoplasms”, “Neoplasm Metastasis”) is in both groups, so every cancer trial is found with
  the others.
- A solid tumor's or blood cancer's other ancestors say where it grows (“Lung Diseases” above
  “Lung Neoplasms”): a patient with lung cancer looks under cancers, so for such a trial only its
  own terms that are not tumors add other groups (“Cancer Pain” adds “Pain”).
- Other trials are in every group one of their terms or ancestors maps to in `TERM_GROUPS`.
  Broad MeSH headings that mix unrelated conditions (“Nervous System Diseases”, which holds all
  pain; “Urogenital Diseases”; “Pathologic Processes”) map to nothing: their more specific
  descendants carry the meaning.
"""

import functools
import re
from collections.abc import Iterable

SOLID_TUMORS = "Solid tumors"
BLOOD_CANCERS = "Blood cancers"
BLOOD = "Blood disorders"
HEART = "Heart and blood vessels"
BRAIN = "Brain and nerves"
MENTAL = "Mental health"
METABOLISM = "Diabetes, hormones and metabolism"
LUNGS = "Lungs and breathing"
INFECTIONS = "Infections"
IMMUNE = "Immune system and allergies"
BONES = "Bones, joints and muscles"
DIGESTIVE = "Digestion and liver"
KIDNEYS = "Kidneys and urinary tract"
WOMEN = "Pregnancy and women's health"
MEN = "Men's health"
SKIN = "Skin"
EYES = "Eyes"
ENT = "Ear, nose, throat and mouth"
INJURIES = "Injuries and wounds"
PAIN = "Pain"
GENETIC = "Genetic and inherited conditions"

# Each group's name and what its page says about it.
GROUPS = {
    SOLID_TUMORS: "Cancers that form a lump or growth in an organ or tissue, such as lung, breast, "
    "bowel, prostate, skin or brain cancer, and neuroendocrine tumors.",
    BLOOD_CANCERS: "Cancers of the blood, bone marrow and lymph system: leukemia, lymphoma, "
    "myeloma and related conditions.",
    BLOOD: "Conditions of the blood that are not cancer, such as anemia, sickle cell disease "
    "and bleeding or clotting disorders.",
    HEART: "Conditions of the heart and blood vessels, such as heart failure, high blood "
    "pressure, heart rhythm problems, blocked arteries and blood clots.",
    BRAIN: "Conditions of the brain, spinal cord and nerves, such as stroke, epilepsy, "
    "migraine and other headaches, multiple sclerosis, Parkinson's and dementia.",
    MENTAL: "Mental health conditions, such as depression, anxiety, PTSD, schizophrenia, "
    "eating disorders and addiction.",
    METABOLISM: "Diabetes, weight, thyroid and other hormone and metabolism conditions.",
    LUNGS: "Conditions of the lungs and airways, such as asthma, COPD, pneumonia and sleep apnea.",
    INFECTIONS: "Infections caused by viruses, bacteria, fungi or parasites, such as COVID-19, "
    "HIV, hepatitis and sepsis.",
    IMMUNE: "Autoimmune conditions, allergies and other conditions of the immune system.",
    BONES: "Conditions of the bones, joints, spine and muscles, such as arthritis, osteoporosis "
    "and back problems.",
    DIGESTIVE: "Conditions of the stomach, bowel, liver and pancreas, such as Crohn's disease, "
    "ulcerative colitis and liver disease.",
    KIDNEYS: "Conditions of the kidneys and bladder, such as kidney failure and urinary problems.",
    WOMEN: "Pregnancy, fertility and conditions of the breasts, ovaries, womb and vulva.",
    MEN: "Conditions of the prostate and male reproductive organs, and male fertility.",
    SKIN: "Skin conditions, such as eczema, psoriasis, wounds that will not heal and skin "
    "infections.",
    EYES: "Eye conditions and vision problems, such as macular degeneration and glaucoma.",
    ENT: "Conditions of the ears, nose, throat, mouth and teeth, such as hearing loss and "
    "gum disease.",
    INJURIES: "Injuries and their effects, such as broken bones, burns and head or spinal "
    "cord injuries.",
    PAIN: "Long-lasting or hard-to-treat pain, such as back pain, nerve pain and pain after "
    "surgery.",
    GENETIC: "Conditions people are born with or inherit, including rare genetic diseases.",
}

# MeSH terms (descriptor names, as the registry spells them) and the groups they put a trial in.
TERM_GROUPS: dict[str, tuple[str, ...]] = {
    # Blood (not cancer)
    "Hematologic Diseases": (BLOOD,),
    "Anemia": (BLOOD,),
    "Anemia, Sickle Cell": (BLOOD, GENETIC),
    "Hemoglobinopathies": (BLOOD,),
    "Thalassemia": (BLOOD, GENETIC),
    "Blood Coagulation Disorders": (BLOOD,),
    "Blood Coagulation Disorders, Inherited": (BLOOD, GENETIC),
    "Hemophilia A": (BLOOD, GENETIC),
    "Hemorrhagic Disorders": (BLOOD,),
    "Blood Platelet Disorders": (BLOOD,),
    "Thrombocytopenia": (BLOOD,),
    "Neutropenia": (BLOOD,),
    "Bone Marrow Diseases": (BLOOD,),
    "Thrombophilia": (BLOOD,),
    # Heart and blood vessels
    "Cardiovascular Diseases": (HEART,),
    "Heart Diseases": (HEART,),
    "Vascular Diseases": (HEART,),
    "Hypertension": (HEART,),
    "Hypertension, Pulmonary": (HEART, LUNGS),
    "Myocardial Ischemia": (HEART,),
    "Myocardial Infarction": (HEART,),
    "Coronary Disease": (HEART,),
    "Coronary Artery Disease": (HEART,),
    "Heart Failure": (HEART,),
    "Arrhythmias, Cardiac": (HEART,),
    "Atrial Fibrillation": (HEART,),
    "Arteriosclerosis": (HEART,),
    "Atherosclerosis": (HEART,),
    "Arterial Occlusive Diseases": (HEART,),
    "Peripheral Vascular Diseases": (HEART,),
    "Peripheral Arterial Disease": (HEART,),
    "Embolism and Thrombosis": (HEART,),
    "Thrombosis": (HEART,),
    "Venous Thrombosis": (HEART,),
    "Varicose Veins": (HEART,),
    "Angina Pectoris": (HEART,),
    "Heart Defects, Congenital": (HEART, GENETIC),
    # Brain and nerves
    "Central Nervous System Diseases": (BRAIN,),
    "Brain Diseases": (BRAIN,),
    "Peripheral Nervous System Diseases": (BRAIN,),
    "Neuromuscular Diseases": (BRAIN,),
    "Neurodegenerative Diseases": (BRAIN,),
    "Movement Disorders": (BRAIN,),
    "Parkinson Disease": (BRAIN,),
    "Headache Disorders": (BRAIN,),
    "Migraine Disorders": (BRAIN,),
    "Epilepsy": (BRAIN,),
    "Seizures": (BRAIN,),
    "Cerebrovascular Disorders": (BRAIN, HEART),
    "Stroke": (BRAIN, HEART),
    "Dementia": (BRAIN,),
    "Alzheimer Disease": (BRAIN,),
    "Demyelinating Diseases": (BRAIN,),
    "Multiple Sclerosis": (BRAIN, IMMUNE),
    "Autoimmune Diseases of the Nervous System": (BRAIN, IMMUNE),
    "Cranial Nerve Diseases": (BRAIN,),
    "Spinal Cord Diseases": (BRAIN,),
    "Motor Neuron Disease": (BRAIN,),
    "Trauma, Nervous System": (BRAIN, INJURIES),
    "Neurocognitive Disorders": (BRAIN, MENTAL),
    "Sleep Wake Disorders": (BRAIN,),
    "Paralysis": (BRAIN,),
    "Nervous System Malformations": (BRAIN, GENETIC),
    "Neuralgia": (BRAIN, PAIN),
    "Polyneuropathies": (BRAIN,),
    "Diabetic Neuropathies": (BRAIN, METABOLISM),
    # Mental health
    "Mental Disorders": (MENTAL,),
    "Behavioral Symptoms": (MENTAL,),
    "Mood Disorders": (MENTAL,),
    "Depression": (MENTAL,),
    "Depressive Disorder": (MENTAL,),
    "Anxiety Disorders": (MENTAL,),
    "Schizophrenia Spectrum and Other Psychotic Disorders": (MENTAL,),
    "Trauma and Stressor Related Disorders": (MENTAL,),
    "Stress Disorders, Post-Traumatic": (MENTAL,),
    "Stress, Psychological": (MENTAL,),
    "Substance-Related Disorders": (MENTAL,),
    "Behavior, Addictive": (MENTAL,),
    "Feeding and Eating Disorders": (MENTAL,),
    "Neurodevelopmental Disorders": (MENTAL,),
    "Autism Spectrum Disorder": (MENTAL,),
    "Attention Deficit Disorder with Hyperactivity": (MENTAL,),
    "Self-Injurious Behavior": (MENTAL,),
    "Suicide": (MENTAL,),
    # Diabetes, hormones and metabolism
    "Endocrine System Diseases": (METABOLISM,),
    "Metabolic Diseases": (METABOLISM,),
    "Nutritional and Metabolic Diseases": (METABOLISM,),
    "Nutrition Disorders": (METABOLISM,),
    "Glucose Metabolism Disorders": (METABOLISM,),
    "Diabetes Mellitus": (METABOLISM,),
    "Thyroid Diseases": (METABOLISM,),
    "Overweight": (METABOLISM,),
    "Obesity": (METABOLISM,),
    "Lipid Metabolism Disorders": (METABOLISM,),
    # Lungs and breathing
    "Respiratory Tract Diseases": (LUNGS,),
    "Lung Diseases": (LUNGS,),
    "Lung Diseases, Obstructive": (LUNGS,),
    "Pulmonary Disease, Chronic Obstructive": (LUNGS,),
    "Bronchial Diseases": (LUNGS,),
    "Asthma": (LUNGS, IMMUNE),
    "Respiration Disorders": (LUNGS,),
    "Pneumonia": (LUNGS,),
    "Cystic Fibrosis": (LUNGS, GENETIC),
    "Sleep Apnea Syndromes": (LUNGS,),
    # Infections
    "Infections": (INFECTIONS,),
    "Communicable Diseases": (INFECTIONS,),
    "Virus Diseases": (INFECTIONS,),
    "Bacterial Infections": (INFECTIONS,),
    "Bacterial Infections and Mycoses": (INFECTIONS,),
    "Mycoses": (INFECTIONS,),
    "Parasitic Diseases": (INFECTIONS,),
    "Sexually Transmitted Diseases": (INFECTIONS,),
    "HIV Infections": (INFECTIONS,),
    "Respiratory Tract Infections": (INFECTIONS, LUNGS),
    "COVID-19": (INFECTIONS, LUNGS),
    "Sepsis": (INFECTIONS,),
    "Tuberculosis": (INFECTIONS, LUNGS),
    "Hepatitis": (INFECTIONS, DIGESTIVE),
    "Wound Infection": (INFECTIONS, INJURIES),
    # Immune system and allergies
    "Immune System Diseases": (IMMUNE,),
    "Autoimmune Diseases": (IMMUNE,),
    "Hypersensitivity": (IMMUNE,),
    "Immunologic Deficiency Syndromes": (IMMUNE,),
    "Graft vs Host Disease": (IMMUNE,),
    "Lupus Erythematosus, Systemic": (IMMUNE, SKIN),
    "Arthritis, Rheumatoid": (IMMUNE, BONES),
    # Bones, joints and muscles
    "Musculoskeletal Diseases": (BONES,),
    "Bone Diseases": (BONES,),
    "Joint Diseases": (BONES,),
    "Muscular Diseases": (BONES,),
    "Spinal Diseases": (BONES,),
    "Arthritis": (BONES,),
    "Osteoarthritis": (BONES,),
    "Osteoporosis": (BONES,),
    "Rheumatic Diseases": (BONES,),
    "Tendon Injuries": (BONES, INJURIES),
    # Digestion and liver
    "Digestive System Diseases": (DIGESTIVE,),
    "Gastrointestinal Diseases": (DIGESTIVE,),
    "Intestinal Diseases": (DIGESTIVE,),
    "Colonic Diseases": (DIGESTIVE,),
    "Inflammatory Bowel Diseases": (DIGESTIVE, IMMUNE),
    "Esophageal Diseases": (DIGESTIVE,),
    "Stomach Diseases": (DIGESTIVE,),
    "Liver Diseases": (DIGESTIVE,),
    "Pancreatic Diseases": (DIGESTIVE,),
    "Biliary Tract Diseases": (DIGESTIVE,),
    # Kidneys and urinary tract
    "Urologic Diseases": (KIDNEYS,),
    "Kidney Diseases": (KIDNEYS,),
    "Renal Insufficiency": (KIDNEYS,),
    "Urinary Bladder Diseases": (KIDNEYS,),
    "Urination Disorders": (KIDNEYS,),
    "Lower Urinary Tract Symptoms": (KIDNEYS,),
    # Pregnancy and women's health
    "Pregnancy Complications": (WOMEN,),
    "Puerperal Disorders": (WOMEN,),
    "Genital Diseases, Female": (WOMEN,),
    "Ovarian Diseases": (WOMEN,),
    "Uterine Diseases": (WOMEN,),
    "Vulvar Diseases": (WOMEN,),
    "Breast Diseases": (WOMEN,),
    "Endometriosis": (WOMEN,),
    "Infertility, Female": (WOMEN,),
    # Men's health
    "Genital Diseases, Male": (MEN,),
    "Prostatic Diseases": (MEN,),
    "Infertility, Male": (MEN,),
    "Erectile Dysfunction": (MEN,),
    # Skin
    "Skin Diseases": (SKIN,),
    "Dermatitis": (SKIN,),
    "Psoriasis": (SKIN, IMMUNE),
    "Skin Ulcer": (SKIN,),
    # Eyes
    "Eye Diseases": (EYES,),
    "Vision Disorders": (EYES,),
    "Retinal Diseases": (EYES,),
    # Ear, nose, throat and mouth
    "Otorhinolaryngologic Diseases": (ENT,),
    "Ear Diseases": (ENT,),
    "Hearing Disorders": (ENT,),
    "Nose Diseases": (ENT,),
    "Pharyngeal Diseases": (ENT,),
    "Stomatognathic Diseases": (ENT,),
    "Mouth Diseases": (ENT,),
    "Tooth Diseases": (ENT,),
    "Periodontal Diseases": (ENT,),
    # Injuries and wounds
    "Wounds and Injuries": (INJURIES,),
    "Fractures, Bone": (INJURIES, BONES),
    "Burns": (INJURIES, SKIN),
    "Craniocerebral Trauma": (INJURIES, BRAIN),
    "Spinal Cord Injuries": (INJURIES, BRAIN),
    # Pain
    "Pain": (PAIN,),
    "Chronic Pain": (PAIN,),
    "Back Pain": (PAIN, BONES),
    "Low Back Pain": (PAIN, BONES),
    "Musculoskeletal Pain": (PAIN, BONES),
    "Pain, Postoperative": (PAIN,),
    "Cancer Pain": (PAIN,),
    # Genetic and inherited conditions
    "Genetic Diseases, Inborn": (GENETIC,),
    "Congenital Abnormalities": (GENETIC,),
    "Chromosome Disorders": (GENETIC,),
}

_SOLID_WORDS = re.compile(
    r"carcinoma|sarcoma|melanoma|glioma|blastoma|mesothelioma|tumors?$|\bneoplasms?$|^neoplasms?, ",
    re.I,
)
_BLOOD_CANCER_WORDS = re.compile(r"leukemia|lymphoma|myeloma|macroglobulinemia", re.I)
BLOOD_CANCER_TERMS = {
    "Hematologic Neoplasms",
    "Neoplasms, Plasma Cell",
    "Myelodysplastic Syndromes",
    "Myeloproliferative Disorders",
    "Myelodysplastic-Myeloproliferative Diseases",
}
# Cancer in general: a trial whose own condition term is one of these is in both cancer groups.
GENERAL_CANCER_TERMS = {
    "Neoplasms",
    "Neoplasm Metastasis",
    "Neoplasm Recurrence, Local",
    "Neoplasms, Second Primary",
    "Neoplasms, Multiple Primary",
    "Neoplasms by Histologic Type",
    "Neoplasms by Site",
    "Neoplasm, Residual",
}
# Tumor-sounding terms that say nothing about which kind of cancer (or are not cancer at all).
NOT_SOLID_TERMS = GENERAL_CANCER_TERMS | BLOOD_CANCER_TERMS | {"Neoplastic Processes"}


@functools.cache
def is_blood_cancer(term: str) -> bool:
    return term in BLOOD_CANCER_TERMS or bool(_BLOOD_CANCER_WORDS.search(term))


@functools.cache
def is_solid_tumor(term: str) -> bool:
    if term in NOT_SOLID_TERMS or is_blood_cancer(term):
        return False
    return bool(_SOLID_WORDS.search(term))


def is_cancer(term: str) -> bool:
    return term in GENERAL_CANCER_TERMS or is_blood_cancer(term) or is_solid_tumor(term)


def groups_for(terms: Iterable[str], ancestors: Iterable[str] = ()) -> list[str]:
    """The condition groups for a trial's MeSH `terms` and their `ancestors`, in GROUPS order."""
    terms, ancestors = list(terms), list(ancestors)
    everything = terms + ancestors
    found: set[str] = set()
    if any(is_solid_tumor(term) for term in everything):
        found.add(SOLID_TUMORS)
    if any(is_blood_cancer(term) for term in everything):
        found.add(BLOOD_CANCERS)
    # A known kind of cancer's ancestors name the organ it grows in: only the trial's other own
    # terms add groups. Cancer in general says nothing of an organ, so it hides nothing.
    mapped = [term for term in terms if not is_cancer(term)] if found else everything
    if not found and any(term in GENERAL_CANCER_TERMS for term in terms):
        found.update((SOLID_TUMORS, BLOOD_CANCERS))
    for term in mapped:
        found.update(TERM_GROUPS.get(term, ()))
    return [name for name in GROUPS if name in found]
