"""What names a trial, in the form a search's ranking reads it (trials/ranking.py).

Two lower-case texts, each name in them kept apart by "|" so that no phrase runs from one name
into the next:

- `own_names`: what the trial was registered and is shown with: its headlines (the editors' and
  the one written from its facts), titles, acronym, the registrant's conditions and keywords;
- `filed_names`: what it is filed under: its linked conditions and its own MeSH terms (not their
  ancestors: a parent term still finds a trial, but does not name it), each inverted MeSH term
  also said the way people say it ("acute myeloid leukemia").

They are stored with the row wherever these fields are written (Trial.save, the importer,
refresh_search_text), so a search reads two short columns for each of the hundreds of trials it
ranks instead of unpacking their JSON lists. Pure: no models.
"""

from collections.abc import Mapping
from typing import Any

from .vocabulary import uninverted

OWN_TEXTS = ("headline", "generated_headline", "brief_title", "acronym")
OWN_LISTS = ("registrant_conditions", "keywords")
# The fields the names are made from: a write to any of them writes the names too.
NAMING_FIELDS = frozenset((*OWN_TEXTS, *OWN_LISTS, "condition_names", "mesh_terms"))
NAME_COLUMNS = ("own_names", "filed_names")


def names_of(values: Mapping[str, Any]) -> dict[str, str]:
    """The two columns for a trial whose NAMING_FIELDS have these values (missing ones count as
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
    }


def _joined(names: list) -> str:
    return "|".join(name for name in names if name).lower()
