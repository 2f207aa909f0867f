"""The facts plain-language text is written from: a small typed record, built from a stored
trial or straight from a mapped registry record.

Only structured facts come in here (codes, counts, ages, dates, names of interventions and
conditions), never the registrant's free text: what we write cannot carry a study team's phone
number or email, and cannot copy a registrant's sentences. Nothing here imports a model.
"""

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

# A registry code (RANDOMIZED, DOUBLE, ACTIVE_COMPARATOR): anything else is not kept as one.
_CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,40}$")
# A name that looks like contact details is never repeated in what we write.
_TYPE_PREFIX = re.compile(
    r"^(drug|device|biological|procedure|behaviou?ral|radiation|genetic|other|"
    r"dietary supplement|diagnostic test|combination product)\s*:\s*",
    re.I,
)
# Words before the name that say only what kind of thing it is: “Use of Zemedy application”,
# “Dietary supplement GVG 2” (the kind is said in our own words).
_LEAD = re.compile(
    r"^(the\s+)?use\s+of\s+|^dietary\s+supplement\s+(?=(?-i:[A-Z0-9][A-Z0-9-]+)\b)", re.I
)
# … and after it: “Lazertinib group” is lazertinib.
_TRAIL = re.compile(r"(?<=\w)\s+(group|arm)$", re.I)
_DETAILS = re.compile(r"\s*[(\[;_]|,\s|\s+[-–—]\s+")
_CONTACT_LIKE = re.compile(r"@|\d[\d\s().-]{6,}\d|https?://|www\.", re.I)


@dataclasses.dataclass(frozen=True)
class Intervention:
    kind: str  # the registry's type: DRUG, DEVICE, BEHAVIORAL...
    name: str


@dataclasses.dataclass(frozen=True)
class TrialFacts:
    """What one trial's registry record says, as far as our plain-language text needs it."""

    study_type: str = ""  # INTERVENTIONAL, OBSERVATIONAL, EXPANDED_ACCESS
    phase: str = ""  # PHASE1, PHASE1_PHASE2, NA...
    status: str = ""
    conditions: tuple[str, ...] = ()  # MeSH terms, most specific first
    registrant_conditions: tuple[str, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    allocation: str = ""  # RANDOMIZED, NON_RANDOMIZED, NA
    intervention_model: str = ""  # SINGLE_GROUP, PARALLEL, CROSSOVER...
    primary_purpose: str = ""  # TREATMENT, PREVENTION, DIAGNOSTIC...
    masking: str = ""  # NONE, SINGLE, DOUBLE, TRIPLE, QUADRUPLE
    who_masked: tuple[str, ...] = ()
    observational_model: str = ""  # COHORT, CASE_CONTROL...
    time_perspective: str = ""  # PROSPECTIVE, RETROSPECTIVE, CROSS_SECTIONAL
    arm_kinds: tuple[str, ...] = ()  # EXPERIMENTAL, PLACEBO_COMPARATOR, SHAM_COMPARATOR...
    enrollment: int | None = None
    enrollment_is_estimate: bool = False
    minimum_age: str = ""  # as the registry says it: "18 Years"
    maximum_age: str = ""
    sex: str = "ALL"
    healthy_volunteers: bool | None = None
    start_year: int | None = None
    completion_year: int | None = None
    completion_is_estimate: bool = False
    site_count: int = 0
    countries: tuple[str, ...] = ()  # in order of first listing


def design_from_record(record: Any) -> dict[str, Any]:
    """The design codes of an API v2 study record, for Trial.design.

    Unknown or malformed values are left out rather than refused: the importer checks the
    record itself, and a design we cannot read only makes the text say less.
    """
    protocol = _dict(_dict(record).get("protocolSection"))
    design = _dict(protocol.get("designModule"))
    info = _dict(design.get("designInfo"))
    masking = _dict(info.get("maskingInfo"))
    arms = _dict(protocol.get("armsInterventionsModule"))
    values = {
        "allocation": _code(info.get("allocation")),
        "intervention_model": _code(info.get("interventionModel")),
        "primary_purpose": _code(info.get("primaryPurpose")),
        "masking": _code(masking.get("masking")),
        "who_masked": _codes(masking.get("whoMasked")),
        "observational_model": _code(info.get("observationalModel")),
        "time_perspective": _code(info.get("timePerspective")),
        "arm_kinds": _codes(_dict(arm).get("type") for arm in _list(arms.get("armGroups"))),
    }
    return {key: value for key, value in values.items() if value}


def facts_from_mapping(
    facts: Mapping[str, Any], design: Mapping[str, Any], locations: Iterable[Mapping[str, Any]]
) -> TrialFacts:
    """From the importer's mapped values (Trial field values and its sites' values)."""
    return _build(facts, design, [site.get("country", "") for site in locations])


def _build(values: Mapping[str, Any], design: Mapping[str, Any], countries: list) -> TrialFacts:
    mesh = [
        term["term"]
        for term in values.get("mesh_terms") or []
        if isinstance(term, Mapping) and term.get("term") and term.get("type") != "ancestor"
    ]
    interventions = tuple(
        dict.fromkeys(
            Intervention(kind=_code(item.get("type")) or "OTHER", name=short_name(name))
            for item in values.get("interventions") or []
            if isinstance(item, Mapping) and (name := _clean_name(item.get("name")))
        )
    )
    enrollment = values.get("enrollment")
    return TrialFacts(
        study_type=values.get("study_type") or "",
        phase=values.get("phase") or "",
        status=values.get("status") or "",
        conditions=tuple(dict.fromkeys(mesh)),
        registrant_conditions=tuple(
            name
            for name in dict.fromkeys(map(_clean_name, values.get("registrant_conditions") or []))
            if name
        ),
        interventions=interventions,
        allocation=design.get("allocation", ""),
        intervention_model=design.get("intervention_model", ""),
        primary_purpose=design.get("primary_purpose", ""),
        masking=design.get("masking", ""),
        who_masked=tuple(design.get("who_masked", ())),
        observational_model=design.get("observational_model", ""),
        time_perspective=design.get("time_perspective", ""),
        arm_kinds=tuple(design.get("arm_kinds", ())),
        enrollment=enrollment if isinstance(enrollment, int) and enrollment > 0 else None,
        enrollment_is_estimate=bool(values.get("enrollment_is_estimate")),
        minimum_age=values.get("minimum_age") or "",
        maximum_age=values.get("maximum_age") or "",
        sex=values.get("sex") or "ALL",
        healthy_volunteers=values.get("healthy_volunteers"),
        start_year=_year(values.get("start_date")),
        completion_year=_year(values.get("completion_date")),
        completion_is_estimate=bool(values.get("completion_date_is_estimate")),
        site_count=len(countries),
        countries=tuple(dict.fromkeys(c.strip() for c in countries if c and c.strip())),
    )


def _clean_name(value: Any) -> str:
    """A name fit to repeat: one line, not too long, and nothing like contact details."""
    if not isinstance(value, str):
        return ""
    name = " ".join(value.split())
    if not name or len(name) > 200 or _CONTACT_LIKE.search(name):
        return ""
    return name


def short_name(name: str) -> str:
    """The name itself, without the type the registry puts before it (“Drug: ”) or the other
    names and details after it: “Aflibercept, VEGF Trap-Eye(Eylea)_2 mg” is “Aflibercept”."""
    name = _TRAIL.sub("", _LEAD.sub("", _TYPE_PREFIX.sub("", name)))
    head = _DETAILS.split(name, maxsplit=1)[0].strip(" -–—:;,._")
    return head or name


def _year(value: Any) -> int | None:
    return value.year if isinstance(value, dt.date) else None


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _code(value: Any) -> str:
    return value if isinstance(value, str) and _CODE.match(value) else ""


def _codes(values: Any) -> list[str]:
    if not isinstance(values, Iterable) or isinstance(values, str | bytes):
        return []
    return list(dict.fromkeys(code for code in map(_code, values) if code))
