"""Study teams' phone numbers and email addresses, masked wherever registry text holds them.

Registrants write contacts into free text ("call 617-555-0111", "email
study.coordinator@hospital.org") as often as into the contact fields. We promise that study
teams' contact details never reach the public, so every piece of registry text is masked, with
the same masks the contact fields show, in ONE layer: when a record is stored.

Why storage and not each output: everything public reads the stored text (trial pages, their
meta and Open Graph descriptions, JSON-LD, search and ZIP-search cards, the search index itself,
the history page's diffs, RSS and Atom, the alert emails, and text generated from the facts),
so masking once where records come in covers all of them, outputs added later included, and
nothing depends on a template remembering a filter. A search for a study's phone number finds
nothing either. The import masks each record before mapping it (`mask_record`, so the stored
snapshot and every version's diff are masked too); hand edits in the admin are masked when the
row saves (`MasksRegistryText`).

Staff still reach the real contacts: the contact fields (`Contact.phone`, `Contact.email`) keep
them and only the admin shows them; the registry's unmasked record is a link away on
ClinicalTrials.gov (`Trial.registry_url`, linked from every trial page).

Pure functions, importing no models: the importer, the models, migrations and tests share them.
"""

import re
from typing import Any

MASKED_PHONE = "•••-•••-••••"
MASKED_EMAIL = "•••••@•••••"

# Keys of a registry record (API v2) and of our mapped facts whose values ARE the contact
# details: they are kept as they are, private in the contact fields.
CONTACT_KEYS = frozenset({"phone", "phoneExt", "phone_extension", "email"})

_EXTENSION = r"(?:\s*(?:,\s*)?(?:x|ext\.?|extension|poste|durchwahl)\s*\d{1,6})?"

# Any address (local@domain), and the spellings registrants use to dodge address harvesters
# ("name (at) hospital (dot) org", "name[at]hospital.org"), which need a dotted domain.
_LOCAL = r"[\w.!#$%&'*+/=?^`{|}~-]+"
_EMAIL = re.compile(rf"(?:mailto:)?{_LOCAL}[@＠][\w-]+(?:\.[\w-]+)*", re.IGNORECASE)
_SPELLED_AT = r"\s*[\[({]\s*at\s*[\])}]\s*"
_SPELLED_DOT = r"(?:\.|\s*[\[({]\s*dot\s*[\])}]\s*)"
_SPELLED_AT_ANYWHERE = re.compile(r"[\[({]\s*at\s*[\])}]", re.IGNORECASE)
_SPELLED_EMAIL = re.compile(rf"{_LOCAL}{_SPELLED_AT}[\w-]+(?:{_SPELLED_DOT}[\w-]+)+", re.IGNORECASE)

# Phone numbers in the shapes registries use. Each alternative is shaped tightly enough that an
# NCT ID, a date (2023-02-28, 01.02.2023), a dose (5-10 mg), a year range (2019-2021) or a
# count (1,000) never matches; the digit count is checked again in `_phone`.
_PHONE = re.compile(
    rf"""
    (?<![\w+/.-])
    (?:
        # International: +44 20 7946 0958, +1 (617) 555-0111, +49 (0)30 1234567
        \+\d{{1,3}}(?:[\s.-]?\(?\d{{1,5}}\)?){{2,6}}
      | # North American: (617) 555-0111, 617-555-0111, 617.555.0111, 1-617-555-0111
        (?:1[\s.-]?)?(?:\(\d{{3}}\)\s?|\d{{3}}[\s.-])\d{{3}}[\s.-]\d{{4}}
      | # National numbers with a trunk 0: 020 7946 0958, 01 23 45 67 89, 030 12345678
        0\d{{1,4}}(?:[\s.-]\d{{2,8}}){{1,4}}
    )
    {_EXTENSION}
    (?![\w/-])
    """,
    re.VERBOSE | re.IGNORECASE,
)

# Any run of digits a registrant labels as a phone, fax or mobile number, whatever its shape:
# "Tel: 6175550111", "call 555-0111", "phone no. 0800 123 456".
_LABELLED_PHONE = re.compile(
    rf"""
    (?P<label>\b(?:phone|telephone|tel|fax|mobile|cell|call|ph|hotline|helpline)\b\.?
        (?:\s*(?:number|no\.?|nr\.?|\#))?\s*[:.]?\s*(?:on|at)?\s*)
    (?P<number>\+?\(?\d[\d\s().-]{{5,}}\d{_EXTENSION})
    """,
    re.VERBOSE | re.IGNORECASE,
)


# Seven digits or more: fewer is never masked (see `_phone` and `_labelled_phone`), and most
# registry text (numbers of results, doses, dates) has fewer, so it skips the phone patterns.
_SEVEN_DIGITS = re.compile(r"(?:\D*+\d){7}")


def _digits(text: str) -> int:
    return sum(character.isdigit() for character in text)


def _phone(match: re.Match) -> str:
    number = match[0]
    # National numbers need nine digits or more: fewer is a date or a list of small numbers.
    low = 9 if number.startswith("0") else 8
    return MASKED_PHONE if low <= _digits(number) <= 17 else number


def _labelled_phone(match: re.Match) -> str:
    if _digits(match["number"]) < 7:
        return match[0]
    return match["label"] + MASKED_PHONE


def mask_contacts(text: str) -> str:
    """The text with every phone number and email address in it replaced by the masks."""
    if len(text) < 5:  # shorter than any address (a@b.c) or phone number
        return text
    if "@" in text or "＠" in text:
        text = _EMAIL.sub(MASKED_EMAIL, text)
    if _SPELLED_AT_ANYWHERE.search(text):
        text = _SPELLED_EMAIL.sub(MASKED_EMAIL, text)
    if _SEVEN_DIGITS.match(text):
        text = _LABELLED_PHONE.sub(_labelled_phone, text)
        text = _PHONE.sub(_phone, text)
    return text


def mask_record(value: Any) -> Any:
    """A copy of a record (dicts, lists, text) with every text masked, contact fields aside."""
    if isinstance(value, str):
        return mask_contacts(value)
    if isinstance(value, dict):
        return {
            key: item if key in CONTACT_KEYS else mask_record(item) for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(mask_record(item) for item in value)
    return value


# The registry's words each model stores, masked whenever a row is saved. Contacts keep their
# real phone and email (only staff see them); their names are public.
REGISTRY_TEXT_FIELDS = {
    "Trial": (
        *("brief_title", "official_title", "acronym", "registry_summary", "detailed_description"),
        *("sponsor", "collaborators", "officials", "interventions", "keywords"),
        *("registrant_conditions", "mesh_terms", "eligibility_criteria", "why_stopped"),
        *("minimum_age", "maximum_age", "registry_snapshot", "design"),
        # Written from the registry's facts (plain/), so from its words too.
        *("generated_headline", "generated_summary", "generated_active_substance"),
        *("generated_could_lead_to", "generated_could_go_wrong"),
    ),
    "Location": ("facility", "city", "state", "postal_code", "country"),
    "Contact": ("name",),
    "Condition": ("name",),
    "TrialVersion": ("changes",),
}


class MasksRegistryText:
    """Model mixin: the model's REGISTRY_TEXT_FIELDS are masked whenever a row is saved, so hand
    edits in the admin are masked as the import's records are."""

    def save(self, *args, **kwargs):
        self.mask_contacts()
        super().save(*args, **kwargs)

    def mask_contacts(self) -> None:
        for name in REGISTRY_TEXT_FIELDS[type(self).__name__]:
            setattr(self, name, mask_record(getattr(self, name)))
