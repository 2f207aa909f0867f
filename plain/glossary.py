"""The glossary: words trial pages use, each explained in our own plain words.

The entries live in `glossary.toml` beside this module, easy to read and edit. Each has the
forms records write it in; `forms()` adds the regular plurals, and the matcher reads hyphens as
spaces, so “double blind”, “double-blind” and “Double-Blind” all find the one entry.
"""

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.utils.text import slugify

DATA = Path(__file__).with_name("glossary.toml")

# Two capitals in a row mark an abbreviation (MRI, eGFR): matched only as written, so “ALL”
# or “EGFR” never match the everyday word or a different abbreviation.
_ABBREVIATION = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True)
class Entry:
    name: str
    means: str
    also: tuple[str, ...] = ()

    @property
    def slug(self) -> str:
        """The entry's anchor on the glossary page: /glossary/#double-blind."""
        return slugify(self.name)

    @property
    def letter(self) -> str:
        return self.name[0].upper()

    def forms(self) -> set[str]:
        """Every spelling that finds this entry in text, with hyphens written as spaces."""
        forms = set()
        for written in (self.name, *self.also):
            form = written.replace("-", " ")
            forms.add(form)
            if not is_abbreviation(form) and form[-1].isalpha():
                forms.add(plural(form))
        return forms


def plural(phrase: str) -> str:
    """The regular English plural of a phrase's last word (“biopsy” → “biopsies”)."""
    if phrase.endswith(("s", "x", "z", "ch", "sh")):
        return f"{phrase}es" if not phrase.endswith("s") else phrase
    if phrase.endswith("y") and phrase[-2:-1] not in tuple("aeiou"):
        return f"{phrase[:-1]}ies"
    return f"{phrase}s"


def is_abbreviation(form: str) -> bool:
    return bool(_ABBREVIATION.search(form))


@functools.cache
def entries() -> tuple[Entry, ...]:
    """Every entry, A to Z, loaded once."""
    with DATA.open("rb") as data:
        terms = tomllib.load(data)["term"]
    found = [
        Entry(name=term["name"], means=term["means"], also=tuple(term.get("also", ())))
        for term in terms
    ]
    return tuple(sorted(found, key=lambda entry: entry.name.casefold()))


def by_letter() -> list[tuple[str, list[Entry]]]:
    """The entries grouped under their first letter, for the page's A-Z index."""
    groups: dict[str, list[Entry]] = {}
    for entry in entries():
        groups.setdefault(entry.letter, []).append(entry)
    return sorted(groups.items())
