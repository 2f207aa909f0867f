"""What names a trial, in the form a search's ranking reads it (trials/ranking.py).

Lower-case texts, each name in them kept apart by "|" so that no phrase runs from one name into
the next:

- `own_names`: what the trial was registered and is shown with: its headlines (the editors' and
  the one written from its facts), titles, acronym, the registrant's conditions and keywords;
- `filed_names`: what it is filed under: its linked conditions and its own MeSH terms (not their
  ancestors: a parent term still finds a trial, but does not name it), each inverted MeSH term
  also said the way people say it ("acute myeloid leukemia").

And `after_non`: what the trial's title and summaries say right after each "non", a short
run each ("-small cell lung cancer …" of "non-small cell lung cancer"), kept apart by "|": a
search for "small cell lung cancer" looks there for its phrase negated.

They are stored with the row wherever these fields are written (Trial.save, the importer,
refresh_search_text), so a search reads three short columns for each of the hundreds of trials
it ranks instead of unpacking their JSON lists and reading their long texts. Pure: no models.
"""

import re
from collections.abc import Mapping
from typing import Any

from .vocabulary import NEGATING_PREFIXES, uninverted

OWN_TEXTS = ("headline", "generated_headline", "brief_title", "acronym")
OWN_LISTS = ("registrant_conditions", "keywords")
NEGATED_TEXTS = ("official_title", "registry_summary", "plain_summary")
# The fields the columns are made from: a write to any of them writes the columns too.
NAMING_FIELDS = frozenset((*OWN_TEXTS, *OWN_LISTS, "condition_names", "mesh_terms", *NEGATED_TEXTS))
NAME_COLUMNS = ("own_names", "filed_names", "after_non")
# Characters kept after each "non": more than any phrase a search looks for there.
AFTER_NON = 120
_NEGATION = re.compile(rf"(?<![a-z0-9_])(?:{'|'.join(NEGATING_PREFIXES)})")


def names_of(values: Mapping[str, Any]) -> dict[str, str]:
    """The NAME_COLUMNS of a trial whose NAMING_FIELDS have these values (missing ones count as
    empty)."""
    own = [values.get(field) for field in OWN_TEXTS]
    for field in OWN_LISTS:
        own += [item for item in values.get(field) or () if isinstance(item, str)]
    filed = [values.get("condition_names")]
    for term in values.get("mesh_terms") or ():
        if not isinstance(term, dict) or term.get("type"):  # an ancestor
            continue
        name = term.get("term")
        if isinstance(name, str):
            filed += [name, uninverted(name)] if "," in name else [name]
    return {
        "own_names": _joined(own),
        "filed_names": _joined(filed),
        "after_non": "|".join(_after_negations(values)),
    }


def _after_negations(values: Mapping[str, Any]):
    for field in NEGATED_TEXTS:
        text = (values.get(field) or "").lower()
        for found in _NEGATION.finditer(text):
            yield text[found.end() : found.end() + AFTER_NON].replace("|", " ")


def _joined(names: list) -> str:
    return "|".join(name for name in names if name).lower()
