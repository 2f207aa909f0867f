"""Our words for the registry's codes: kinds of interventions, phases, designs, statuses and
ages. Each piece is short and plain; plain/writer.py puts them together into sentences."""

import re

from .facts import Intervention

# Kinds of intervention in plain words, from the registry's type and, where it tells more, the
# name ("CD123 CAR-T cells" is a cell therapy). (singular, plural)
DRUG = ("drug", "drugs")
KINDS = {
    "DRUG": DRUG,
    "BIOLOGICAL": DRUG,
    "GENETIC": ("gene therapy", "gene therapies"),
    "COMBINATION_PRODUCT": ("drug given with a device", "drugs given with a device"),
    "DEVICE": ("device", "devices"),
    "PROCEDURE": ("procedure", "procedures"),
    "RADIATION": ("radiation treatment", "radiation treatments"),
    "BEHAVIORAL": ("program", "programs"),
    "DIETARY_SUPPLEMENT": ("dietary supplement", "dietary supplements"),
    "DIAGNOSTIC_TEST": ("test", "tests"),
    "OTHER": ("approach", "approaches"),
}
# Kinds that are medicines: only these may be called a drug or an active substance.
SUBSTANCE_TYPES = frozenset({"DRUG", "BIOLOGICAL", "GENETIC", "COMBINATION_PRODUCT"})
TEST = KINDS["DIAGNOSTIC_TEST"]
VACCINE = ("vaccine", "vaccines")
CELL_THERAPY = ("cell therapy", "cell therapies")
ANTIBODY_DRUG = ("antibody drug", "antibody drugs")
PHYSICAL_THERAPY = ("physical therapy", "physical therapies")
MEDICINES = frozenset(
    {DRUG, VACCINE, CELL_THERAPY, ANTIBODY_DRUG, KINDS["GENETIC"], KINDS["COMBINATION_PRODUCT"]}
)
# Types a registrant also gives to things that only measure: a blood sample filed as
# “genetic”, a scan as “radiation”. Their name says what they are.
_NAMED_BY_WHAT_IT_IS = frozenset({"GENETIC", "RADIATION", "OTHER", "COMBINATION_PRODUCT"})

# Flu vaccines often go by their short names alone: IIV4, ccIIV4, LAIV, RIV4, QIV, TIV.
_VACCINE = re.compile(r"vaccin|\b(?:a|cc|hd-?|r|la)?(?:iiv|laiv|riv|qiv|tiv)\d?\b", re.I)
_CELLS = re.compile(r"\bcar[- ]?t\b|\bcart\d*\b|\bcells?\b|\bstar-t\b|lymphocytes", re.I)
_GENE = re.compile(r"\bgene\b|\baav\d*\b", re.I)
_ANTIBODY = re.compile(r"antibod|mab\b", re.I)
_APP = re.compile(
    r"\bapps?\b|\bapplication\b|smartphone|mobile|digital|online|internet|web-?based|"
    r"virtual|video game|\btele(?!phone)|text messag",
    re.I,
)
_SURGERY = re.compile(
    r"surg|ectomy|otomy|plasty|resection|transplant|fusion|implant|decompression|arthrodesis",
    re.I,
)
_TALKING = re.compile(
    r"psycho|counsel|cognitive|\bcbt\b|mindful|talking|behaviou?ral therapy|problem-solving",
    re.I,
)
_EXERCISE = re.compile(r"exercis|training|physical activity|walking|yoga|tai chi|pilates", re.I)
_DIET = re.compile(r"\bdiets?\b|nutrition|eating|fasting|meal", re.I)
_EDUCATION = re.compile(r"educat|coaching|advice|information|booklet|self-management", re.I)
# Treatments by hand or by movement that a physiotherapist gives.
_PHYSICAL = re.compile(
    r"physio|physical therap|manual therap|\bmanipulat|\bmobili[sz]|\bmassage|\btaping|"
    r"\btraction|osteopath|chiropract",
    re.I,
)
_PROGRAM = re.compile(r"\bprogram(me)?s?\b|lifestyle|motivation", re.I)
_RADIATION = re.compile(r"radiother|radiation|irradiat|\bsbrt\b|\bsrs\b|brachyther", re.I)
_DEVICE = re.compile(r"\bdevices?\b|implant|\bstents?\b|\bcages?\b|prosthe|catheter|brace", re.I)
# A “vehicle” is the cream or ointment without the medicine: a placebo.
PLACEBO = re.compile(r"\bplacebos?\b|\bdummy\b|\bsaline\b|\bvehicle\b", re.I)
SHAM = re.compile(r"\bsham\b", re.I)
_COMPARISON = re.compile(
    r"\b(usual|standard|routine|conventional)[- ](care|of care|treatment|therapy|practice|"
    r"medicine|medication|drugs?)\b|"
    r"\bno (treatment|intervention|referral)\b|\bcontrol\b|wait-?list|waiting list|"
    r"\b(treatment|care) as usual\b|"
    # “Surgery only”, “Chemotherapy alone”: the usual care the tested thing is added to.
    r"\b(only|alone)$",
    re.I,
)


# Things done to measure, not to treat: samples, scans, questionnaires.
_MEASURING = re.compile(
    r"\bsamples?\b|\bblood (test|draw|collection)|biops|questionnaire|survey|interview|"
    # “CT” and “PET” are scans, but “CT-2103” is a medicine's code.
    r"\bscans?\b|\bmri\b|\bpet\b(?!-?\d)|\bct\b(?!-?\d)|imaging|assessment|measure|data collection|"
    r"pregnancy test|\bdiagnosis\b|\bevaluation\b|\bfollow-?up\b|observation",
    re.I,
)


def is_measuring(intervention: Intervention) -> bool:
    return bool(_MEASURING.search(intervention.name))


# How a medicine is taken, and the form it comes in: said by the kind, not in the name
# (“oral S-1” is S-1, “neratinib tablets” is neratinib).
_ROUTE = re.compile(r"^(oral|intravenous|iv|subcutaneous|topical|inhaled)\s+(?=\S)", re.I)
_FORM = re.compile(
    r"(?<=\S)\s+(film-coated\s+)?(tablets?|capsules?|pills?|granules|oral solution)$", re.I
)
# What follows a slash in a dose (“20mg/day”, “75mg/m2”), never a second medicine.
_PER = r"(?:m2|kg|d|day|daily|week|weekly|dose|h|hr|hour|ml|capsule|tablet|sachet|vial)\b"
# A dose after the name (“cisplatin 75mg/m2”, “teneligliptin 20 mg/day”): the record says it.
_DOSE = re.compile(rf"(?<=\S)\s+\d+(\.\d+)?\s*(mg|g|mcg|µg|ml|iu|units?)(/{_PER})?$", re.I)


# “application MARO” is the app MARO: its kind says “app” (kind_of reads the whole name).
_APP_LEAD = re.compile(r"^(mobile\s+)?app(lication)?\s+(?=(?-i:[A-Z0-9][A-Z0-9-]+)\b)", re.I)


# A word in title case, hyphenated or not (“Melatonin”, “Platelet-rich”): an ordinary word.
_TITLE_WORD = re.compile(r"[A-Z][a-z]+(?:-[a-z]+)*")


def display_name(name: str) -> str:
    """The name as it reads in a sentence: “Minimal Surgical Exploration” and “Melatonin” in
    lower case, codes and brands (“JDQ443”, “NOVOCART® Disc”, “isCGM”) as written; without a
    route or a dosage form (“oral S-1”, “neratinib tablets”)."""
    name = _DOSE.sub("", _FORM.sub("", _ROUTE.sub("", " ".join(name.split()))))
    name = _APP_LEAD.sub("", name)
    words = name.split()
    if len(words) == 1:
        return name.lower() if _TITLE_WORD.fullmatch(name) else name
    if not _TITLE_WORD.fullmatch(words[0]) and (not words[0].isalpha() or words[0].isupper()):
        return name
    return " ".join(w.lower() if _TITLE_WORD.fullmatch(w) else w for w in words)


# A numbered form of one thing (“Spesolimab Formulation 2”, “Chemotherapy Regimen 1”), or
# one way of taking it (“Poziotinib Twice Daily Dosing”, “Aspirin high dose”).
_VARIANT = re.compile(
    r"\s+(formulation|regimen|version|dose level|schedule|strength)\s*(\d{1,2}|[A-Z]|I{1,3}|IV)$|"
    r"\s+(once|twice|three times|four times)\s+(a\s+)?(daily|day|weekly|week)\b.*$|"
    r"\s+(low|high|single|multiple|standard|reduced)[- ]dose\b.*$|"
    r"\s+\(?(qd|bid|tid|qid|qw)\)?$",
    re.I,
)


def variant_of(name: str) -> str:
    """What a numbered form is a form of (“Spesolimab Formulation 2” → “Spesolimab”); ""
    for a name that is not one."""
    base = _VARIANT.sub("", name)
    return base if base != name else ""


_COMBINED = re.compile(rf"\s*\+\s*|\s+(?:plus|and|with)\s+|\s*/(?!\s*{_PER})\s*", re.I)


def split_combination(intervention: Intervention) -> list[Intervention]:
    """One medicine entry that is a combination (“oral S-1 + oral osimertinib”,
    “Docetaxel and Bevacizumab”) as the medicines it combines; anything else as it is."""
    if intervention.kind not in SUBSTANCE_TYPES:
        return [intervention]
    parts = [part.strip() for part in _COMBINED.split(intervention.name)]
    if not 2 <= len(parts) <= 3 or any(not p or len(p.split()) > 3 for p in parts):
        return [intervention]
    return [Intervention(_part_kind(intervention.kind, part), part) for part in parts]


def _part_kind(kind: str, part: str) -> str:
    """The registry's type for one part of a combination: a “combination product” of
    radiotherapy and durvalumab is a radiation treatment and a drug."""
    if kind != "COMBINATION_PRODUCT":
        return kind
    if _RADIATION.search(part):
        return "RADIATION"
    if _DEVICE.search(part):
        return "DEVICE"
    if _APP.search(part) or _PROGRAM.search(part):
        return "BEHAVIORAL"
    return "DRUG"


# Words that say what kind of thing an entry is, not which one: a name made only of these
# (“application validation”, “study app”, “intervention”) gives way to its kind.
_GENERIC = frozenset(
    {
        "a",
        "an",
        "the",
        "study",
        "trial",
        "new",
        "active",
        "experimental",
        "investigational",
        "standard",
        "intervention",
        "interventions",
        "control",
        "group",
        "arm",
        "treatment",
        "therapy",
        "therapeutic",
        "therapeutics",
        "education",
        "educational",
        "physiotherapy",
        "physical",
        "conventional",
        "conservative",
        "drug",
        "product",
        "device",
        "app",
        "apps",
        "application",
        "applications",
        "validation",
        "tool",
        "digital",
        "mobile",
        "smartphone",
        "software",
        "program",
        "programme",
        "system",
        "platform",
        "test",
    }
)
NAME_WORDS = 6  # longer names are descriptions, said by their kind


def nameable(name: str) -> bool:
    """Whether a name says which thing it is, short enough to put in a sentence."""
    words = re.findall(r"[\w'-]+", name.lower())
    return 0 < len(name.split()) <= NAME_WORDS and not set(words) <= _GENERIC


def separate(interventions) -> list[Intervention]:
    """The interventions with each combination split into the medicines it combines."""
    return [part for intervention in interventions for part in split_combination(intervention)]


def aged(parts: tuple[str, str]) -> str:
    """(“6”, “month”) → “6 months”."""
    number, unit = parts
    return f"{number} {unit}" if number == "1" else f"{number} {unit}s"


def kind_of(intervention: Intervention) -> tuple[str, str]:
    """(singular, plural) plain name of what kind of thing an intervention is."""
    name, kind = intervention.name, intervention.kind
    if kind in _NAMED_BY_WHAT_IT_IS and is_measuring(intervention):
        return TEST  # a “genetic” blood sample or a “radiation” scan
    if kind == "COMBINATION_PRODUCT" and _part_kind(kind, name) != "DRUG":
        # Registrants file devices and programs as combination products too.
        return kind_of(Intervention(_part_kind(kind, name), name))
    if kind in SUBSTANCE_TYPES | {"OTHER"} and _VACCINE.search(name):
        return VACCINE
    if kind in ("BIOLOGICAL", "GENETIC") and _CELLS.search(name) and not _GENE.search(name):
        return CELL_THERAPY
    if kind == "BIOLOGICAL" and _GENE.search(name):
        return KINDS["GENETIC"]
    if kind == "BIOLOGICAL" and _ANTIBODY.search(name):
        return ANTIBODY_DRUG
    if kind == "DEVICE" and _APP.search(name):
        return ("app or digital tool", "apps or digital tools")
    if kind == "PROCEDURE" and _SURGERY.search(name):
        return ("surgery", "surgeries")
    if kind == "PROCEDURE" and _PHYSICAL.search(name):
        return PHYSICAL_THERAPY
    if kind in ("BEHAVIORAL", "OTHER"):
        for pattern, words in (
            (_APP, ("app or online program", "apps or online programs")),
            (_TALKING, ("talking therapy", "talking therapies")),
            (_EXERCISE, ("exercise program", "exercise programs")),
            (_PHYSICAL, PHYSICAL_THERAPY),
            (_DIET, ("diet", "diets")),
            (_EDUCATION, ("advice program", "advice programs")),
        ):
            if pattern.search(name):
                return words
    if kind == "DIETARY_SUPPLEMENT" and _DIET.search(name):
        return ("diet", "diets")
    return KINDS.get(kind, KINDS["OTHER"])


def substance_kind(intervention: Intervention) -> str:
    """What “Active substance” says the substance is: “a biological drug”, “a vaccine”."""
    noun = kind_of(intervention)[0]
    if intervention.kind == "BIOLOGICAL" and noun == "drug":
        noun = "biological drug"
    return article(noun)


def is_substance(intervention: Intervention) -> bool:
    """A medicine by its type, unless its name shows it is something else (a sample, a scan,
    a device filed as a combination product)."""
    return intervention.kind in SUBSTANCE_TYPES and kind_of(intervention) in MEDICINES


def is_comparison(intervention: Intervention) -> bool:
    """A placebo, sham or usual care: what the tested thing is compared with."""
    name = intervention.name
    return bool(PLACEBO.search(name) or SHAM.search(name) or _COMPARISON.search(name))


def article(noun: str) -> str:
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


# Phases: what the study is, and what a good result leads to next. {thing} is what is tested
# (“the drug”, “the drugs”, “the treatments”); {works}, {it}, {is}, {them} and {looks} agree
# with it in number (plain/tested.py).
PHASE_NAMES = {
    "EARLY_PHASE1": "an early phase 1 study",
    "PHASE1": "a phase 1 study",
    "PHASE1_PHASE2": "a phase 1/2 study",
    "PHASE2": "a phase 2 study",
    "PHASE2_PHASE3": "a phase 2/3 study",
    "PHASE3": "a phase 3 study",
    "PHASE4": "a phase 4 study",
}
PHASE_MEANING = {
    "EARLY_PHASE1": "a first small test in people, at low doses",
    "PHASE1": "one of the first tests in people, mostly to check safety and find the right dose",
    "PHASE1_PHASE2": "it checks safety and dose first, then starts to see if {thing} {works}",
    "PHASE2": "it checks if {thing} {works} and keeps checking that {it} {is} safe",
    "PHASE2_PHASE3": "it checks if {thing} {works}, then tests {them} in more people",
    "PHASE3": "a large test of whether {thing} {works} better than, or as well as, other care",
    "PHASE4": "{thing} {is} already approved, and this study learns more about {them} in daily use",
}
PHASE_LEADS_TO = {
    "EARLY_PHASE1": "If {it} {looks} safe, larger studies could test whether {thing} {works}.",
    "PHASE1": "If {it} {looks} safe, larger studies could test whether {thing} {works}.",
    "PHASE1_PHASE2": "If results are good, larger studies could compare {them} with current care.",
    "PHASE2": "If {it} {works}, a larger study could compare {them} with current care.",
    "PHASE2_PHASE3": "A good result could help {thing} get approved {for_whom}.",
    "PHASE3": "A good result could help {thing} get approved {for_whom}.",
    "PHASE4": "It could show how well {thing} {works} in daily care, and help doctors use {them}.",
}
EARLY_PHASES = frozenset({"EARLY_PHASE1", "PHASE1", "PHASE1_PHASE2"})

# What the study watches, for observational studies: (headline start, sentence).
OBSERVING = {
    ("COHORT", "RETROSPECTIVE"): (
        "Looking back at the records of",
        "It looks back at the health records of a group of people.",
    ),
    "COHORT": ("Following", "It follows a group of people over time and records what happens."),
    "CASE_CONTROL": (
        "Comparing people with and without",
        "It compares people who have a condition with people who do not.",
    ),
    "CASE_ONLY": ("Studying", "It looks closely at people who all have the same condition."),
    "CROSS_SECTIONAL": ("A one-time look at", "It looks at each person once, at one time."),
    "RETROSPECTIVE": (
        "Looking back at the records of",
        "It looks back at the health records of people.",
    ),
    "PROSPECTIVE": ("Following", "It follows people over time and records what happens."),
}

# Recruitment status: (present or future tense, past tense) clause after "It ...".
STATUS_CLAUSES = {
    "RECRUITING": "is looking for people to join now",
    "NOT_YET_RECRUITING": "is not looking for people yet",
    "ENROLLING_BY_INVITATION": "only takes people it invites",
    "ACTIVE_NOT_RECRUITING": "is still going on but no longer takes new people",
    "COMPLETED": "has finished",
    "TERMINATED": "was stopped early",
    "SUSPENDED": "is on hold for now",
    "WITHDRAWN": "was withdrawn before anyone joined",
    "AVAILABLE": "is open to people now",
    "NO_LONGER_AVAILABLE": "is no longer open",
    "TEMPORARILY_NOT_AVAILABLE": "is closed for now",
    "APPROVED_FOR_MARKETING": "has ended, as the treatment is now approved",
    "UNKNOWN": "has not told the registry its status for a long time",
}
FINISHED = frozenset(
    {"COMPLETED", "TERMINATED", "WITHDRAWN", "NO_LONGER_AVAILABLE", "APPROVED_FOR_MARKETING"}
)
STOPPED = {
    "TERMINATED": "This study was stopped early.",
    "SUSPENDED": "This study is on hold.",
    "WITHDRAWN": "This study was withdrawn before anyone joined.",
}

# Countries as the registry spells them, where people say them otherwise.
COUNTRY_NAMES = {
    "Korea, Republic of": "South Korea",
    "Korea, Democratic People's Republic of": "North Korea",
    "Iran, Islamic Republic of": "Iran",
    "Russian Federation": "Russia",
    "Turkey (Türkiye)": "Turkey",
    "Taiwan, Province of China": "Taiwan",
    "Viet Nam": "Vietnam",
    "Moldova, Republic of": "Moldova",
    "Tanzania, United Republic of": "Tanzania",
    "Syrian Arab Republic": "Syria",
    "Lao People's Democratic Republic": "Laos",
    "Macedonia, The Former Yugoslav Republic of": "North Macedonia",
    "Venezuela, Bolivarian Republic of": "Venezuela",
    "Bolivia, Plurinational State of": "Bolivia",
}
_THE = re.compile(
    r"^(United |Netherlands|Czech Republic|Philippines|Dominican Republic|Democratic |"
    r"Central African|Bahamas|Gambia|Maldives|Marshall|Solomon|Comoros|Seychelles)"
)


def country_name(name: str) -> str:
    name = COUNTRY_NAMES.get(name, name)
    if ", " in name:  # "Congo, The Democratic Republic of the" and the like
        head, tail = name.split(", ", 1)
        name = f"{tail} {head}"
    name = name.removeprefix("The ").removeprefix("the ")
    return f"the {name}" if _THE.match(name) else name


_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s+([a-z]+?)s?\s*$", re.I)


def age_parts(text: str) -> tuple[str, str] | None:
    """("18", "year") from "18 Years"; None when the text is not an age."""
    match = _AGE.match(text or "")
    if not match:
        return None
    number = match[1].removesuffix(".0")
    return number, match[2].lower()


def age_years(text: str) -> float | None:
    parts = age_parts(text)
    if parts is None:
        return None
    # The registry gives ages in years, months, weeks, days, hours or minutes.
    per_year = {"year": 1, "month": 12, "week": 52.18, "day": 365.25, "hour": 8766}
    per_year["minute"] = 8766 * 60
    return float(parts[0]) / per_year.get(parts[1], 1)
