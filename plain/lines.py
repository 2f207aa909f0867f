"""Counts of people and shares in our words (“12 of 137 people (9%)”), and the lines the
results section is made of: a line of ours, with the lines listed under it."""

import dataclasses
import re


@dataclasses.dataclass
class Line:
    """A line we wrote, and the lines listed under it (one per value, or one per group)."""

    text: str
    items: list[str] = dataclasses.field(default_factory=list)

    def sentences(self) -> list[str]:
        return [self.text, *self.items]


def percent(part: int, whole: int) -> str:
    if not whole:
        return ""
    share = 100 * part / whole
    if 0 < share < 1:
        return "less than 1%"
    return f"{round(share)}%"


def people_of(part: int, whole: int) -> str:
    """“12 of 137 people (9%)”."""
    noun = "person" if whole == 1 else "people"
    share = percent(part, whole)
    return f"{part} of {whole} {noun}" + (f" ({share})" if share else "")


_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")


def is_number(text: str) -> bool:
    return bool(_NUMBER.match(text.strip()))


def joined(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
