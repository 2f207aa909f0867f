"""Typed reading of one registry record's JSON, with messages that say where a value was.

A `Node` is one JSON object of a record and its path in the record ("protocolSection.
statusModule."); each reader returns a value of one type or raises RecordError naming the
path, so a section mapper never spells a path by hand.
"""

import datetime as dt
import re
from typing import Any, NamedTuple

from .records import RecordError

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
_TYPE_NAMES = {dict: "an object", list: "a list", str: "text", bool: "true/false"}


class RegistryDate(NamedTuple):
    text: str  # as the registry wrote it: "2024", "2024-05" or "2024-05-17"
    start: dt.date | None  # the first day it can mean
    precision: str  # "YEAR", "MONTH", "DAY", or "" without a date
    estimated: bool = False


class Age(NamedTuple):
    text: str  # as the registry wrote it: "18 Years"
    years: float | None


NO_DATE = RegistryDate("", None, "")


def type_name(value: Any) -> str:
    return "null" if value is None else _TYPE_NAMES.get(type(value), "a number")


class Node:
    """One JSON object of a record, and where it stands in the record.

    The path ("protocolSection.contactsLocationsModule.locations[2].") is only spelled out when
    a message needs it: most records have none to give.
    """

    __slots__ = ("data", "parent", "key", "index")

    def __init__(self, data: dict, parent: "Node | None" = None, key: str = "", index=None):
        self.data = data
        self.parent = parent
        self.key = key  # its key in the parent ("statusModule")
        self.index = index  # its place in that list, for an object in a list

    @property
    def path(self) -> str:
        """Where this object is, ready to have a key added: "protocolSection.statusModule."."""
        node, parts = self, []
        while node.parent is not None:
            parts.append(f"{node.key}." if node.index is None else f"{node.key}[{node.index}].")
            node = node.parent
        return "".join(reversed(parts))

    def error(self, key: str, problem: str) -> RecordError:
        return RecordError(f"{self.path}{key} {problem}")

    def node(self, key: str) -> "Node":
        """The object at `key` (an empty one when it is absent)."""
        value = self.data.get(key)
        if value is None:
            value = {}
        elif not isinstance(value, dict):
            raise self.error(key, f"should be an object, not {type_name(value)}")
        return Node(value, self, key)

    def nodes(self, key: str) -> list["Node"]:
        """The objects in the list at `key`, each with its place in the list."""
        return [Node(item, self, key, n) for n, item in enumerate(self._list(key, dict))]

    def texts(self, key: str) -> list[str]:
        """The texts in the list at `key`."""
        texts = self._list(key, str)
        for index, item in enumerate(texts):
            if len(item) > MAX_TEXT:
                raise self.error(f"{key}[{index}]", f"is {len(item):,} characters long")
        return [item.replace("\x00", "").strip() for item in texts]

    def _list(self, key: str, kind: type) -> list:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(key, f"should be a list, not {type_name(value)}")
        if len(value) > MAX_ITEMS:
            raise self.error(key, f"has {len(value):,} entries, far more than any study")
        for index, item in enumerate(value):
            if not isinstance(item, kind):
                expected = "an object" if kind is dict else "text"
                raise self.error(f"{key}[{index}]", f"should be {expected}, not {type_name(item)}")
        return value

    def text(self, key: str, limit: int = MAX_TEXT) -> str:
        value = self.data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.error(key, f"should be text, not {type_name(value)}")
        if "\x00" in value:  # PostgreSQL text cannot hold NUL
            value = value.replace("\x00", "")
        value = value.strip()
        if len(value) > limit:
            raise self.error(
                key, f"is {len(value):,} characters long; at most {limit:,} are expected"
            )
        return value

    def choice(self, key: str, allowed: frozenset[str], default: str = "") -> str:
        """One of the `allowed` values, or `default` when there is none."""
        value = self.text(key, limit=64)
        if not value:
            return default
        if value not in allowed:
            raise self.error(key, f"“{value}” is not one we know")
        return value

    def date(self, key: str) -> RegistryDate:
        """A date as the registry writes it: a year, a month or a day."""
        value = self.text(key, limit=64)
        if not value:
            return NO_DATE
        if not _DATE.match(value):
            raise self.error(key, f"“{value}” is not a date")
        try:
            if len(value) == 4:
                return RegistryDate(value, dt.date(int(value), 1, 1), "YEAR")
            if len(value) == 7:
                return RegistryDate(value, dt.date.fromisoformat(f"{value}-01"), "MONTH")
            return RegistryDate(value, dt.date.fromisoformat(value), "DAY")
        except ValueError:
            raise self.error(key, f"“{value}” is not a real date") from None

    def date_struct(self, key: str) -> RegistryDate:
        """A registry date structure: {"date": ..., "type": "ACTUAL" or "ESTIMATED"}."""
        struct = self.node(key)
        date = struct.date("date")
        return date._replace(estimated=struct.text("type", limit=32) == "ESTIMATED")

    def age(self, key: str) -> Age:
        """An age such as "18 Years" or "6 Months", with its value in years."""
        text = self.text(key, limit=30)
        if not text:
            return Age("", None)
        match = _AGE.match(text)
        unit = match[2].lower() if match else ""
        if unit not in AGE_UNITS_PER_YEAR:
            raise self.error(key, f"“{text}” is not an age such as “18 Years”")
        return Age(text, round(float(match[1]) / AGE_UNITS_PER_YEAR[unit], 4))

    def number(self, key: str, low: float, high: float) -> float | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key, f"should be a number, not {type_name(value)}")
        if not low <= value <= high:
            raise self.error(key, f"{value} is outside {low} to {high}")
        return float(value)

    def whole_number(self, key: str, high: int) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error(key, f"should be a whole number, not {value!r}")
        if value > high:
            raise self.error(key, f"{value} is impossibly large")
        return value

    def flag(self, key: str) -> bool | None:
        value = self.data.get(key)
        if value is not None and not isinstance(value, bool):
            raise self.error(key, f"should be true/false, not {type_name(value)}")
        return value
