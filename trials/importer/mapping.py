"""From one API v2 study record to a `Study`: its sections mapped one by one (sections.py),
the snapshot changes are computed from, and the hash that tells an unchanged record."""

import hashlib
import json
from typing import Any

from plain.writer import written_fields

from ..groups import groups_for
from ..masking import mask_record
from ..results.mapping import BadResults, map_results, snapshot_of
from . import sections
from .fields import Node, type_name
from .records import RecordError, Site, Study

SNAPSHOT_FACTS = (
    *("brief_title", "official_title", "acronym", "registry_summary", "detailed_description"),
    *("status", "phase", "study_type", "enrollment", "sponsor", "collaborators", "officials"),
    *("interventions", "keywords", "registrant_conditions", "mesh_terms"),
    *("eligibility_criteria", "sex", "minimum_age", "maximum_age", "healthy_volunteers"),
)
SITE_FIELDS = ("facility", "city", "state", "postal_code", "country", "status")


def map_study(record: Any) -> Study:
    """Our facts from one API v2 study object; RecordError says why a record cannot be used."""
    if not isinstance(record, dict):
        raise RecordError(f"is {type_name(record)}, not a study object")
    # Contacts written into the registry's text never reach the public (trials/masking.py).
    sections_read = ("protocolSection", "derivedSection", "resultsSection")
    record = mask_record({key: record[key] for key in sections_read if key in record})
    root = Node(record)
    protocol = root.node("protocolSection")
    ident = sections.identification(protocol)
    status = sections.status(protocol)
    people = sections.people_and_places(protocol)
    terms = sections.condition_terms(root.node("derivedSection"))
    facts = {
        **ident.facts(),
        **status.facts(),
        **sections.design(protocol).facts(),
        **sections.description(protocol).facts(),
        **sections.eligibility(protocol).facts(),
        **people.facts(),
        **terms.facts(),
    }
    facts.update(written_fields(record, facts, people.locations))
    try:
        results = map_results(record)
    except BadResults as error:
        raise RecordError(str(error)) from None
    facts["has_results"] = results is not None
    snapshot = _snapshot(facts, status, people)
    snapshot["results"] = snapshot_of(record, results)
    groups = groups_for([t for t, _ in terms.meshes], [t for t, _ in terms.ancestors])
    conditions = list(dict.fromkeys(terms.meshes))
    payload = [
        facts,
        people.locations,
        people.contacts,
        conditions,
        groups,
        snapshot["results"],
    ]
    return Study(
        nct_id=ident.nct_id,
        facts=facts,
        snapshot=snapshot,
        locations=people.locations,
        contacts=people.contacts,
        conditions=conditions,
        groups=groups,
        registry_updated_on=status.last_update_posted_on.start,
        content_hash=_content_hash(payload),
        results=results,
    )


def _content_hash(payload: list) -> str:
    content = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    try:
        return hashlib.sha256(content.encode()).hexdigest()
    except UnicodeEncodeError:
        raise RecordError("holds text that is not valid Unicode (a lone surrogate)") from None


def _snapshot(facts: dict, status: sections.StatusFacts, people: sections.People) -> dict:
    """The facts a change is described from, as trials/changes.py expects them."""
    snapshot = {name: facts[name] for name in SNAPSHOT_FACTS}
    snapshot["start_date"] = status.start.text
    snapshot["completion_date"] = status.completion.text
    snapshot["locations"] = [_site_facts(site) for site in people.locations]
    snapshot["contacts"] = [{"site": None, **contact} for contact in people.contacts] + [
        {"site": site["position"], **contact}
        for site in people.locations
        for contact in site["contacts"]
    ]
    return snapshot


def _site_facts(site: Site) -> dict[str, str]:
    return {name: site[name] for name in SITE_FIELDS}


def source_digest(record: Any) -> str:
    """A hash of a record that came without bytes of its own (one of a list, say)."""
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
