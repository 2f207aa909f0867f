"""The search vocabulary editors keep in admin, and the Vocabulary every search reads from it.

Editors add a synonym and the next search uses it, in every process, without a deploy or a
restart: the vocabulary is read from the table into the shared cache, and a saved or deleted
synonym forgets it there (and the cached search pages built with it).
"""

import functools
import re
import tomllib
import uuid
from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models

from plain.names import all_names

from .vocabulary import SPELLING, Term, Vocabulary, words

SEED = Path(__file__).with_name("search_vocabulary.toml")

VERSION_KEY = "trials:vocabulary:version"
TERMS_KEY = "trials:vocabulary:terms"
CACHE_SECONDS = 24 * 60 * 60


class Synonym(models.Model):
    """What people say for something, and the words trial records use for it."""

    class Kind(models.TextChoices):
        EVERYDAY = "EVERYDAY", "Everyday words"
        ABBREVIATION = "ABBREVIATION", "Abbreviation"
        SPELLING = SPELLING, "Spelling variant (one word)"
        MEDICAL = "MEDICAL", "Medical term"

    said = models.CharField(
        "what people type",
        max_length=100,
        unique=True,
        help_text="Words as patients type them, such as “slipped disc” or “AML”.",
    )
    means = models.TextField(
        "what records say",
        help_text="One term per line, as trial records write it, such as “disc herniation”. "
        "For a spelling variant, the usual (American) spelling first.",
    )
    kind = models.CharField(max_length=12, choices=Kind, default=Kind.EVERYDAY)
    both_ways = models.BooleanField(
        default=False,
        help_text="The record words also find trials that use the typed words (abbreviations).",
    )
    match_case = models.BooleanField(
        "only in capitals",
        default=False,
        help_text="Use only when typed in capitals, for abbreviations that are also ordinary "
        "words (ALL, not “all”).",
    )
    not_meant = models.TextField(
        "what it does not mean",
        blank=True,
        help_text="Longer names that hold the record words but mean something else, one per "
        "line, such as “pulmonary hypertension” for high blood pressure. A trial filed under "
        "one of them is not found unless its own title or conditions also say the record words.",
    )

    class Meta:
        ordering = ["said"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(said=""), name="synonym_said_not_empty"),
        ]

    def __str__(self) -> str:
        return self.said

    def clean(self):
        if not words(self.said):
            raise ValidationError({"said": "Type at least one word or abbreviation."})
        if not self.terms():
            raise ValidationError({"means": "Give at least one term, one per line."})
        if self.kind == self.Kind.SPELLING and (
            len(words(self.said)) != 1 or any(len(words(t)) != 1 for t in self.terms())
        ):
            raise ValidationError(
                {"kind": "A spelling variant is one word spelled another way, like “tumour”."}
            )

    def terms(self) -> list[str]:
        return _lines(self.means)

    def as_term(self) -> Term:
        return Term(
            self.said,
            tuple(self.terms()),
            self.kind,
            self.both_ways,
            self.match_case,
            tuple(_lines(self.not_meant)),
        )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if words(line)]


def current_vocabulary() -> Vocabulary:
    """The vocabulary as editors last left it, with the everyday condition names.

    One small cache read per search (the version); the terms are read from the cache, or the
    table, only when the version has changed since this process last looked, and the
    vocabulary (some milliseconds to build) is built again only if the terms differ: an
    emptied cache costs one read of the table, not a rebuild.
    """
    global _last
    version = cache.get(VERSION_KEY)
    if version is not None and _last is not None and _last[0] == version:
        return _last[2]
    terms = cache.get(f"{TERMS_KEY}:{version}") if version is not None else None
    if terms is None:
        terms = [synonym.as_term() for synonym in Synonym.objects.all()]
        version = uuid.uuid4().hex
        cache.set(f"{TERMS_KEY}:{version}", terms, CACHE_SECONDS)
        cache.set(VERSION_KEY, version, CACHE_SECONDS)
    if _last is not None and _last[1] == terms:
        vocabulary = _last[2]
    else:
        vocabulary = Vocabulary((*terms, *everyday_name_terms()))
    _last = (version, terms, vocabulary)
    return vocabulary


_last: tuple[str, list[Term], Vocabulary] | None = None


def forget_vocabulary() -> None:
    cache.delete(VERSION_KEY)


def seed_synonyms() -> list[dict]:
    """The vocabulary the site starts with (search_vocabulary.toml), as Synonym field values."""
    with SEED.open("rb") as file:
        seed = tomllib.load(file)
    rows = [
        {
            "said": t["said"],
            "means": "\n".join(t["means"]),
            "kind": Synonym.Kind.EVERYDAY,
            "not_meant": "\n".join(t.get("not_meant", [])),
        }
        for t in seed["everyday"]
    ]
    rows += [
        {
            "said": t["said"],
            "means": "\n".join(t["means"]),
            "kind": Synonym.Kind.ABBREVIATION,
            "both_ways": True,
            "match_case": t.get("match_case", False),
        }
        for t in seed["abbreviations"]
    ]
    rows += [
        {"said": british, "means": usual, "kind": Synonym.Kind.SPELLING, "both_ways": True}
        for british, usual in seed["spellings"].items()
    ]
    return rows


_BRACKETED = re.compile(r"^(?P<before>.*?)\s*\((?P<inside>[^)]*)\)\s*(?P<after>.*)$")


def everyday_name_terms() -> tuple[Term, ...]:
    """The plain-language app's everyday names, each finding its MeSH term."""
    return _name_terms(tuple(all_names().items()))


@functools.cache
def _name_terms(names: tuple[tuple[str, str], ...]) -> tuple[Term, ...]:
    terms = []
    for mesh_term, name in names:
        said = [s for s in _names_said(name) if words(s) and words(s) != words(mesh_term)]
        # An abbreviation in capitals ("ALL") counts only when typed so ("all" is a word).
        terms += [Term(s, (mesh_term,), Synonym.Kind.EVERYDAY, False, s.isupper()) for s in said]
    return tuple(terms)


def _names_said(name: str) -> list[str]:
    """“slipped (herniated) disc” is said “slipped disc” and “herniated disc”; “acute myeloid
    leukemia (AML)” also “AML”; an explanation in brackets (“(a skin cancer)”) is not a name."""
    found = _BRACKETED.match(name)
    if not found:
        return [name]
    before, inside, after = found["before"], found["inside"], found["after"]
    plain = f"{before} {after}".strip()
    explained = len(words(inside)) > 3 or words(inside)[:1] in (["a"], ["an"], ["the"])
    if explained or not inside:
        return [plain]
    if after:  # “slipped (herniated) disc”: another word for the one before the bracket
        return [plain, " ".join([*before.split()[:-1], inside, after])]
    return [plain, inside]
