"""One mapper for each section of a registry record we read, each returning typed values.

The API v2 record nests modules in sections (`protocolSection.statusModule`, `derivedSection.
conditionBrowseModule`, ...). Each mapper here takes the `Node` of its section, reads the one
module it is about, and returns a small dataclass whose `facts()` are `Trial` field values.
A new section (the results, say) gets a mapper of its own and a line in `mapping.map_study`.
"""

import dataclasses
import functools
from typing import Any

from ..choices import Phase, Sex, Status, StudyType
from ..models import Condition, Contact, Location, Trial
from ..nct import is_nct_id
from .fields import Age, Node, RegistryDate
from .records import ContactValues, RecordError, Site

# Choice values as sets: an enum's .values is rebuilt on every access.
STATUSES = frozenset(Status.values)
PHASES = frozenset(Phase.values)
STUDY_TYPES = frozenset(StudyType.values)
SEXES = frozenset(Sex.values)
CONTACT_ROLES = frozenset(Contact.Role.values)


@functools.cache
def max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


# protocolSection ---------------------------------------------------------------------------


@dataclasses.dataclass
class Identification:
    nct_id: str
    brief_title: str
    official_title: str
    acronym: str

    def facts(self) -> dict[str, Any]:
        return {name: value for name, value in vars(self).items() if name != "nct_id"}


def identification(protocol: Node) -> Identification:
    module = protocol.node("identificationModule")
    nct_id = module.text("nctId", limit=64)
    if not nct_id:
        raise RecordError(f"has no NCT ID ({module.path}nctId)")
    if not is_nct_id(nct_id):
        raise module.error("nctId", f"“{nct_id}” is not an NCT ID such as NCT01234567")
    longest = max_length(Trial, "brief_title")
    official_title = module.text("officialTitle")
    brief_title = module.text("briefTitle", longest) or official_title[:longest]
    if not brief_title:
        raise RecordError(f"has no title ({module.path}briefTitle)")
    return Identification(nct_id, brief_title, official_title, module.text("acronym", 100))


@dataclasses.dataclass
class StatusFacts:
    status: str
    first_submitted_on: RegistryDate
    last_update_posted_on: RegistryDate
    status_verified_on: RegistryDate
    start: RegistryDate
    completion: RegistryDate
    why_stopped: str

    def facts(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "why_stopped": self.why_stopped,
            "first_submitted_on": self.first_submitted_on.start,
            "last_update_posted_on": self.last_update_posted_on.start,
            "status_verified_on": self.status_verified_on.start,
            "start_date": self.start.start,
            "start_date_precision": self.start.precision,
            "start_date_is_estimate": self.start.estimated,
            "completion_date": self.completion.start,
            "completion_date_precision": self.completion.precision,
            "completion_date_is_estimate": self.completion.estimated,
        }


def status(protocol: Node) -> StatusFacts:
    module = protocol.node("statusModule")
    return StatusFacts(
        status=module.choice("overallStatus", STATUSES, default=Status.UNKNOWN),
        first_submitted_on=module.date("studyFirstSubmitDate"),
        last_update_posted_on=module.node("lastUpdatePostDateStruct").date("date"),
        status_verified_on=module.date("statusVerifiedDate"),
        start=module.date_struct("startDateStruct"),
        completion=module.date_struct("completionDateStruct"),
        why_stopped=module.text("whyStopped"),
    )


@dataclasses.dataclass
class Design:
    phase: str
    study_type: str
    enrollment: int | None
    enrollment_is_estimate: bool

    def facts(self) -> dict[str, Any]:
        return dict(vars(self))


def design(protocol: Node) -> Design:
    module = protocol.node("designModule")
    phases = module.texts("phases")
    phase = "_".join(phases)
    if phase and phase not in PHASES:
        raise module.error("phases", f"{phases} is not a phase we know")
    enrollment = module.node("enrollmentInfo")
    return Design(
        phase=phase,
        study_type=module.choice("studyType", STUDY_TYPES),
        enrollment=enrollment.whole_number("count", high=2_000_000_000),
        enrollment_is_estimate=enrollment.text("type", 32) == "ESTIMATED",
    )


@dataclasses.dataclass
class Description:
    registry_summary: str
    detailed_description: str
    sponsor: str
    collaborators: list[str]
    registrant_conditions: list[str]
    keywords: list[str]
    interventions: list[dict[str, Any]]

    def facts(self) -> dict[str, Any]:
        return dict(vars(self))


def description(protocol: Node) -> Description:
    """The study in the registrant's words: summary, sponsors, conditions and treatments."""
    summary = protocol.node("descriptionModule")
    sponsors = protocol.node("sponsorCollaboratorsModule")
    conditions = protocol.node("conditionsModule")
    arms = protocol.node("armsInterventionsModule")
    return Description(
        registry_summary=summary.text("briefSummary"),
        detailed_description=summary.text("detailedDescription"),
        sponsor=sponsors.node("leadSponsor").text("name", 300),
        collaborators=[c.text("name", 300) for c in sponsors.nodes("collaborators")],
        registrant_conditions=conditions.texts("conditions"),
        keywords=conditions.texts("keywords"),
        interventions=[
            {
                "type": i.text("type", 64),
                "name": i.text("name", 1000),
                "description": i.text("description"),
                "other_names": i.texts("otherNames"),
            }
            for i in arms.nodes("interventions")
        ],
    )


@dataclasses.dataclass
class Eligibility:
    eligibility_criteria: str
    sex: str
    minimum_age: Age
    maximum_age: Age
    healthy_volunteers: bool | None

    def facts(self) -> dict[str, Any]:
        return {
            "eligibility_criteria": self.eligibility_criteria,
            "sex": self.sex,
            "minimum_age": self.minimum_age.text,
            "maximum_age": self.maximum_age.text,
            "minimum_age_years": self.minimum_age.years,
            "maximum_age_years": self.maximum_age.years,
            "healthy_volunteers": self.healthy_volunteers,
        }


def eligibility(protocol: Node) -> Eligibility:
    module = protocol.node("eligibilityModule")
    minimum, maximum = module.age("minimumAge"), module.age("maximumAge")
    if minimum.years is not None and maximum.years is not None and minimum.years > maximum.years:
        raise module.error("minimumAge", f"{minimum.text} is above maximumAge {maximum.text}")
    return Eligibility(
        eligibility_criteria=module.text("eligibilityCriteria"),
        sex=module.choice("sex", SEXES, Sex.ALL),
        minimum_age=minimum,
        maximum_age=maximum,
        healthy_volunteers=module.flag("healthyVolunteers"),
    )


@dataclasses.dataclass
class People:
    officials: list[dict[str, str]]
    contacts: list[ContactValues]  # for the whole study
    locations: list[Site]

    def facts(self) -> dict[str, Any]:
        return {"officials": self.officials}


def people_and_places(protocol: Node) -> People:
    """The study's officials, its contacts, and its sites with theirs."""
    module = protocol.node("contactsLocationsModule")
    officials = [
        {
            "name": o.text("name", 300),
            "role": o.text("role", 64),
            "affiliation": o.text("affiliation", 500),
        }
        for o in module.nodes("overallOfficials")
    ]
    contacts = [contact(c) for c in module.nodes("centralContacts")]
    sites = [site(node, position) for position, node in enumerate(module.nodes("locations"))]
    return People(officials, contacts, sites)


def _text_fields(model, keys: dict[str, str]) -> dict[str, tuple[str, int]]:
    """{our field: (the registry's key, our column's length)} for texts read straight across."""
    return {ours: (theirs, max_length(model, ours)) for ours, theirs in keys.items()}


CONTACT_TEXTS = _text_fields(
    Contact, {"name": "name", "phone": "phone", "phone_extension": "phoneExt", "email": "email"}
)
SITE_TEXTS = _text_fields(
    Location,
    {"facility": "facility", "city": "city", "state": "state", "postal_code": "zip"}
    | {"country": "country"},
)


def contact(node: Node) -> ContactValues:
    role = node.text("role", 64)
    values = {"role": role if role in CONTACT_ROLES else Contact.Role.CONTACT}
    for ours, (key, limit) in CONTACT_TEXTS.items():
        values[ours] = node.text(key, limit)
    return values


def site(node: Node, position: int) -> Site:
    values: dict[str, Any] = {"position": position}
    for ours, (key, limit) in SITE_TEXTS.items():
        values[ours] = node.text(key, limit)
    status = node.text("status", 64)
    values["status"] = status if status in STATUSES else ""
    geo = node.node("geoPoint")
    latitude, longitude = geo.number("lat", -90, 90), geo.number("lon", -180, 180)
    if (latitude is None) != (longitude is None):
        latitude = longitude = None
    values["latitude"], values["longitude"] = latitude, longitude
    values["contacts"] = [contact(c) for c in node.nodes("contacts")]
    return values


# derivedSection ----------------------------------------------------------------------------


@dataclasses.dataclass
class ConditionTerms:
    meshes: list[tuple[str, str]]  # (MeSH term, MeSH ID) the registry matched to the study
    ancestors: list[tuple[str, str]]  # the broader terms above them

    def facts(self) -> dict[str, Any]:
        terms = [{"id": i, "term": t} for t, i in self.meshes]
        terms += [{"id": i, "term": t, "type": "ancestor"} for t, i in self.ancestors]
        return {"mesh_terms": terms}


def condition_terms(derived: Node) -> ConditionTerms:
    module = derived.node("conditionBrowseModule")
    return ConditionTerms(
        meshes=[m for m in map(_mesh, module.nodes("meshes")) if m[0]],
        ancestors=[m for m in map(_mesh, module.nodes("ancestors")) if m[0]],
    )


def _mesh(node: Node) -> tuple[str, str]:
    term = node.text("term", max_length(Condition, "name"))
    return term, node.text("id", max_length(Condition, "mesh_id"))
