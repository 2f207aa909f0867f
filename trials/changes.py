"""What changed between two registry snapshots of a trial, and how to say it in plain words.

A snapshot is the importer's flat dict of registry facts for one trial: the `Trial` field names
(`status`, `phase`, `enrollment`, `eligibility_criteria`, …) plus `locations`, a list of dicts
with `facility`, `city`, `state`, `postal_code`, `country` and `status`, and `contacts`.

A diff is a list of changes, stored as `TrialVersion.changes`:

- ``{"field": "status", "old": "NOT_YET_RECRUITING", "new": "RECRUITING"}`` for a fact;
- ``{"field": "locations", "added": [site, …], "removed": [site, …], "status": [
  {"site": site, "old": …, "new": …}, …]}`` for the sites;
- ``{"field": "contacts"}`` when contact details changed: never their values, which stay private;
- ``{"field": "results", "event": "posted" | "revised" | "removed", "posted_on": "2024-05-01"}``
  when the registry posted results, revised them or no longer shows them. A snapshot stored
  before results were imported has no "results" key: whether results are new since then cannot
  be told, so nothing is said.

The history page, the feeds, the update emails and the admin all word a version with
`describe_version()`, so they agree.
"""

import datetime as dt
from typing import Any

from .choices import Phase, Sex, Status, StudyType

# Facts whose old and new values are short enough, and public enough, to quote.
_QUOTED = {
    "status": "Status",
    "phase": "Phase",
    "study_type": "Study type",
    "enrollment": "Number of participants",
    "sponsor": "Sponsor",
    "sex": "Who can take part (sex)",
    "minimum_age": "Minimum age",
    "maximum_age": "Maximum age",
    "healthy_volunteers": "Healthy volunteers",
    "start_date": "Start date",
    "completion_date": "Completion date",
}

# Facts too long to quote: a change is only named.
_NAMED = {
    "brief_title": "Title",
    "official_title": "Official title",
    "acronym": "Acronym",
    "registry_summary": "The registrant’s summary",
    "detailed_description": "Detailed description",
    "eligibility_criteria": "Eligibility criteria",
    "registrant_conditions": "Conditions listed by the registrant",
    "mesh_terms": "Condition terms",
    "keywords": "Keywords",
    "interventions": "Treatments studied",
    "collaborators": "Collaborators",
    "officials": "Study officials",
}

RESULTS_EVENTS = {
    "posted": "Results were posted: what the study found",
    "revised": "The posted results were updated",
    "removed": "The registry no longer shows the study’s results",
}

_SITE_FIELDS = ("facility", "city", "state", "postal_code", "country")


def site_key(site) -> tuple:
    """What makes a site the same site from one version to the next: its facility and address,
    whatever their case or outer spaces. `site` is a snapshot's dict or a row's __dict__."""
    return tuple((site.get(name) or "").strip().casefold() for name in _SITE_FIELDS)


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """The field-level changes from snapshot `old` to snapshot `new`, in a stable order."""
    changes: list[dict[str, Any]] = []
    results_change = _diff_results(old, new)
    if results_change:  # the news a follower most wants: first
        changes.append(results_change)
    for field in [*_QUOTED, *_NAMED]:
        if old.get(field) != new.get(field):
            changes.append({"field": field, "old": old.get(field), "new": new.get(field)})
    site_change = _diff_sites(old.get("locations") or [], new.get("locations") or [])
    if site_change:
        changes.append(site_change)
    if (old.get("contacts") or []) != (new.get("contacts") or []):
        changes.append({"field": "contacts"})
    known = {*_QUOTED, *_NAMED, "locations", "contacts", "results"}
    for field in sorted((old.keys() | new.keys()) - known):
        if old.get(field) != new.get(field):
            changes.append({"field": field})
    return changes


def _diff_results(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any] | None:
    if "results" not in old:
        return None
    before, after = old["results"], new.get("results")
    if before == after:
        return None
    if before is None:
        event = "posted"
    elif after is None:
        event = "removed"
    else:
        event = "revised"
    return {"field": "results", "event": event, "posted_on": (after or before).get("posted_on", "")}


def _diff_sites(old: list[dict], new: list[dict]) -> dict[str, Any] | None:
    old_by_key = {site_key(site): site for site in old}
    new_by_key = {site_key(site): site for site in new}
    added = [site for key, site in new_by_key.items() if key not in old_by_key]
    removed = [site for key, site in old_by_key.items() if key not in new_by_key]
    status = [
        {"site": site, "old": old_by_key[key].get("status", ""), "new": site.get("status", "")}
        for key, site in new_by_key.items()
        if key in old_by_key and old_by_key[key].get("status", "") != site.get("status", "")
    ]
    if not (added or removed or status):
        return None
    return {"field": "locations", "added": added, "removed": removed, "status": status}


def describe(change: dict[str, Any]) -> list[str]:
    """Plain-language sentences for one stored change (a site change may need several)."""
    field = change.get("field", "")
    if field == "locations":
        return _describe_sites(change)
    if field == "contacts":
        return ["Contact details changed"]
    if field == "results":
        return [RESULTS_EVENTS.get(change.get("event"), "The posted results changed")]
    if field in _QUOTED:
        label = _QUOTED[field]
        old, new = _word(field, change.get("old")), _word(field, change.get("new"))
        if not old:
            return [f"{label} added: {new}"]
        if not new:
            return [f"{label} removed (was {old})"]
        return [f"{label} changed from {old} to {new}"]
    label = _NAMED.get(field) or field.replace("_", " ").capitalize()
    return [f"{label} changed"]


def posts_results(changes: list[dict[str, Any]]) -> bool:
    """Whether these changes include the first posting of the study's results."""
    return any(c.get("field") == "results" and c.get("event") == "posted" for c in changes)


def describe_all(changes: list[dict[str, Any]]) -> list[str]:
    return [line for change in changes for line in describe(change)]


FIRST_SEEN = "First seen on the registry"
NOTHING_TO_SAY = "The record changed"


def describe_version(is_new: bool, changes: list[dict[str, Any]]) -> list[str]:
    """A version in plain words, a line each: the one wording of the history page, the feeds,
    the update emails and the admin."""
    if is_new:
        return [FIRST_SEEN]
    return describe_all(changes) or [NOTHING_TO_SAY]


def as_sentences(lines: list[str]) -> str:
    """Lines from `describe_version` as one paragraph, for a feed item or an admin column."""
    return "".join(f"{line}. " for line in lines).strip()


def site_place(site: dict) -> str:
    """“Facility, City, State” as a patient reads it; postal codes and countries only if needed."""
    parts = [site.get("facility"), site.get("city"), site.get("state")]
    if not site.get("state"):
        parts.append(site.get("country"))
    return ", ".join(part for part in parts if part) or "an unnamed site"


def _describe_sites(change: dict[str, Any]) -> list[str]:
    lines = [f"New location: {site_place(site)}" for site in change.get("added", [])]
    lines += [f"Location removed: {site_place(site)}" for site in change.get("removed", [])]
    for item in change.get("status", []):
        old, new = _word("status", item.get("old")), _word("status", item.get("new"))
        place = site_place(item.get("site", {}))
        lines.append(f"{place}: status changed from {old or 'not stated'} to {new or 'not stated'}")
    return lines


def _word(field: str, value: Any) -> str:
    """A stored value as a patient reads it (choice labels, yes/no, dates)."""
    if value is None or value == "" or value == []:
        return ""
    choices = {"status": Status, "phase": Phase, "sex": Sex, "study_type": StudyType}
    if field in choices:
        try:
            return str(choices[field](value).label)
        except ValueError:
            return str(value)
    if isinstance(value, bool):
        return "Accepted" if value else "Not accepted"
    if field in ("start_date", "completion_date") and isinstance(value, str):
        return _date_words(value)
    return str(value)


def _date_words(value: str) -> str:
    try:
        if len(value) == 7:
            return dt.date.fromisoformat(f"{value}-01").strftime("%B %Y")
        return dt.date.fromisoformat(value).strftime("%B %-d, %Y")
    except ValueError:
        return value
