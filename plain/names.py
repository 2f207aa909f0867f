"""Everyday names for conditions: the words patients use for the registry's MeSH terms.

The names are ours, kept in `everyday_names.toml` beside this module (one line per MeSH term,
easy to read and edit). A term the table does not know gets a name by a readable rule:
un-invert MeSH's “X, Y” order, say cancer or tumor for carcinoma and neoplasm, and lower-case
the words while keeping abbreviations and people's names.
"""

import functools
import re
import tomllib
from pathlib import Path

TABLE = Path(__file__).with_name("everyday_names.toml")

# Diseases named after people keep their capital letter.
EPONYMS = frozenset(
    {
        "Addison",
        "Alzheimer",
        "Asperger",
        "Barrett",
        "Behcet",
        "Bell",
        "Burkitt",
        "Chagas",
        "Crohn",
        "Cushing",
        "Down",
        "Ebola",
        "Epstein",
        "Barr",
        "Ewing",
        "Fabry",
        "Gaucher",
        "Graves",
        "Guillain",
        "Barre",
        "Hashimoto",
        "Hirschsprung",
        "Hodgkin",
        "Huntington",
        "Kaposi",
        "Kawasaki",
        "Lyme",
        "Meniere",
        "Parkinson",
        "Peyronie",
        "Pompe",
        "Raynaud",
        "Reiter",
        "Rett",
        "Scheuermann",
        "Sjogren",
        "Still",
        "Tay",
        "Sachs",
        "Tourette",
        "Waldenstrom",
        "Whipple",
        "Wilms",
        "Wilson",
        "Zika",
    }
)

# MeSH's words for tumours, said the way patients say them.
_TUMOUR_WORDS = [
    (re.compile(r"\bneoplasm metastasis\b", re.I), "cancer that has spread"),
    (re.compile(r"\bcarcinomas?\b", re.I), "cancer"),
    (re.compile(r"\bneoplasms\b", re.I), "tumors"),
    (re.compile(r"\bneoplasm\b", re.I), "tumor"),
]
# Short forms registrants write for conditions, in the words patients know. Written out
# wherever they stand as a word of their own, in capitals as here.
ABBREVIATIONS = {
    "NSCLC": "non-small cell lung cancer",
    "SCLC": "small cell lung cancer",
    "HNSCC": "head and neck cancer",
    "HCC": "liver cancer",
    "RCC": "kidney cancer",
    "CRC": "bowel cancer",
    "mCRC": "bowel cancer that has spread",
    "TNBC": "triple-negative breast cancer",
    "mCRPC": "prostate cancer that has spread",
    "AML": "acute myeloid leukemia",
    "CLL": "chronic lymphocytic leukemia",
    "CML": "chronic myeloid leukemia",
    "DLBCL": "diffuse large B-cell lymphoma",
    "MDS": "myelodysplastic syndrome",
    "COPD": "chronic lung disease (COPD)",
    "CKD": "chronic kidney disease",
    "T1D": "type 1 diabetes",
    "T2D": "type 2 diabetes",
    "T2DM": "type 2 diabetes",
    "DM": "diabetes",
    "NASH": "fatty liver disease",
    "MASH": "fatty liver disease",
    "NAFLD": "fatty liver disease",
    "GERD": "acid reflux",
    "IBD": "inflammatory bowel disease",
    "RA": "rheumatoid arthritis",
    "MS": "multiple sclerosis",
    "ALS": "motor neurone disease (ALS)",
    "AF": "atrial fibrillation",
    "HF": "heart failure",
    "MI": "heart attack",
    "OSA": "sleep apnea",
}
_ABBREVIATION = re.compile(
    r"(?<![\w-])(" + "|".join(sorted(ABBREVIATIONS, key=len, reverse=True)) + r")(?![\w-])"
)
# Organ tumours are what people call “… cancer”, e.g. “Lung Neoplasms” → “lung cancer”.
_ORGAN_TUMOURS = re.compile(r"^(?P<organ>.+?) tumors$")
_WORD = re.compile(r"[A-Za-z][A-Za-z']*")


# MeSH terms that say only that someone is ill, not with what: named only when a trial has no
# other term (“leukemia or cancer or tumor” says no more than “leukemia”).
BROAD_TERMS = frozenset(
    {
        "Neoplasms",
        "Carcinoma",
        "Recurrence",
        "Disease",
        "Disease Progression",
        "Acute Disease",
        "Chronic Disease",
        "Syndrome",
        "Infections",
        "Inflammation",
        "Hernia",
        "Constriction, Pathologic",
        "Pathologic Processes",
    }
)


@functools.cache
def all_names() -> dict[str, str]:
    """Every MeSH term in the table with its everyday name, loaded once."""
    with TABLE.open("rb") as table:
        return dict(tomllib.load(table)["names"])


@functools.cache
def _names_by_lower_case() -> dict[str, str]:
    return {term.casefold(): name for term, name in all_names().items()}


def has_everyday_name(mesh_term: str) -> bool:
    """Whether the table names this term itself (rather than the rule)."""
    return mesh_term.strip().casefold() in _names_by_lower_case()


def everyday_name(mesh_term: str) -> str:
    """The name patients use for a MeSH term: the table's, else one made by the rule."""
    term = " ".join(mesh_term.split())
    if not term:
        return ""
    name = _names_by_lower_case().get(term.casefold()) or rule_name(term)
    return expand_abbreviations(name)


def expand_abbreviations(name: str) -> str:
    """“NSCLC” → “non-small cell lung cancer”; a short form already explained beside its
    long form (“non-small cell lung cancer (NSCLC)”) is left as it is."""
    if "(" in name:
        return name
    return _ABBREVIATION.sub(lambda match: ABBREVIATIONS[match.group()], name)


def rule_name(mesh_term: str) -> str:
    """A readable name for a term the table lacks.

    “Leukemia, Myeloid, Acute” → “acute myeloid leukemia”; “Carcinoma, Renal Cell” → “renal
    cell cancer”; “Lung Neoplasms” → “lung cancer”; “HIV Infections” → “HIV infections”.
    """
    parts = [part.strip() for part in mesh_term.split(",") if part.strip()]
    name = " ".join(reversed(parts))
    for pattern, plain in _TUMOUR_WORDS:
        name = pattern.sub(plain, name)
    name = _WORD.sub(_lower_case_word, name)
    organ = _ORGAN_TUMOURS.match(name)
    if organ and " " not in organ["organ"]:
        name = f"{organ['organ']} cancer"
    return name


def _lower_case_word(match: re.Match) -> str:
    word = match.group()
    stem = word.removesuffix("'s")
    # Abbreviations (HIV, COVID, BCR) and single capitals (B-cell's “B”) stay as they are,
    # and so do names with a capital inside (McArdle).
    if len(stem) == 1 or stem.isupper() or any(c.isupper() for c in stem[1:]):
        return word
    if stem in EPONYMS:
        return word
    return word.lower()
