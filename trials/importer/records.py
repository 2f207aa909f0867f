"""What the importer's parts hand each other: items read, studies mapped, failures, counts."""

import dataclasses
import datetime as dt
from typing import Any, TypedDict

from ..results.data import Results

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


class RecordError(ValueError):
    """A record we cannot import, with the reason in plain words."""


@dataclasses.dataclass(frozen=True)
class Failure:
    """Why one record, or a whole source, could not be imported, and where it was."""

    source: str
    position: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}: {self.position}" if self.position else self.source
        return f"{where}: {self.reason}"


@dataclasses.dataclass(frozen=True)
class Raw:
    """One record's JSON text, not parsed yet: a re-import of the same bytes never parses it."""

    data: bytes


# An item read from a source: where it was (source, position), and the study (Raw, or already
# decoded JSON), or the Failure that says why it could not be read.
Item = tuple[str, str, Any]


@dataclasses.dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failures: list[Failure] = dataclasses.field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.failures)

    def add(self, other: "Counts") -> None:
        """Count another run's records (and failures) in with these."""
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.failures += other.failures

    def __str__(self) -> str:
        return (
            f"imported: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.failed} failed"
        )


class ContactValues(TypedDict):
    """A study team contact as the Contact model stores it."""

    role: str
    name: str
    phone: str
    phone_extension: str
    email: str


class Site(TypedDict):
    """A study site as the Location model stores it, with the site's own contacts."""

    position: int
    facility: str
    city: str
    state: str
    postal_code: str
    country: str
    status: str
    latitude: float | None
    longitude: float | None
    contacts: list[ContactValues]


@dataclasses.dataclass
class Study:
    """One registry record mapped to what we store."""

    nct_id: str
    facts: dict[str, Any]  # Trial field values
    snapshot: dict[str, Any]  # what changes are computed from (trials/changes.py)
    locations: list[Site]
    contacts: list[ContactValues]  # study-level contacts
    conditions: list[tuple[str, str]]  # (MeSH term, MeSH ID)
    groups: list[str]
    registry_updated_on: dt.date | None
    content_hash: str
    source_hash: str = ""
    results: Results | None = None  # posted results (trials/results/)
