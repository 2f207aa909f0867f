"""Plain-language text written from a trial's registry facts: a headline, a short summary and
“What this could mean”.

Deterministic (the same facts always give the same words) and exact: every sentence states a
fact of the record (TrialFacts) in our own words, or explains one. Nothing speaks of a drug
unless a drug is tested, and each sentence is kept short so the text reads at about US school
grade 6. Editors' text always wins over this; the site labels this text as written
automatically.
"""

import dataclasses
import re
from collections.abc import Iterator

from trials.readability import READING_GRADE_TARGET as GRADE_LIMIT
from trials.readability import reading_grade

from . import meaning
from .facts import TrialFacts, design_from_record, facts_from_mapping
from .reading import Reading
from .tested import MOST_NAMES
from .wording import PHASE_NAMES

HEADLINE_LIMIT = 90
MAX_SENTENCE_WORDS = 25
MOST_SENTENCES = 5  # a summary is three to five short sentences
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# Ways to say the summary in fewer sentences, tried in this order until it fits in five.
JOINS = ("tested and who", "size and status", "design", "who and status")


@dataclasses.dataclass(frozen=True)
class PlainText:
    headline: str
    summary: str
    active_substance: str
    could_lead_to: str
    could_go_wrong: str

    def as_fields(self) -> dict[str, str]:
        """Trial field values: generated_headline, generated_summary, ..."""
        return {f"generated_{name}": value for name, value in dataclasses.asdict(self).items()}


def write(facts: TrialFacts) -> PlainText:
    reading = Reading(facts)
    return PlainText(
        headline=headline(reading),
        summary=" ".join(summary(reading)),
        active_substance=meaning.active_substance(reading),
        could_lead_to=" ".join(meaning.could_lead_to(reading)),
        could_go_wrong=" ".join(meaning.could_go_wrong(reading)),
    )


def sentences(text: str) -> list[str]:
    """A text of ours as its sentences."""
    return [sentence for sentence in SENTENCE_END.split(text) if sentence]


# Headline ----------------------------------------------------------------------------------


def headline(reading: Reading) -> str:
    for text in _headlines(reading):
        text = " ".join(text.split())
        if text and len(text) <= HEADLINE_LIMIT:
            return text[0].upper() + text[1:]
    return "A study that watches people" if reading.observational else "A study in people"


def _headlines(reading: Reading) -> Iterator[str]:
    purpose = reading.facts.primary_purpose
    for conditions in (reading.conditions, reading.conditions[:1], []):
        cond = " or ".join(conditions)
        if reading.observational:
            yield from _observing_headlines(reading, cond)
            continue
        for subject in reading.tested.headline_subjects():
            if reading.expanded_access:
                tail = f" for people with {cond}" if cond else ""
                yield f"Early access to {subject}{tail}"
                continue
            if not cond:
                tail = " in healthy volunteers" if reading.facts.healthy_volunteers else ""
            elif purpose == "PREVENTION":
                tail = f" to prevent {cond}"
            elif purpose == "DIAGNOSTIC":
                tail = f" to find or check {cond}"
            elif purpose == "SCREENING":
                tail = f" to screen for {cond}"
            elif purpose in ("SUPPORTIVE_CARE", "BASIC_SCIENCE", "HEALTH_SERVICES_RESEARCH"):
                tail = f" in people with {cond}"
            else:
                tail = f" for {cond}"
            yield f"Testing {subject}{tail}"


def _observing_headlines(reading: Reading, cond: str) -> Iterator[str]:
    start = reading.observing()
    start = start[0] if start else "Studying"
    if cond and start == "Following":
        yield f"Following people with {cond} over time"
    elif cond and start.endswith(" without"):  # “Comparing people with and without asthma”
        yield f"{start} {cond}"
    elif cond:
        yield f"{start} people with {cond}"
    if start == "Following":
        yield "Watching what happens to people over time"
    else:
        yield f"{start} a condition" if start.endswith(" without") else f"{start} people"


# Summary -----------------------------------------------------------------------------------


def summary(reading: Reading) -> list[str]:
    """Three to five short sentences: what kind of study, what it tests and for whom, its
    design, how many people where and when, and whether it takes people now.

    Facts share a sentence only where five would not hold them all, and names give way to a
    count of what is tested only where they would make the text too long or hard to read."""
    tried = []
    for names in (MOST_NAMES, 2, 1, 0):
        for joins in range(len(JOINS) + 1):
            tried = _summary(reading, names, JOINS[:joins])
            if len(tried) <= MOST_SENTENCES and _easy(tried):
                return tried
    return tried


def _summary(reading: Reading, names: int, joins: tuple[str, ...]) -> list[str]:
    facts = reading.facts
    if reading.observational:
        opening = [
            "This is an observational study: nobody is given a treatment for it.",
            *reading.observing_sentences(names=bool(names)),
        ]
    else:
        tested, goes_on = reading.tested.phrase(names)
        kind = facts.phase in PHASE_NAMES or reading.expanded_access  # a sentence of its own
        start = "It tests" if kind else "This study tests"
        whole = f"{start} {tested} in {reading.who()}."
        # One sentence where it stays short, or where five sentences need it to.
        limit = MAX_SENTENCE_WORDS if "tested and who" in joins else MAX_SENTENCE_WORDS - 5
        if goes_on and len(whole.split()) <= limit:
            opening = [whole]
        else:
            opening = [f"{start} {tested.rstrip(',')}.", f"It is for {reading.who()}."]
        if kind:
            opening.insert(0, reading.kind_sentence())
    design = _design(reading, joined="design" in joins)
    size, status = reading.size_sentence(), reading.status_sentence()
    if "size and status" in joins and size and status:
        joined = _joined(size, status)
        size, status = (joined, "") if joined else (size, status)
    if "who and status" in joins and status and opening[-1].startswith("It is for "):
        joined = _joined(opening[-1], status)
        opening[-1], status = (joined, "") if joined else (opening[-1], status)
    return [s for s in [*opening, *design, size, status] if s]


def _design(reading: Reading, *, joined: bool) -> list[str]:
    """How people are put into groups, what some get instead, and whether they know which:
    two sentences, or one where it stays short."""
    groups, compared = reading.groups_clause(), reading.comparison_clause()
    masked, masked_clause = reading.masking()
    if not groups:
        return []
    first = f"{groups}, and {compared}." if compared else f"{groups}."
    if joined and masked:
        one = f"{groups}, {compared}, and {masked_clause}."
        if not compared:
            one = f"{groups}, and {masked_clause}."
        if _short(one):
            return [one]
    return [first, masked] if masked else [first]


def _short(sentence: str) -> bool:
    return len(sentence.split()) <= MAX_SENTENCE_WORDS


def _joined(first: str, second: str) -> str:
    """“It ... .” and “It ... .” as “It ..., and ... .”; "" when that is long."""
    second = second.removeprefix("It ")
    joined = f"{first[:-1]}, and {second[0].lower()}{second[1:]}"
    return joined if _short(joined) else ""


def _easy(summary: list[str]) -> bool:
    grade = reading_grade(" ".join(summary))
    longest = max((len(s.split()) for s in summary), default=0)
    return longest <= MAX_SENTENCE_WORDS and (grade is None or grade <= GRADE_LIMIT)


def written_fields(record, facts: dict, locations: list[dict]) -> dict:
    """Trial field values for a mapped registry record: its design codes and the text written
    from them (the importer stores these with the registry's facts)."""
    design = design_from_record(record)
    text = write(facts_from_mapping(facts, design, locations))
    return {"design": design, **text.as_fields()}
