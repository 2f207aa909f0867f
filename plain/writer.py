"""Plain-language text written from a trial's registry facts: a headline, a short summary and
“What this could mean”.

Deterministic (the same facts always give the same words) and exact: every sentence states a
fact of the record (TrialFacts) in our own words, or explains one. Nothing speaks of a drug
unless a drug is tested, and each sentence is kept short so the text reads at about US school
grade 6. Editors' text always wins over this; the site labels this text as written
automatically.
"""

import dataclasses

from trials.readability import READING_GRADE_TARGET as GRADE_LIMIT
from trials.readability import reading_grade

from .facts import Intervention, TrialFacts, design_from_record, facts_from_mapping
from .names import everyday_name
from .wording import (
    EARLY_PHASES,
    FINISHED,
    NAME_WORDS,
    OBSERVING,
    PHASE_LEADS_TO,
    PHASE_MEANING,
    PHASE_NAMES,
    PLACEBO,
    SHAM,
    STATUS_CLAUSES,
    STOPPED,
    age_parts,
    age_years,
    aged,
    article,
    country_name,
    display_name,
    is_comparison,
    is_measuring,
    is_substance,
    kind_of,
    nameable,
    separate,
    substance_kind,
)

HEADLINE_LIMIT = 90
MAX_SENTENCE_WORDS = 25


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
    trial = _Reading(facts)
    return PlainText(
        headline=trial.headline(),
        summary=" ".join(trial.summary()),
        active_substance=trial.active_substance(),
        could_lead_to=" ".join(trial.could_lead_to()),
        could_go_wrong=" ".join(trial.could_go_wrong()),
    )


class _Reading:
    """One trial's facts, with the phrases the text is made of."""

    def __init__(self, facts: TrialFacts):
        self.facts = facts
        self.observational = facts.study_type == "OBSERVATIONAL"
        self.expanded_access = facts.study_type == "EXPANDED_ACCESS"
        compared = [i for i in facts.interventions if is_comparison(i)]
        tested = separate(i for i in facts.interventions if not is_comparison(i))
        if facts.primary_purpose not in ("DIAGNOSTIC", "SCREENING"):
            # Samples and scans taken along the way are not what is being tested.
            tested = [i for i in tested if not is_measuring(i)] or tested
        self.tested = tested or [i for i in compared if not PLACEBO.search(i.name)]
        self.placebo = any(PLACEBO.search(i.name) for i in compared) or (
            "PLACEBO_COMPARATOR" in facts.arm_kinds
        )
        self.sham = any(SHAM.search(i.name) for i in compared) or (
            "SHAM_COMPARATOR" in facts.arm_kinds
        )
        self.conditions = self._condition_names()

    # Parts -----------------------------------------------------------------------------

    def _condition_names(self) -> list[str]:
        facts = self.facts
        terms = list(facts.conditions) or [
            term for term in facts.registrant_conditions if len(term.split()) <= NAME_WORDS
        ]
        names = []
        for term in terms:
            name = everyday_name(term).strip()
            if name and name.lower() not in (n.lower() for n in names):
                names.append(name)
        # A second condition only when the two still make a short phrase.
        if len(names) > 1 and len(f"{names[0]} {names[1]}".split()) > NAME_WORDS:
            return names[:1]
        return names[:2]

    @property
    def condition(self) -> str:
        return " or ".join(self.conditions)

    @property
    def thing(self) -> str:
        """The tested thing's kind: “drug”, “device”; “treatment” when there is none."""
        if not self.tested:
            return "treatment"
        kinds = {kind_of(i)[0] for i in self.tested}
        return kinds.pop() if len(kinds) == 1 else "treatment"

    def named(self, intervention: Intervention, *, definite: bool = False) -> str:
        """“a drug called eptinezumab”; the kind alone when the name is a description."""
        noun = kind_of(intervention)[0]
        if not nameable(intervention.name):
            return f"the {noun}" if definite else article(noun)
        return f"{article(noun)} called {display_name(intervention.name)}"

    def tested_phrase(self) -> str:
        tested = self.tested
        if not tested:
            return "a treatment"
        if len(tested) == 1:
            return self.named(tested[0])
        kinds = {kind_of(i) for i in tested}
        short = [display_name(i.name) for i in tested if nameable(i.name)]
        plural = kinds.pop()[1] if len(kinds) == 1 else "treatments"
        if len(tested) == 2 and len(short) == 2:
            return f"two {plural}, {short[0]} and {short[1]},"
        if len(short) >= 2:
            return f"several {plural}, among them {short[0]} and {short[1]},"
        return f"several {plural}"

    def people(self) -> str:
        """“adults aged 18 to 75”, “girls and women aged 12 or older”."""
        facts = self.facts
        low, high = age_years(facts.minimum_age), age_years(facts.maximum_age)
        adults = low is not None and low >= 18
        children = high is not None and high < 18
        nouns = {
            "FEMALE": ("women", "girls", "girls and women"),
            "MALE": ("men", "boys", "boys and men"),
        }.get(facts.sex, ("adults", "children", "people"))
        noun = nouns[0] if adults else nouns[1] if children else nouns[2]
        if facts.sex == "ALL" and not adults and not children:
            noun = "people"
        return f"{noun}{self.ages()}"

    def ages(self) -> str:
        low, high = age_parts(self.facts.minimum_age), age_parts(self.facts.maximum_age)
        if low and high:
            if low[1] == high[1] == "year":
                return f" aged {low[0]} to {high[0]}"
            return f" aged {aged(low)} to {aged(high)}"
        if low:
            return f" aged {low[0]} or older" if low[1] == "year" else f" aged {aged(low)} or older"
        if high:
            return f" aged up to {high[0]}" if high[1] == "year" else f" aged up to {aged(high)}"
        return ""

    def with_condition(self) -> str:
        return f" with {self.condition}" if self.conditions else ""

    def for_whom(self) -> str:
        return f"for {self.condition}" if self.conditions else "for this use"

    # Headline --------------------------------------------------------------------------

    def headline(self) -> str:
        for text in self._headlines():
            text = " ".join(text.split())
            if text and len(text) <= HEADLINE_LIMIT:
                return text[0].upper() + text[1:]
        return "A study in people" if not self.observational else "A study that watches people"

    def _headlines(self):
        facts = self.facts
        first = self.conditions[:1]
        for conditions in (self.conditions, first, []):
            cond = " or ".join(conditions)
            if self.observational:
                yield from self._observing_headlines(cond)
                continue
            for subject in self._subjects():
                if self.expanded_access:
                    tail = f" for people with {cond}" if cond else ""
                    yield f"Early access to {subject}{tail}"
                    continue
                purpose = facts.primary_purpose
                if not cond:
                    tail = " in healthy volunteers" if facts.healthy_volunteers else ""
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

    def _subjects(self):
        tested = [i for i in self.tested if nameable(i.name)]
        if len(self.tested) == 1 and tested:
            noun = kind_of(tested[0])[0]
            name = display_name(tested[0].name)
            # Not “the device X device”, nor “the approach X”: then the name alone.
            if noun != "approach" and not set(noun.split()) & set(name.lower().split()):
                yield f"the {noun} {name}"
            yield name
        elif len(self.tested) == 2 and len(tested) == 2:
            yield f"{display_name(tested[0].name)} and {display_name(tested[1].name)}"
        if self.tested:
            yield article(self.thing)
        else:
            yield "a treatment"

    def _observing_headlines(self, cond: str):
        facts = self.facts
        start = OBSERVING.get(
            (facts.observational_model, facts.time_perspective),
            OBSERVING.get(facts.observational_model, OBSERVING.get(facts.time_perspective)),
        )
        start = start[0] if start else "Studying"
        if cond and start == "Following":
            yield f"Following people with {cond} over time"
        elif cond:
            yield f"{start} people with {cond}"
        yield (
            "Watching what happens to people over time"
            if start == "Following"
            else (f"{start} people")
        )

    # Summary ---------------------------------------------------------------------------

    def summary(self) -> list[str]:
        """Three to five short sentences where the facts allow. Names give way to kinds, and
        joined sentences come apart again, where they would make it hard to read."""
        tries = [(names, join) for names in (True, False) for join in (True, False)]
        for names, join in tries:
            sentences = self._summary(names=names, join=join)
            if not _too_hard(sentences):
                return sentences
        return sentences

    def _summary(self, *, names: bool, join: bool) -> list[str]:
        facts = self.facts
        tested = self.tested_phrase() if names else article(self.thing)
        who = f"{self.people()}{self.with_condition()}"
        if self.observational:
            sentences = [
                "This is an observational study: nobody is given a treatment for it.",
                self.observing_sentence(names),
            ]
        elif facts.phase in PHASE_NAMES or self.expanded_access:
            sentences = [self.kind_sentence(), *_one_or_two(f"It tests {tested}", f" in {who}.")]
        else:
            sentences = _one_or_two(f"This study tests {tested}", f" in {who}.")
        design = [s for s in self.design_sentences() if s]
        size, status = self.size_sentence(), self.status_sentence()
        if join and len(sentences) + len(design) + bool(size) + bool(status) > 5:
            # Over five: the design's parts share a sentence, then size and status do.
            if len(design) == 2 and ", and " not in design[0]:
                joined = _joined(design[0], design[1])
                design = [joined] if joined else design
            if len(sentences) + len(design) + 2 > 5 and size and status:
                joined = _joined(size, status, subject="It ")
                size, status = (joined, "") if joined else (size, status)
        return [s for s in [*sentences, *design, size, status] if s]

    def kind_sentence(self) -> str:
        facts = self.facts
        if self.expanded_access:
            return (
                "This is expanded access: a way for some people to get a treatment "
                "that is not approved yet, outside a trial."
            )
        meaning = PHASE_MEANING[facts.phase].format(thing=self.thing)
        return f"This is {PHASE_NAMES[facts.phase]}: {meaning}."

    def observing_sentence(self, names: bool = True) -> str:
        facts = self.facts
        key = (facts.observational_model, facts.time_perspective)
        found = OBSERVING.get(key) or OBSERVING.get(facts.observational_model)
        found = found or OBSERVING.get(facts.time_perspective)
        who = f"It is about {self.people()}{self.with_condition()}."
        watched = [
            i
            for i in self.tested
            if nameable(i.name)
            and i.kind in ("DRUG", "BIOLOGICAL", "DEVICE", "PROCEDURE", "RADIATION")
            and not is_measuring(i)
        ]
        if watched and names:
            who = (
                f"It looks at {self.people()}{self.with_condition()} who get "
                f"{display_name(watched[0].name)} as part of their own care."
            )
        return f"{found[1]} {who}" if found else who

    def design_sentences(self) -> list[str]:
        facts = self.facts
        if self.observational or self.expanded_access:
            return []
        parts = []
        if facts.intervention_model == "CROSSOVER":
            parts.append("Each person tries each option in turn")
        elif facts.allocation == "RANDOMIZED":
            parts.append("People are put into groups by chance")
        elif facts.intervention_model == "SINGLE_GROUP" or facts.allocation == "NA":
            parts.append(f"Everyone in it gets the {self.thing}")
        elif facts.allocation == "NON_RANDOMIZED":
            parts.append("People are put into groups, but not by chance")
        groups = bool(parts) and not parts[0].startswith("Everyone")
        if self.placebo and groups:
            parts.append("some get a placebo, a dummy with no active substance")
        elif self.sham and groups:
            parts.append(f"some get a sham, a fake {self.thing} that does nothing")
        elif "ACTIVE_COMPARATOR" in facts.arm_kinds and groups:
            parts.append("some get another treatment to compare")
        elif "NO_INTERVENTION" in facts.arm_kinds and groups:
            parts.append("some get no study treatment")
        sentence = ", and ".join(parts) + "." if parts else ""
        return [sentence, self.masking_sentence() if groups else ""]

    def masking_sentence(self) -> str:
        facts = self.facts
        who = set(facts.who_masked)
        if facts.masking == "NONE":
            return "Everyone knows who gets what."
        if not facts.masking:
            return ""
        if "PARTICIPANT" in who and who & {"INVESTIGATOR", "CARE_PROVIDER"}:
            return "Neither they nor their doctors know who gets what."
        if "PARTICIPANT" in who:
            return "The people taking part do not know what they get."
        if "OUTCOMES_ASSESSOR" in who and len(who) == 1:
            return "The people who check the results do not know who got what."
        return "Some of the people running it do not know who gets what."

    def size_sentence(self) -> str:
        """How many people, where and when: “It plans to include 40 people at 3 places in
        France, from 2024 to 2027.”"""
        facts = self.facts
        n = facts.enrollment
        finished = facts.status in FINISHED
        start, end = facts.start_year, facts.completion_year
        if start and end and start != end:
            span = f"from {start} to {end}"
        elif start or end:
            span = f"in {start or end}"
        else:
            span = ""
        where = self.where()
        people = "1 person" if n == 1 else f"{n or 0:,} people"
        if n and facts.enrollment_is_estimate:
            text = f"It plans to include {people}"
        elif n:
            text = f"It included {people}" if finished else f"It has {people} taking part"
        else:
            text = "It ran" if finished else "It runs"
            if not where and not span:
                return ""
        text += f" {where}" if where else ""
        if span:
            text += f", {span}" if where or n else f" {span}"
        return f"{text}."

    def where(self) -> str:
        facts = self.facts
        if not facts.site_count:
            return ""
        places = "one place" if facts.site_count == 1 else f"{facts.site_count} places"
        countries = [country_name(c) for c in facts.countries]
        if len(countries) == 1:
            return f"at {places} in {countries[0]}"
        if len(countries) == 2:
            return f"at {places} in {countries[0]} and {countries[1]}"
        if countries:
            return f"at {places} in {len(countries)} countries"
        return f"at {places}"

    def status_sentence(self) -> str:
        status = STATUS_CLAUSES.get(self.facts.status)
        return f"It {status}." if status else ""

    # What this could mean --------------------------------------------------------------

    def active_substance(self) -> str:
        substances = [i for i in self.tested if is_substance(i)]
        return "; ".join(f"{i.name} ({substance_kind(i)})" for i in substances)

    def could_lead_to(self) -> list[str]:
        facts = self.facts
        cond = self.condition or "this condition"
        if self.observational:
            return [
                "It does not test a treatment.",
                f"What it learns could help doctors understand {cond} better and plan new studies.",
            ]
        if self.expanded_access:
            return [
                "It lets some people have a treatment before it is approved.",
                "It is not set up to show whether the treatment works.",
            ]
        purpose = facts.primary_purpose
        thing = self.thing
        if purpose == "DIAGNOSTIC":
            return [f"A good result could give doctors a better way to find or check {cond}."]
        if purpose == "SCREENING":
            return [f"A good result could help find {cond} early, before it causes problems."]
        if purpose == "BASIC_SCIENCE":
            return [
                "It aims to learn how the body works.",
                "It is not set up to find a new treatment for the people who take part.",
            ]
        if purpose == "HEALTH_SERVICES_RESEARCH":
            return [f"It could help clinics give better care to people with {cond}."]
        if facts.phase in PHASE_LEADS_TO:
            lead = PHASE_LEADS_TO[facts.phase].format(thing=thing, for_whom=self.for_whom())
            if purpose == "PREVENTION" and self.conditions:
                return [f"If it works, the {thing} could help prevent {cond}.", lead]
            return [lead]
        if purpose == "PREVENTION" and self.conditions:
            return [f"If it works, the {thing} could help prevent {cond}."]
        if purpose == "SUPPORTIVE_CARE":
            return [f"If it helps, the {thing} could make life easier for people with {cond}."]
        return [f"If it works, the {thing} could become a new option for people with {cond}."]

    def could_go_wrong(self) -> list[str]:
        facts = self.facts
        thing = self.thing
        risks = []
        if self.observational:
            risks.append("You would not get a new treatment from it.")
        elif self.expanded_access:
            risks.append("The treatment is not approved yet, so its risks are not fully known.")
        elif facts.primary_purpose in ("DIAGNOSTIC", "SCREENING"):
            risks.append(f"The {thing} may miss something, or find something that is not there.")
        elif facts.phase == "PHASE4":
            risks.append(f"The {thing} may not work as well for you, and it can have side effects.")
        else:
            risks.append(f"The {thing} may not work, and it may have side effects not known yet.")
            if facts.phase in EARLY_PHASES and any(is_substance(i) for i in self.tested):
                risks.append("Early studies are mostly about safety: the best dose is not known.")
        if not (self.observational or self.expanded_access):
            if self.placebo:
                risks.append(f"You might get a placebo instead of the {thing}.")
            elif self.sham:
                risks.append(f"You might get a sham instead of the real {thing}.")
            elif "ACTIVE_COMPARATOR" in facts.arm_kinds:
                risks.append("You might be in the group that gets another treatment to compare.")
            elif "NO_INTERVENTION" in facts.arm_kinds:
                risks.append("You might be in a group that gets no study treatment.")
        risks.append("Taking part takes time and may mean extra visits, tests or questions.")
        if facts.status in STOPPED:
            risks.append(STOPPED[facts.status])
        return risks


def _one_or_two(start: str, end: str) -> list[str]:
    """One sentence when it stays short, else two: “It tests X.” “It is for Y.”"""
    if len(f"{start}{end}".split()) <= MAX_SENTENCE_WORDS - 5:
        return [f"{start}{end}"]
    return [f"{start.rstrip(',')}.", f"It is for{end.removeprefix(' in')}"]


def _joined(first: str, second: str, subject: str = "") -> str:
    """“A.” and “B.” as “A, and b.”, dropping the second's subject; "" when that is long."""
    second = second.removeprefix(subject)
    joined = f"{first[:-1]}, and {second[0].lower()}{second[1:]}"
    return joined if len(joined.split()) <= MAX_SENTENCE_WORDS - 3 else ""


def _too_hard(sentences: list[str]) -> bool:
    grade = reading_grade(" ".join(sentences))
    longest = max((len(s.split()) for s in sentences), default=0)
    return longest > MAX_SENTENCE_WORDS or (grade is not None and grade > GRADE_LIMIT)


def written_fields(record, facts: dict, locations: list[dict]) -> dict:
    """Trial field values for a mapped registry record: its design codes and the text written
    from them (the importer stores these with the registry's facts)."""
    design = design_from_record(record)
    text = write(facts_from_mapping(facts, design, locations))
    return {"design": design, **text.as_fields()}
