"""One trial's facts read for writing: who it is for, what it tests, and a plain sentence for
each fact of its design, size, places and status. plain/writer.py puts the sentences together
into a headline and a summary; plain/meaning.py writes “What this could mean” from them."""

import re

from .facts import TrialFacts
from .names import BROAD_TERMS, everyday_name
from .tested import Tested
from .wording import (
    FINISHED,
    NAME_WORDS,
    OBSERVING,
    PHASE_MEANING,
    PHASE_NAMES,
    PLACEBO,
    SHAM,
    STATUS_CLAUSES,
    age_parts,
    age_years,
    aged,
    country_name,
    display_name,
    is_comparison,
    is_measuring,
    nameable,
    separate,
)

# Whether people know what they get, as a sentence and as a clause joined to the groups.
MASKING = {
    "NONE": ("Everyone knows who gets what.", "everyone knows who gets what"),
    "BOTH": (
        "Neither they nor their doctors know who gets what.",
        "neither they nor their doctors know who gets what",
    ),
    "PARTICIPANT": (
        "The people taking part do not know what they get.",
        "they do not know what they get",
    ),
    "OUTCOMES_ASSESSOR": (
        "The people who check the results do not know who got what.",
        "those who check the results do not know who got what",
    ),
    "OTHER": (
        "Some of the people running it do not know who gets what.",
        "some of the study team do not know who gets what",
    ),
}


_HEALTHY = re.compile(r"^healthy\b", re.I)


class Reading:
    """One trial's facts, with the phrases and sentences the text is made of."""

    def __init__(self, facts: TrialFacts):
        self.facts = facts
        self.observational = facts.study_type == "OBSERVATIONAL"
        self.expanded_access = facts.study_type == "EXPANDED_ACCESS"
        compared = [i for i in facts.interventions if is_comparison(i)]
        tested = separate(i for i in facts.interventions if not is_comparison(i))
        if facts.primary_purpose not in ("DIAGNOSTIC", "SCREENING"):
            # Samples and scans taken along the way are not what is being tested.
            tested = [i for i in tested if not is_measuring(i)] or tested
        self.tested = Tested(tested or [i for i in compared if not PLACEBO.search(i.name)])
        self.placebo = any(PLACEBO.search(i.name) for i in compared) or (
            "PLACEBO_COMPARATOR" in facts.arm_kinds
        )
        self.sham = any(SHAM.search(i.name) for i in compared) or (
            "SHAM_COMPARATOR" in facts.arm_kinds
        )
        self.conditions = self._condition_names()
        if facts.primary_purpose == "PREVENTION" and not self.observational:
            # What a study tries to prevent is its first condition; the others tell who
            # takes part (“to prevent infection of a surgical wound”, not “… or diabetes”).
            self.conditions = self.conditions[:1]

    # Who and what ------------------------------------------------------------------------

    def _condition_names(self) -> list[str]:
        facts = self.facts
        terms = [term for term in facts.conditions if term not in BROAD_TERMS]
        terms = (
            terms
            or list(facts.conditions)
            or [
                term
                for term in facts.registrant_conditions
                # “Healthy Japanese Subjects” says who takes part, not what they have.
                if len(term.split()) <= NAME_WORDS and not _HEALTHY.match(term)
            ]
        )
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

    def who(self) -> str:
        """“adults aged 18 to 75 with cluster headache”."""
        return f"{self.people()}{self.with_condition()}"

    def with_condition(self) -> str:
        return f" with {self.condition}" if self.conditions else ""

    def for_whom(self) -> str:
        return f"for {self.condition}" if self.conditions else "for this use"

    # Sentences, one fact each ------------------------------------------------------------

    def kind_sentence(self) -> str:
        """What kind of study it is, with its phase explained."""
        facts = self.facts
        if self.expanded_access:
            return (
                "This is expanded access: a way for some people to get a treatment "
                "that is not approved yet, outside a trial."
            )
        meaning = PHASE_MEANING[facts.phase].format(**self.tested.agreeing())
        return f"This is {PHASE_NAMES[facts.phase]}: {meaning}."

    def observing(self) -> tuple[str, str] | None:
        """How an observational study watches people: (headline start, sentence)."""
        model, time = self.facts.observational_model, self.facts.time_perspective
        found = OBSERVING.get((model, time))
        if not found and model == "COHORT" and time in ("CROSS_SECTIONAL", "RETROSPECTIVE"):
            # A cohort seen once, or looked back on, is not followed over time.
            found = OBSERVING[time]
        return found or OBSERVING.get(model) or OBSERVING.get(time)

    def observing_sentences(self, names: bool = True) -> list[str]:
        """What an observational study watches, and in whom."""
        found = self.observing()
        who = f"It is about {self.who()}."
        watched = [
            i
            for i in self.tested.items
            if nameable(i.name)
            and i.kind in ("DRUG", "BIOLOGICAL", "DEVICE", "PROCEDURE", "RADIATION")
            and not is_measuring(i)
        ]
        if watched and names:
            who = (
                f"It looks at {self.who()} who get "
                f"{display_name(watched[0].name)} as part of their own care."
            )
        return [found[1], who] if found else [who]

    def groups_clause(self) -> str:
        """How people are put into groups: “People are put into groups by chance”."""
        facts = self.facts
        if self.observational or self.expanded_access:
            return ""
        if facts.intervention_model == "CROSSOVER":
            return "Each person tries each option in turn"
        if facts.allocation == "RANDOMIZED":
            return "People are put into groups by chance"
        if facts.intervention_model == "SINGLE_GROUP" or facts.allocation == "NA":
            return f"Everyone in it gets {self.tested.the}"
        if facts.allocation == "NON_RANDOMIZED":
            return "People are put into groups, but not by chance"
        return ""

    @property
    def in_groups(self) -> bool:
        groups = self.groups_clause()
        return bool(groups) and not groups.startswith("Everyone")

    def comparison_clause(self) -> str:
        """What some get instead: “some get a placebo”."""
        arm_kinds = self.facts.arm_kinds
        if not self.in_groups:
            return ""
        if self.placebo:
            return "some get a placebo"
        if self.sham:
            return "some get a sham"
        if "ACTIVE_COMPARATOR" in arm_kinds:
            return "some get another treatment to compare"
        if "NO_INTERVENTION" in arm_kinds:
            return "some get no study treatment"
        return ""

    def masking(self) -> tuple[str, str]:
        """Whether people know what they get: (sentence, clause); empty when not said."""
        facts = self.facts
        who = set(facts.who_masked)
        if not self.in_groups or not facts.masking:
            return "", ""
        if facts.masking == "NONE":
            return MASKING["NONE"]
        if "PARTICIPANT" in who and who & {"INVESTIGATOR", "CARE_PROVIDER"}:
            return MASKING["BOTH"]
        if "PARTICIPANT" in who:
            return MASKING["PARTICIPANT"]
        if who == {"OUTCOMES_ASSESSOR"}:
            return MASKING["OUTCOMES_ASSESSOR"]
        return MASKING["OTHER"]

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
            text = f"It {'planned' if finished else 'plans'} to include {people}"
        elif n:
            text = f"It included {people}" if finished else f"It has {people} taking part"
        else:
            # A withdrawn study never ran: it was only planned.
            text = "It was planned" if facts.status == "WITHDRAWN" else "It ran"
            text = text if finished else "It runs"
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
