"""Import ClinicalTrials.gov API v2 study records, and record every change to them.

Records are read (`iter_path`, `iter_api`), mapped to our facts (`map_study`) and stored
(`import_items`, `store`), a batch at a time:

- A record whose bytes hash the same as those last stored for its trial is skipped unread, and
  one whose mapped facts hash the same as what is stored writes nothing: rerunning an import
  only reads.
- A new trial gets version 1 (“NEW”). New trials are inserted a hundred to a transaction; if
  that transaction fails, it is rolled back whole and its records are stored one by one.
- A changed trial is stored in a transaction of its own, under a row lock, and gets the next
  version (“CHANGED”) holding the field-level diff of the two snapshots (trials/changes.py).

Versions are the durable record of what changed: the history page, the feeds and the update
emails read them after the import is done. Editorial fields (headline, plain-language text,
publication) are never written by an update.
"""

import dataclasses
import datetime as dt
import functools
import hashlib
import itertools
import json
import multiprocessing
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.utils import timezone
from django.utils.text import slugify

from .categories import GROUPS, groups_for
from .changes import diff
from .models import (
    NCT_ID_PATTERN,
    Condition,
    ConditionCategory,
    Contact,
    Location,
    Phase,
    Sex,
    Status,
    StudyType,
    Trial,
    TrialVersion,
)
from .signals import trials_changed, versions_recorded

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
BATCH_SIZE = 500
API_PAGE_SIZE = 100
API_TIMEOUT = 60
API_ATTEMPTS = 3
API_RETRY_PAUSE = 2.0  # seconds, growing with each attempt

# Far beyond anything the registry allows (its longest free text, the detailed description,
# is capped at 32,000 characters): a value this long is damaged data, not a long study.
MAX_TEXT = 100_000
MAX_ITEMS = 20_000

AGE_UNITS_PER_YEAR = {
    "year": 1,
    "month": 12,
    "week": 365.25 / 7,
    "day": 365.25,
    "hour": 365.25 * 24,
    "minute": 365.25 * 24 * 60,
}
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s+([a-z]+?)s?\s*$", re.I)
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class RecordError(ValueError):
    """A record we cannot import, with the reason in plain words."""


@dataclasses.dataclass(frozen=True)
class Failure:
    source: str
    position: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}: {self.position}" if self.position else self.source
        return f"{where}: {self.reason}"


@dataclasses.dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failures: list[Failure] = dataclasses.field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.failures)

    def __str__(self) -> str:
        return (
            f"imported: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.failed} failed"
        )


@dataclasses.dataclass
class Study:
    """One registry record mapped to what we store."""

    nct_id: str
    facts: dict[str, Any]  # Trial field values
    snapshot: dict[str, Any]  # what changes are computed from (trials/changes.py)
    locations: list[dict[str, Any]]  # Location field values, each with its "contacts"
    contacts: list[dict[str, Any]]  # study-level Contact field values
    conditions: list[tuple[str, str]]  # (MeSH term, MeSH ID)
    categories: list[str]
    registry_updated_on: dt.date | None
    content_hash: str
    source_hash: str = ""


# Reading sources ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Raw:
    """One record's JSON text, not parsed yet: a re-import of the same bytes never parses it."""

    data: bytes


# An item read from a source: where it was, and the study (Raw, or already decoded), or why it
# could not be read.
Item = tuple[str, str, Any]

_STUDIES_KEY = re.compile(rb'(?<!\\)"studies"\s*:')
_NCT_ID_IN_JSON = re.compile(rb'"nctId"\s*:\s*"(NCT[0-9]{8})"')


def iter_path(path: str | Path, stdin=None) -> Iterator[Item]:
    """The studies in a file, a directory (every *.json below it) or `-` (standard input)."""
    if str(path) == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        first = stream.readline()
        if _is_json(first):  # JSON Lines: read as it comes, however long
            yield from _iter_lines("standard input", itertools.chain([first], stream))
        else:
            yield from _iter_file("standard input", first + stream.read())
        return
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.json") if p.is_file())
        if not files:
            yield str(path), "", Failure(str(path), "", "no *.json files in this directory")
        for file in files:
            yield from iter_path(file)
        return
    try:
        if path.suffix.lower() in (".jsonl", ".ndjson"):
            with path.open("rb") as stream:
                yield from _iter_lines(str(path), stream)
            return
        data = path.read_bytes()
    except OSError as error:
        yield str(path), "", Failure(str(path), "", f"cannot be read ({error.strerror})")
        return
    yield from _iter_file(str(path), data)


def _is_json(line: bytes) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return bool(line.strip())


def _iter_file(source: str, data: bytes) -> Iterator[Item]:
    """A single study is passed on unread; search responses and lists are read here."""
    if data.lstrip().startswith(b"{") and not _STUDIES_KEY.search(data):
        yield source, "", Raw(data)
    else:
        yield from parse(source, "", data)


def _iter_lines(source: str, lines: Iterable[bytes]) -> Iterator[Item]:
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if line:
            yield source, f"line {number}", Raw(line)


def parse(source: str, position: str, data: bytes) -> Iterator[Item]:
    """The studies in JSON text: one study, a search response, a list, or JSON Lines."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        reason = f"is not UTF-8 text (byte {error.start + 1})"
        yield source, position, Failure(source, position, reason)
        return
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data" and not position and text.lstrip().startswith("{"):
            lines = text.encode().splitlines()
            for item in _iter_lines(source, lines):
                yield from parse(*item[:2], item[2].data)
            return
        if position:  # one line of JSON Lines
            reason = f"invalid JSON at column {error.colno}: {error.msg}"
        else:
            reason = f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"
        yield source, position, Failure(source, position, reason)
        return
    yield from _studies_in(source, position, document)


def _studies_in(source: str, position: str, document: Any) -> Iterator[Item]:
    """A study, a search response ({"studies": [...]}) or a list of studies."""
    if isinstance(document, dict) and "studies" in document and "protocolSection" not in document:
        document = document["studies"]
        if not isinstance(document, list):
            yield source, position, Failure(source, position, '"studies" is not a list')
            return
    if isinstance(document, list):
        prefix = f"{position}, " if position else ""
        for number, study in enumerate(document, start=1):
            yield source, f"{prefix}record {number}", study
        return
    yield source, position, document


def iter_api(
    query: str,
    *,
    base_url: str | None = None,
    page_size: int = API_PAGE_SIZE,
    opener: Callable[..., Any] = urllib.request.urlopen,
) -> Iterator[Item]:
    """Every study the API v2 /studies endpoint returns for `query`, page by page.

    `query` is a URL query string such as "query.cond=small cell lung cancer&filter.overallStatus=
    RECRUITING". Pages are followed through nextPageToken. A page that cannot be fetched after
    a few attempts ends the run with a failure, since the pages after it cannot be reached.
    """
    base = (base_url or settings.CTGOV_API_URL).rstrip("/")
    if "=" in query:
        params = urllib.parse.parse_qsl(query.strip(), keep_blank_values=True)
    else:  # plain words: the API's free-text search
        params = [("query.term", query.strip())]
    if not any(value for _, value in params):
        raise ValueError(f"“{query}” is not a query such as “query.cond=lung cancer”.")
    names = {name for name, _ in params}
    params += [("format", "json")] if "format" not in names else []
    params += [("pageSize", str(page_size))] if "pageSize" not in names else []
    token, page = None, 0
    while True:
        page += 1
        page_params = params + ([("pageToken", token)] if token else [])
        url = f"{base}/studies?{urllib.parse.urlencode(page_params)}"
        source = f"API page {page}"
        try:
            document = _fetch_json(url, opener)
        except RecordError as error:
            yield source, "", Failure(source, "", f"{error} ({url})")
            return
        if not isinstance(document, dict) or not isinstance(document.get("studies"), list):
            yield source, "", Failure(source, "", f"is not a search response ({url})")
            return
        yield from _studies_in(source, "", document)
        token = document.get("nextPageToken")
        if not token:
            return


def _fetch_json(url: str, opener) -> Any:
    request = urllib.request.Request(  # noqa: S310 - the base URL is a setting, not input
        url, headers={"Accept": "application/json", "User-Agent": "trialfinder-import"}
    )
    last = ""
    for attempt in range(1, API_ATTEMPTS + 1):
        try:
            with opener(request, timeout=API_TIMEOUT) as response:
                body = response.read()
            return json.loads(body.decode("utf-8"))
        except urllib.error.HTTPError as error:
            last = f"the registry answered HTTP {error.code}"
            if error.code < 500 and error.code != 429:
                break
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            last = f"the registry could not be reached ({getattr(error, 'reason', error)})"
        except (UnicodeDecodeError, json.JSONDecodeError):
            last = "the registry's answer is not JSON"
            break
        if attempt < API_ATTEMPTS:
            time.sleep(API_RETRY_PAUSE * attempt)
    raise RecordError(last)


# Mapping ----------------------------------------------------------------------------------


def _type_name(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}
    return names.get(type(value), "a number")


def _obj(parent: dict, key: str, path: str) -> dict:
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RecordError(f"{path}{key} should be an object, not {_type_name(value)}")
    return value


def _items(parent: dict, key: str, path: str, kind: type = dict) -> list:
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"{path}{key} should be a list, not {_type_name(value)}")
    if len(value) > MAX_ITEMS:
        raise RecordError(f"{path}{key} has {len(value):,} entries, far more than any study")
    for index, item in enumerate(value):
        if not isinstance(item, kind):
            expected = "an object" if kind is dict else "text"
            raise RecordError(f"{path}{key}[{index}] should be {expected}, not {_type_name(item)}")
        if kind is str and len(item) > MAX_TEXT:
            raise RecordError(f"{path}{key}[{index}] is {len(item):,} characters long")
    if kind is str:
        return [item.replace("\x00", "").strip() for item in value]
    return value


def _text(parent: dict, key: str, path: str, limit: int = MAX_TEXT) -> str:
    value = parent.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordError(f"{path}{key} should be text, not {_type_name(value)}")
    if "\x00" in value:  # PostgreSQL text cannot hold NUL
        value = value.replace("\x00", "")
    value = value.strip()
    if len(value) > limit:
        raise RecordError(
            f"{path}{key} is {len(value):,} characters long; at most {limit:,} are expected"
        )
    return value


# Choice values as sets: an enum's .values is rebuilt on every access.
STATUSES = frozenset(Status.values)
CONTACT_ROLES = frozenset(Contact.Role.values)
PHASES = frozenset(Phase.values)
_VALUES = {Status: STATUSES, StudyType: frozenset(StudyType.values), Sex: frozenset(Sex.values)}


def _choice(parent: dict, key: str, path: str, choices, default: str = "") -> str:
    value = _text(parent, key, path, limit=64)
    if not value:
        return default
    if value not in _VALUES[choices]:
        raise RecordError(f"{path}{key} “{value}” is not one we know")
    return value


@functools.cache
def _limit(model, field: str) -> int:
    return model._meta.get_field(field).max_length


def _date(parent: dict, key: str, path: str) -> tuple[str, dt.date | None, str]:
    """The registry's date text, the date it starts on, and its precision."""
    value = _text(parent, key, path, limit=64)
    if not value:
        return "", None, ""
    if not _DATE.match(value):
        raise RecordError(f"{path}{key} “{value}” is not a date")
    try:
        if len(value) == 4:
            return value, dt.date(int(value), 1, 1), "YEAR"
        if len(value) == 7:
            return value, dt.date.fromisoformat(f"{value}-01"), "MONTH"
        return value, dt.date.fromisoformat(value), "DAY"
    except ValueError:
        raise RecordError(f"{path}{key} “{value}” is not a real date") from None


def _date_struct(module: dict, key: str, path: str) -> tuple[str, dt.date | None, str, bool]:
    struct = _obj(module, key, path)
    text, date, precision = _date(struct, "date", f"{path}{key}.")
    kind = _text(struct, "type", f"{path}{key}.", limit=32)
    return text, date, precision, kind == "ESTIMATED"


def _age(parent: dict, key: str, path: str) -> tuple[str, float | None]:
    text = _text(parent, key, path, limit=30)
    if not text:
        return "", None
    match = _AGE.match(text)
    unit = match[2].lower() if match else ""
    if unit not in AGE_UNITS_PER_YEAR:
        raise RecordError(f"{path}{key} “{text}” is not an age such as “18 Years”")
    return text, round(float(match[1]) / AGE_UNITS_PER_YEAR[unit], 4)


def _number(parent: dict, key: str, path: str, low: float, high: float) -> float | None:
    value = parent.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RecordError(f"{path}{key} should be a number, not {_type_name(value)}")
    if not low <= value <= high:
        raise RecordError(f"{path}{key} {value} is outside {low} to {high}")
    return float(value)


def _contact(item: dict, path: str, role_default: str = Contact.Role.CONTACT) -> dict[str, Any]:
    role = _text(item, "role", path, limit=64)
    return {
        "role": role if role in CONTACT_ROLES else role_default,
        "name": _text(item, "name", path, _limit(Contact, "name")),
        "phone": _text(item, "phone", path, _limit(Contact, "phone")),
        "phone_extension": _text(item, "phoneExt", path, _limit(Contact, "phone_extension")),
        "email": _text(item, "email", path, _limit(Contact, "email")),
    }


def map_study(record: Any) -> Study:
    """Our facts from one API v2 study object; RecordError says why a record cannot be used."""
    if not isinstance(record, dict):
        raise RecordError(f"is {_type_name(record)}, not a study object")
    protocol = _obj(record, "protocolSection", "")
    ident = _obj(protocol, "identificationModule", "protocolSection.")
    p = "protocolSection.identificationModule."
    nct_id = _text(ident, "nctId", p, limit=64)
    if not nct_id:
        raise RecordError("has no NCT ID (protocolSection.identificationModule.nctId)")
    if not re.fullmatch(NCT_ID_PATTERN, nct_id):
        raise RecordError(f"{p}nctId “{nct_id}” is not an NCT ID such as NCT01234567")

    official_title = _text(ident, "officialTitle", p)
    brief_title = _text(ident, "briefTitle", p, _limit(Trial, "brief_title"))
    if not brief_title:
        brief_title = official_title[: _limit(Trial, "brief_title")]
    if not brief_title:
        raise RecordError(f"has no title ({p}briefTitle)")

    p = "protocolSection.statusModule."
    status_module = _obj(protocol, "statusModule", "protocolSection.")
    status = _choice(status_module, "overallStatus", p, Status, default=Status.UNKNOWN)
    _, first_submitted, _ = _date(status_module, "studyFirstSubmitDate", p)
    last_update_struct = _obj(status_module, "lastUpdatePostDateStruct", p)
    _, last_update, _ = _date(last_update_struct, "date", f"{p}lastUpdatePostDateStruct.")
    start_text, start, start_precision, start_estimated = _date_struct(
        status_module, "startDateStruct", p
    )
    end_text, end, end_precision, end_estimated = _date_struct(
        status_module, "completionDateStruct", p
    )

    p = "protocolSection.designModule."
    design = _obj(protocol, "designModule", "protocolSection.")
    phases = _items(design, "phases", p, kind=str)
    phase = "_".join(phases)
    if phase not in PHASES and phase:
        raise RecordError(f"{p}phases {phases} is not a phase we know")
    enrollment_info = _obj(design, "enrollmentInfo", p)
    enrollment = enrollment_info.get("count")
    if enrollment is not None and (
        isinstance(enrollment, bool) or not isinstance(enrollment, int) or enrollment < 0
    ):
        raise RecordError(f"{p}enrollmentInfo.count should be a whole number, not {enrollment!r}")
    if enrollment is not None and enrollment > 2_000_000_000:
        raise RecordError(f"{p}enrollmentInfo.count {enrollment} is impossibly large")

    p = "protocolSection.sponsorCollaboratorsModule."
    sponsors = _obj(protocol, "sponsorCollaboratorsModule", "protocolSection.")
    sponsor = _text(_obj(sponsors, "leadSponsor", p), "name", p + "leadSponsor.", 300)
    collaborators = [
        _text(c, "name", f"{p}collaborators[].", 300) for c in _items(sponsors, "collaborators", p)
    ]

    d = "protocolSection.descriptionModule."
    description = _obj(protocol, "descriptionModule", "protocolSection.")
    p = "protocolSection.conditionsModule."
    conditions_module = _obj(protocol, "conditionsModule", "protocolSection.")
    registrant_conditions = _items(conditions_module, "conditions", p, str)
    keywords = _items(conditions_module, "keywords", p, str)

    p = "protocolSection.armsInterventionsModule."
    arms = _obj(protocol, "armsInterventionsModule", "protocolSection.")
    interventions = []
    for i in _items(arms, "interventions", p):
        q = f"{p}interventions[]."
        interventions.append(
            {
                "type": _text(i, "type", q, 64),
                "name": _text(i, "name", q, 1000),
                "description": _text(i, "description", q),
                "other_names": _items(i, "otherNames", q, str),
            }
        )

    p = "protocolSection.eligibilityModule."
    eligibility = _obj(protocol, "eligibilityModule", "protocolSection.")
    minimum_age, minimum_years = _age(eligibility, "minimumAge", p)
    maximum_age, maximum_years = _age(eligibility, "maximumAge", p)
    if minimum_years is not None and maximum_years is not None and minimum_years > maximum_years:
        raise RecordError(f"{p}minimumAge {minimum_age} is above maximumAge {maximum_age}")
    healthy = eligibility.get("healthyVolunteers")
    if healthy is not None and not isinstance(healthy, bool):
        raise RecordError(f"{p}healthyVolunteers should be true/false, not {_type_name(healthy)}")

    p = "protocolSection.contactsLocationsModule."
    contacts_module = _obj(protocol, "contactsLocationsModule", "protocolSection.")
    officials = [
        {
            "name": _text(o, "name", f"{p}overallOfficials[].", 300),
            "role": _text(o, "role", f"{p}overallOfficials[].", 64),
            "affiliation": _text(o, "affiliation", f"{p}overallOfficials[].", 500),
        }
        for o in _items(contacts_module, "overallOfficials", p)
    ]
    study_contacts = [
        _contact(c, f"{p}centralContacts[].") for c in _items(contacts_module, "centralContacts", p)
    ]
    locations = []
    for index, site in enumerate(_items(contacts_module, "locations", p)):
        q = f"{p}locations[{index}]."
        geo = _obj(site, "geoPoint", q)
        latitude = _number(geo, "lat", q + "geoPoint.", -90, 90)
        longitude = _number(geo, "lon", q + "geoPoint.", -180, 180)
        if (latitude is None) != (longitude is None):
            latitude = longitude = None
        site_status = _text(site, "status", q, 64)
        locations.append(
            {
                "position": index,
                "facility": _text(site, "facility", q, _limit(Location, "facility")),
                "city": _text(site, "city", q, _limit(Location, "city")),
                "state": _text(site, "state", q, _limit(Location, "state")),
                "postal_code": _text(site, "zip", q, _limit(Location, "postal_code")),
                "country": _text(site, "country", q, _limit(Location, "country")),
                "status": site_status if site_status in STATUSES else "",
                "latitude": latitude,
                "longitude": longitude,
                "contacts": [_contact(c, f"{q}contacts[].") for c in _items(site, "contacts", q)],
            }
        )

    p = "derivedSection.conditionBrowseModule."
    browse = _obj(_obj(record, "derivedSection", ""), "conditionBrowseModule", "derivedSection.")
    meshes = [_mesh(m, f"{p}meshes[].") for m in _items(browse, "meshes", p)]
    ancestors = [_mesh(m, f"{p}ancestors[].") for m in _items(browse, "ancestors", p)]
    meshes = [m for m in meshes if m[0]]
    ancestors = [m for m in ancestors if m[0]]
    mesh_terms = [{"id": i, "term": t} for t, i in meshes]
    mesh_terms += [{"id": i, "term": t, "type": "ancestor"} for t, i in ancestors]

    facts = {
        "brief_title": brief_title,
        "official_title": official_title,
        "acronym": _text(ident, "acronym", "protocolSection.identificationModule.", 100),
        "registry_summary": _text(description, "briefSummary", d),
        "detailed_description": _text(description, "detailedDescription", d),
        "status": status,
        "phase": phase,
        "study_type": _choice(design, "studyType", "protocolSection.designModule.", StudyType),
        "enrollment": enrollment,
        "enrollment_is_estimate": _text(enrollment_info, "type", "", 32) == "ESTIMATED",
        "sponsor": sponsor,
        "collaborators": collaborators,
        "officials": officials,
        "interventions": interventions,
        "keywords": keywords,
        "registrant_conditions": registrant_conditions,
        "mesh_terms": mesh_terms,
        "first_submitted_on": first_submitted,
        "last_update_posted_on": last_update,
        "start_date": start,
        "start_date_precision": start_precision,
        "start_date_is_estimate": start_estimated,
        "completion_date": end,
        "completion_date_precision": end_precision,
        "completion_date_is_estimate": end_estimated,
        "eligibility_criteria": _text(eligibility, "eligibilityCriteria", p),
        "sex": _choice(eligibility, "sex", "protocolSection.eligibilityModule.", Sex, Sex.ALL),
        "minimum_age": minimum_age,
        "maximum_age": maximum_age,
        "minimum_age_years": minimum_years,
        "maximum_age_years": maximum_years,
        "healthy_volunteers": healthy,
    }
    snapshot = _snapshot(facts, start_text, end_text, locations, study_contacts)
    categories = groups_for([t for t, _ in meshes], [t for t, _ in ancestors])
    conditions = list(dict.fromkeys(meshes))
    payload = [facts, locations, study_contacts, conditions, categories]
    content = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    try:
        digest = hashlib.sha256(content.encode()).hexdigest()
    except UnicodeEncodeError:
        raise RecordError("holds text that is not valid Unicode (a lone surrogate)") from None
    return Study(
        nct_id=nct_id,
        facts=facts,
        snapshot=snapshot,
        locations=locations,
        contacts=study_contacts,
        conditions=conditions,
        categories=categories,
        registry_updated_on=last_update,
        content_hash=digest,
    )


def _mesh(item: dict, path: str) -> tuple[str, str]:
    term = _text(item, "term", path, _limit(Condition, "name"))
    return term, _text(item, "id", path, _limit(Condition, "mesh_id"))


SNAPSHOT_FACTS = (
    *("brief_title", "official_title", "acronym", "registry_summary", "detailed_description"),
    *("status", "phase", "study_type", "enrollment", "sponsor", "collaborators", "officials"),
    *("interventions", "keywords", "registrant_conditions", "mesh_terms"),
    *("eligibility_criteria", "sex", "minimum_age", "maximum_age", "healthy_volunteers"),
)
SITE_FIELDS = ("facility", "city", "state", "postal_code", "country", "status")


def _snapshot(facts, start_text, end_text, locations, study_contacts) -> dict[str, Any]:
    """The facts a change is described from, as trials/changes.py expects them."""
    snapshot = {name: facts[name] for name in SNAPSHOT_FACTS}
    snapshot["start_date"] = start_text
    snapshot["completion_date"] = end_text
    snapshot["locations"] = [{name: site[name] for name in SITE_FIELDS} for site in locations]
    snapshot["contacts"] = [{"site": None, **contact} for contact in study_contacts] + [
        {"site": site["position"], **contact} for site in locations for contact in site["contacts"]
    ]
    return snapshot


# Storing ----------------------------------------------------------------------------------

REGISTRY_FIELDS = (
    *SNAPSHOT_FACTS,
    *("enrollment_is_estimate", "first_submitted_on", "last_update_posted_on"),
    *("start_date", "start_date_precision", "start_date_is_estimate"),
    *("completion_date", "completion_date_precision", "completion_date_is_estimate"),
    *("minimum_age_years", "maximum_age_years"),
)


class Catalog:
    """Condition and category rows by name, created once each, for one import run."""

    def __init__(self):
        self.conditions: dict[str, int] = {}
        self.categories: dict[str, int] = {}

    def category_ids(self, names: list[str]) -> set[int]:
        missing = [name for name in names if name not in self.categories]
        if missing:
            self.categories.update(
                ConditionCategory.objects.filter(name__in=missing).values_list("name", "id")
            )
        for name in [name for name in missing if name not in self.categories]:
            # Editors may have renamed or added groups: a new one gets a free slug.
            slug, n = slugify(name), 1
            while ConditionCategory.objects.filter(slug=slug).exclude(name=name).exists():
                n += 1
                slug = f"{slugify(name)}-{n}"
            category, _ = ConditionCategory.objects.get_or_create(
                name=name, defaults={"slug": slug, "description": GROUPS.get(name, "")}
            )
            self.categories[name] = category.pk
        return {self.categories[name] for name in names}

    def prepare(self, studies: list["Study"]) -> None:
        """Find, or create, every condition and group these studies name, in a few queries."""
        self.category_ids(sorted({name for study in studies for name in study.categories}))
        wanted: dict[str, str] = {}
        groups: dict[str, list[str]] = {}
        for study in studies:
            for term, mesh_id in study.conditions:
                if term not in self.conditions:
                    wanted.setdefault(term, mesh_id)
                    # A trial's groups are its condition's own when it names only one.
                    if len(study.conditions) == 1:
                        groups.setdefault(term, study.categories)
        if not wanted:
            return
        self.conditions.update(Condition.objects.filter(name__in=wanted).values_list("name", "id"))
        new = {term: mesh_id for term, mesh_id in wanted.items() if term not in self.conditions}
        if not new:
            return
        Condition.objects.bulk_create(
            [Condition(name=term, mesh_id=mesh_id) for term, mesh_id in new.items()],
            ignore_conflicts=True,
        )
        created = dict(Condition.objects.filter(name__in=new).values_list("name", "id"))
        self.conditions.update(created)
        links = [
            Condition.categories.through(condition_id=condition_id, conditioncategory_id=group_id)
            for term, condition_id in created.items()
            for group_id in self.category_ids(groups.get(term) or groups_for([term]))
        ]
        Condition.categories.through.objects.bulk_create(links, ignore_conflicts=True)
        trials_changed.send(sender=Catalog, catalog=True)

    def ids(self, study: "Study") -> tuple[set[int], set[int]]:
        """The study's condition and group ids (after `prepare`)."""
        return (
            {self.conditions[term] for term, _ in study.conditions},
            {self.categories[name] for name in study.categories},
        )


STORE_FIELDS = ("nct_id", "content_hash", "source_hash", "registry_snapshot")
STORE_FIELDS += ("current_version", "update_count")


def store(study: Study, *, catalog: Catalog, draft: bool = False, seen_at=None) -> str:
    """Create or update one trial in its own transaction; CREATED, UPDATED or UNCHANGED.

    Two importers storing the same new NCT ID at once: the unique constraint lets one insert
    win; the other's insert fails, and its retry finds the row and updates it under a lock.
    """
    links = _links(study, catalog)
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                _commit_without_waiting_for_disk()
                trial = (
                    Trial.objects.select_for_update()
                    .filter(nct_id=study.nct_id)
                    .only(*STORE_FIELDS)
                    .first()
                )
                seen = seen_at or timezone.now()
                if trial is None:
                    _insert([(study, *links)], draft, seen)
                    outcome = CREATED
                elif trial.content_hash == study.content_hash:
                    if study.source_hash and trial.source_hash != study.source_hash:
                        Trial.objects.filter(pk=trial.pk).update(source_hash=study.source_hash)
                    return UNCHANGED
                else:
                    _update(trial, study, *links, seen)
                    outcome = UPDATED
        except IntegrityError:
            if attempt == 2:
                raise
            continue
        trials_changed.send(sender=Trial, nct_ids=[study.nct_id])
        return outcome
    raise AssertionError("unreachable")  # pragma: no cover


def store_new(studies: list[Study], *, catalog: Catalog, draft: bool = False, seen_at=None):
    """Create trials that were not stored a moment ago, all in one transaction.

    Raises DatabaseError, with nothing written, if any of them cannot be stored (another
    importer created one meanwhile, or the database refuses a value): the caller then stores
    them one by one with `store`, so one bad record never keeps the others out.
    """
    catalog.prepare(studies)
    rows = [(study, *catalog.ids(study)) for study in studies]
    with transaction.atomic():
        _commit_without_waiting_for_disk()
        _insert(rows, draft, seen_at or timezone.now())
    trials_changed.send(sender=Trial, nct_ids=[s.nct_id for s in studies])


def _links(study: Study, catalog: Catalog) -> tuple[set[int], set[int]]:
    # Catalog rows are shared and made outside the record's transaction: they stay valid for
    # the rest of the run even if this record's transaction rolls back.
    catalog.prepare([study])
    return catalog.ids(study)


def _commit_without_waiting_for_disk() -> None:
    """Let this transaction's commit return before PostgreSQL has flushed it to disk.

    Waiting for the disk on every record's commit would cap a full import at a few hundred
    records a second. A crash can only lose the last fraction of a second of commits, each one
    whole (never half a record), and rerunning the import stores them again.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _insert(rows: list[tuple[Study, set[int], set[int]]], draft: bool, seen) -> None:
    """Insert new trials with their sites, contacts, links and first versions (no signals:
    the callers forget the cached pages)."""
    trials = [
        Trial(
            nct_id=study.nct_id,
            is_published=not draft,
            **study.facts,
            condition_names=_condition_names(study),
            first_seen_at=seen,
            last_updated_at=seen,
            update_count=0,
            current_version=1,
            content_hash=study.content_hash,
            source_hash=study.source_hash,
            registry_snapshot=study.snapshot,
        )
        for study, _, _ in rows
    ]
    # The insert raises IntegrityError if another importer created one of them meanwhile.
    Trial.objects.bulk_create(trials)
    sites = [
        (trial, _location(trial, site), site)
        for trial, (study, _, _) in zip(trials, rows, strict=True)
        for site in study.locations
    ]
    Location.objects.bulk_create([row for _, row, _ in sites], batch_size=1000)
    contacts = [
        Contact(trial=trial, position=n, **contact)
        for trial, (study, _, _) in zip(trials, rows, strict=True)
        for n, contact in enumerate(study.contacts)
    ]
    contacts += [
        Contact(trial=trial, location=row, position=n, **contact)
        for trial, row, site in sites
        for n, contact in enumerate(site["contacts"])
    ]
    Contact.objects.bulk_create(contacts, batch_size=1000)
    conditions, categories = Trial.conditions.through, Trial.categories.through
    conditions.objects.bulk_create(
        [
            conditions(trial_id=trial.pk, condition_id=i)
            for trial, (_, ids, _) in zip(trials, rows, strict=True)
            for i in sorted(ids)
        ],
        batch_size=1000,
    )
    categories.objects.bulk_create(
        [
            categories(trial_id=trial.pk, conditioncategory_id=i)
            for trial, (_, _, ids) in zip(trials, rows, strict=True)
            for i in sorted(ids)
        ],
        batch_size=1000,
    )
    TrialVersion.objects.bulk_create(
        [
            TrialVersion(
                trial=trial,
                number=1,
                kind=TrialVersion.Kind.NEW,
                seen_at=seen,
                registry_updated_on=study.registry_updated_on,
            )
            for trial, (study, _, _) in zip(trials, rows, strict=True)
        ]
    )


def _update(trial: Trial, study: Study, condition_ids: set, category_ids: set, seen) -> None:
    changes = diff(trial.registry_snapshot or {}, study.snapshot)
    values = {
        **study.facts,
        "condition_names": _condition_names(study),
        "content_hash": study.content_hash,
        "source_hash": study.source_hash,
        "registry_snapshot": study.snapshot,
    }
    if changes:
        number = trial.current_version + 1
        TrialVersion.objects.bulk_create(
            [
                TrialVersion(
                    trial=trial,
                    number=number,
                    kind=TrialVersion.Kind.CHANGED,
                    seen_at=seen,
                    registry_updated_on=study.registry_updated_on,
                    changes=changes,
                )
            ]
        )
        values.update(
            current_version=number, update_count=trial.update_count + 1, last_updated_at=seen
        )
    Trial.objects.filter(pk=trial.pk).update(**values)
    _replace_sites(trial, study)
    _relink(trial, Trial.conditions.through, "condition_id", condition_ids)
    _relink(trial, Trial.categories.through, "conditioncategory_id", category_ids)


def _condition_names(study: Study) -> str:
    # What Trial.refresh_search_text() would copy, written with the row itself.
    return " ".join(sorted(term for term, _ in study.conditions))


def _location(trial: Trial, site: dict) -> Location:
    return Location(trial=trial, **{k: v for k, v in site.items() if k != "contacts"})


def _site_key(values: dict) -> tuple:
    return tuple(values[name] for name in ("facility", "city", "state", "postal_code", "country"))


def _contact_key(values: dict) -> tuple:
    return (values["role"], values["name"])


def _replace_sites(trial: Trial, study: Study) -> None:
    """Bring the trial's sites and contacts in line with the study, keeping the rows (and their
    ids) of sites and contacts that are still there."""
    old_sites = {}
    for site in Location.objects.filter(trial=trial).order_by("position", "id"):
        old_sites.setdefault(_site_key(site.__dict__), []).append(site)
    old_contacts: dict[tuple, list[Contact]] = {}
    for contact in Contact.objects.filter(trial=trial).order_by("position", "id"):
        old_contacts.setdefault((contact.location_id, _contact_key(contact.__dict__)), []).append(
            contact
        )

    kept_sites, new_sites, changed_sites = [], [], []
    for site in study.locations:
        matches = old_sites.get(_site_key(site))
        if matches:
            row = matches.pop(0)
            values = {k: v for k, v in site.items() if k != "contacts"}
            if any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                changed_sites.append(row)
            kept_sites.append((row, site))
        else:
            row = _location(trial, site)
            new_sites.append(row)
            kept_sites.append((row, site))
    gone = [row.pk for rows in old_sites.values() for row in rows]
    if gone:
        Location.objects.filter(pk__in=gone).delete()
    if changed_sites:
        fields = ["position", "facility", "city", "state", "postal_code", "country", "status"]
        Location.objects.bulk_update(changed_sites, [*fields, "latitude", "longitude"])
    Location.objects.bulk_create(new_sites)

    wanted = [(None, n, c) for n, c in enumerate(study.contacts)]
    wanted += [(row, n, c) for row, site in kept_sites for n, c in enumerate(site["contacts"])]
    new_contacts, changed_contacts = [], []
    for row, position, values in wanted:
        location_id = row.pk if row is not None else None
        matches = old_contacts.get((location_id, _contact_key(values)))
        if matches:
            contact = matches.pop(0)
            fresh = {**values, "position": position}
            if any(getattr(contact, k) != v for k, v in fresh.items()):
                for k, v in fresh.items():
                    setattr(contact, k, v)
                changed_contacts.append(contact)
        else:
            new_contacts.append(Contact(trial=trial, location=row, position=position, **values))
    removed_sites = set(gone)  # their contacts went with them
    gone = [
        c.pk for rows in old_contacts.values() for c in rows if c.location_id not in removed_sites
    ]
    if gone:
        Contact.objects.filter(pk__in=gone).delete()
    if changed_contacts:
        Contact.objects.bulk_update(
            changed_contacts, ["position", "role", "name", "phone", "phone_extension", "email"]
        )
    Contact.objects.bulk_create(new_contacts)


def _relink(trial: Trial, through, column: str, ids: set[int]) -> None:
    links = through.objects.filter(trial_id=trial.pk)
    current = set(links.values_list(column, flat=True))
    if current - ids:
        links.filter(**{f"{column}__in": current - ids}).delete()
    through.objects.bulk_create(
        [through(trial_id=trial.pk, **{column: i}) for i in sorted(ids - current)]
    )


# The workflow -----------------------------------------------------------------------------

CREATE_BATCH = 100


def import_items(
    items: Iterable[Item],
    *,
    draft: bool = False,
    seen_at: dt.datetime | None = None,
    on_failure: Callable[[Failure], None] | None = None,
    on_progress: Callable[[Counts], None] | None = None,
    batch_size: int | None = None,
) -> Counts:
    """Store every item read from a source, a batch at a time (see `_Run.process`)."""
    batch_size = batch_size or BATCH_SIZE
    run = _Run(draft=draft, seen_at=seen_at, on_failure=on_failure)
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(batch) >= batch_size:
            run.process(batch)
            batch = []
            if on_progress:
                on_progress(run.counts)
    run.process(batch)
    if run.counts.created or run.counts.updated:
        versions_recorded.send(sender=Trial, counts=run.counts)
    return run.counts


class _Run:
    """One import: its counts, its catalog of condition rows, and how it stores records."""

    def __init__(self, *, draft: bool, seen_at, on_failure):
        self.counts = Counts()
        self.catalog = Catalog()
        self.draft = draft
        self.seen_at = seen_at
        self.on_failure = on_failure

    def fail(self, failure: Failure) -> None:
        self.counts.failures.append(failure)
        if self.on_failure:
            self.on_failure(failure)

    def process(self, batch: list[Item]) -> None:
        """Skip what is unchanged, create what is new, and store the rest one by one.

        1. A record whose bytes hash the same as the stored trial's source is unchanged: it is
           not even parsed. One query answers this for the whole batch.
        2. The others are parsed and mapped; one whose mapped facts hash the same as what is
           stored is unchanged too (the registry re-sent it with a new version stamp).
        3. New trials are created a hundred to a transaction; changed ones, and any NCT ID seen
           twice in the batch, are stored one per transaction, in the order they came.
        """
        if not batch:
            return
        raw_ids = {}
        for _, _, payload in batch:
            if isinstance(payload, Raw):
                found = _NCT_ID_IN_JSON.search(payload.data)
                if found:
                    raw_ids[id(payload)] = found[1].decode()
        stored = _stored_hashes(set(raw_ids.values()))
        studies: list[tuple[str, str, Study]] = []
        counted = set()
        for source, position, payload in batch:
            if isinstance(payload, Failure):
                self.fail(payload)
                continue
            if isinstance(payload, Raw):
                nct_id = raw_ids.get(id(payload))
                digest = hashlib.sha256(payload.data).hexdigest()
                if nct_id not in counted and stored.get(nct_id, ("",))[0] == digest:
                    counted.add(nct_id)
                    self.counts.unchanged += 1
                    continue
                counted.add(nct_id)
                items = parse(source, position, payload.data)
            else:
                counted.add(_nct_id_of(payload))
                items = [(source, position, payload)]
            studies += self.map(items, digest if isinstance(payload, Raw) else None)
        stored.update(_stored_hashes({s.nct_id for _, _, s in studies} - stored.keys()))
        self.store_all(studies, stored)

    def map(self, items: Iterable[Item], digest: str | None) -> list[tuple[str, str, Study]]:
        mapped = []
        items = list(items)
        for source, position, record in items:
            if isinstance(record, Failure):
                self.fail(record)
                continue
            try:
                study = map_study(record)
            except RecordError as error:
                self.fail(Failure(source, position, str(error)))
                continue
            # A file holding several studies has no bytes of each study's own to hash.
            study.source_hash = digest if digest and len(items) == 1 else _digest(record)
            mapped.append((source, position, study))
        return mapped

    def store_all(self, studies, stored: dict[str, tuple[str, str]]) -> None:
        new, others = [], []
        queued = set()
        for source, position, study in studies:
            nct_id = study.nct_id
            again = nct_id in queued  # what is stored may change before this one's turn
            queued.add(nct_id)
            if again:
                others.append((source, position, study))
            elif nct_id not in stored:
                new.append((source, position, study))
            elif stored[nct_id][1] == study.content_hash:
                if stored[nct_id][0] != study.source_hash:
                    Trial.objects.filter(nct_id=nct_id).update(source_hash=study.source_hash)
                self.counts.unchanged += 1
            else:
                others.append((source, position, study))
        for start in range(0, len(new), CREATE_BATCH):
            chunk = new[start : start + CREATE_BATCH]
            try:
                store_new(
                    [study for _, _, study in chunk],
                    catalog=self.catalog,
                    draft=self.draft,
                    seen_at=self.seen_at,
                )
                self.counts.created += len(chunk)
            except DatabaseError:
                others[:0] = chunk  # before any later record of the same trials
        for source, position, study in others:
            self.store_one(source, position, study)

    def store_one(self, source: str, position: str, study: Study) -> None:
        try:
            outcome = store(study, catalog=self.catalog, draft=self.draft, seen_at=self.seen_at)
        except DatabaseError as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else "error"
            self.fail(Failure(source, position, f"{study.nct_id} was not stored: {reason}"))
            return
        setattr(self.counts, outcome, getattr(self.counts, outcome) + 1)


def _stored_hashes(nct_ids: set[str]) -> dict[str, tuple[str, str]]:
    if not nct_ids:
        return {}
    rows = Trial.objects.filter(nct_id__in=nct_ids).values_list(
        "nct_id", "source_hash", "content_hash"
    )
    return {nct_id: (source, content) for nct_id, source, content in rows}


def _digest(record: Any) -> str:
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def import_paths(
    paths: Iterable[str | Path],
    *,
    draft: bool = False,
    seen_at: dt.datetime | None = None,
    on_failure: Callable[[Failure], None] | None = None,
    stdin=None,
    workers: int = 1,
    on_progress: Callable[[Counts], None] | None = None,
) -> Counts:
    """Import every study in `paths` (files, directories, search responses, JSON Lines, `-`).

    `on_progress` gets the counts so far after each batch (with one worker).
    """
    items = (item for path in paths for item in iter_path(path, stdin=stdin))
    options = {"draft": draft, "seen_at": seen_at, "on_failure": on_failure}
    if workers > 1:
        return import_in_parallel(items, workers=workers, **options)
    return import_items(items, on_progress=on_progress, **options)


def import_in_parallel(
    items: Iterable[Item],
    *,
    workers: int,
    on_failure: Callable[[Failure], None] | None = None,
    **options,
) -> Counts:
    """Import with several worker processes, so that the database and the reading of records
    keep every core busy.

    Each trial always goes to the same worker, so successive states of one trial are stored in
    the order they came; two workers never race for one trial (and if they did, the unique
    constraint and row locks of `store` would keep it whole). Failures are reported as each
    worker finishes.
    """
    context = multiprocessing.get_context("fork")
    connections.close_all()  # each worker opens its own
    inboxes = [context.Queue(maxsize=4) for _ in range(workers)]
    results = context.Queue()
    processes = [
        context.Process(target=_work, args=(inbox, results, options), daemon=True)
        for inbox in inboxes
    ]
    for process in processes:
        process.start()
    counts = Counts()
    batches: list[list[Item]] = [[] for _ in range(workers)]
    try:
        for item in items:
            if isinstance(item[2], Failure):
                counts.failures.append(item[2])
                if on_failure:
                    on_failure(item[2])
                continue
            worker = zlib.crc32((_nct_id_of(item[2]) or "").encode()) % workers
            batches[worker].append(item)
            if len(batches[worker]) >= BATCH_SIZE:
                inboxes[worker].put(batches[worker])
                batches[worker] = []
    finally:
        for inbox, batch in zip(inboxes, batches, strict=True):
            if batch:
                inbox.put(batch)
            inbox.put(None)
    for _ in processes:
        result = results.get()
        if isinstance(result, str):
            raise RuntimeError(f"an import worker stopped: {result}")
        counts.created += result.created
        counts.updated += result.updated
        counts.unchanged += result.unchanged
        counts.failures += result.failures
        for failure in result.failures:
            if on_failure:
                on_failure(failure)
    for process in processes:
        process.join()
    if counts.created or counts.updated:
        versions_recorded.send(sender=Trial, counts=counts)
    return counts


def _work(inbox, results, options: dict) -> None:
    try:
        run = _Run(on_failure=None, **options)
        while (batch := inbox.get()) is not None:
            run.process(batch)
        results.put(run.counts)
    except BaseException as error:  # the parent reports it
        results.put(f"{type(error).__name__}: {error}")
    finally:
        connections.close_all()


def _nct_id_of(payload: Any) -> str | None:
    if isinstance(payload, Raw):
        found = _NCT_ID_IN_JSON.search(payload.data)
        return found[1].decode() if found else None
    try:
        nct_id = payload["protocolSection"]["identificationModule"]["nctId"]
    except (KeyError, TypeError):
        return None
    return nct_id if isinstance(nct_id, str) else None


def import_api(
    query: str,
    *,
    draft: bool = False,
    base_url: str | None = None,
    on_failure: Callable[[Failure], None] | None = None,
    on_progress: Callable[[Counts], None] | None = None,
    opener: Callable[..., Any] = urllib.request.urlopen,
) -> Counts:
    """Import every study the live API returns for `query` (see iter_api)."""
    items = iter_api(query, base_url=base_url, opener=opener)
    return import_items(items, draft=draft, on_failure=on_failure, on_progress=on_progress)
