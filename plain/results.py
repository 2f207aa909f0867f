"""“What the study found”: a lay summary written from a study's posted results.

It follows the order of a lay summary (as the EU's Annex V lists its elements): who took part,
what each group was given, the main results, the side effects, why the study stopped early, and
where to read everything. Every number comes from the registry; every sentence is ours, short,
and says only what the study reported. A difference is never called real or important here:
where the study reported a p-value or a confidence interval, we say what it reported and
explain the term.

Pure code: it reads `trials.results.data.Results` and imports no models.
"""

import dataclasses
import re

from trials.results import data

from .glossary import Entry, entries
from .lines import Line, is_number, joined, people_of
from .participants import is_total, participants, reasons_left
from .stopping import Stopped, why_stopped

MAX_VALUES = 6  # values per group in one sentence; more are left to the registry's tables
MAX_COMMON = 5  # other side effects listed

# What a value is, by the registry's parameter type.
_PARAM_WORDS = {
    "MEAN": "the average was",
    "MEDIAN": "the middle value was",
    "LEAST_SQUARES_MEAN": "the adjusted average was",
    "GEOMETRIC_MEAN": "the average (geometric mean) was",
    "GEOMETRIC_LEAST_SQUARES_MEAN": "the adjusted average (geometric mean) was",
    "LOG_MEAN": "the average (on a log scale) was",
    "NUMBER": "the result was",
    "COUNT_OF_UNITS": "the count was",
}

_PEOPLE = re.compile(r"^(participants|patients|subjects|people|persons)$", re.I)
_PERCENT = re.compile(r"^(percent(age)?|%)( of (participants|patients|subjects|people))?$", re.I)


@dataclasses.dataclass
class GroupLine:
    """One group of participants: its name, how many, and what they were given."""

    title: str
    people: int | None
    description: str


@dataclasses.dataclass
class OutcomeSummary:
    title: str  # quoted from the registry
    time_frame: str  # quoted from the registry
    lines: list[Line]
    analyses: list[str]
    is_primary: bool


@dataclasses.dataclass
class SideEffectLine:
    group: str
    affected: int
    at_risk: int

    @property
    def words(self) -> str:
        return people_of(self.affected, self.at_risk)

    @property
    def line(self) -> str:
        """As the page shows it: “Placebo: 5 of 59 people (8%)”."""
        return f"{self.group}: {self.words}"


@dataclasses.dataclass
class LaySummary:
    participants: list[str]
    left: Line | None  # why people left
    groups: list[GroupLine]
    main_results: list[OutcomeSummary]
    other_results: list[OutcomeSummary]
    serious: list[SideEffectLine]
    deaths: list[SideEffectLine]
    common_side_effects: list[Line]  # the registry's name for each, a group per line under it
    side_effects_note: str
    stopped: Stopped | None
    limitations: str
    terms: list[Entry]  # glossary entries for the statistical words the analyses use

    @property
    def stopped_early(self) -> str:
        return self.stopped.words if self.stopped else ""

    def sentences(self) -> list[str]:
        """Every line of ours the page shows, for the reading-grade measure. Left out are the
        registry's words the page quotes as such: outcome titles and time frames, the names
        of side effects heading their lists, group descriptions, limitations and the reason
        for stopping."""
        lines = [*self.participants, self.side_effects_note, self.stopped_early]
        lines += self.left.sentences() if self.left else []
        for outcome in [*self.main_results, *self.other_results]:
            lines += [text for line in outcome.lines for text in line.sentences()]
            lines += outcome.analyses
        lines += [line.line for line in [*self.serious, *self.deaths]]
        lines += [item for line in self.common_side_effects for item in line.items]
        return [line for line in lines if line]


def summarise(results: data.Results, *, status: str = "") -> LaySummary:
    """The lay summary of `results`; `status` is the trial's overall status (TERMINATED, …)."""
    uses_p = any(a.p_value for o in results.outcomes for a in o.analyses)
    uses_ci = any(a.ci_lower and a.ci_upper for o in results.outcomes for a in o.analyses)
    uses_ci |= any(_CONFIDENCE.match(o.dispersion_type) for o in results.outcomes)
    outcomes = [_outcome(o) for o in results.outcomes if o.reporting_status != "NOT_POSTED"]
    serious, deaths, common, note = _side_effects(results.adverse_events)
    return LaySummary(
        participants=participants(results),
        left=reasons_left(results),
        groups=_groups(results),
        main_results=[o for o in outcomes if o.is_primary],
        other_results=[o for o in outcomes if not o.is_primary],
        serious=serious,
        deaths=deaths,
        common_side_effects=common,
        side_effects_note=note,
        stopped=why_stopped(status, results.why_stopped),
        limitations=results.limitations,
        terms=_terms(uses_p, uses_ci),
    )


def _terms(uses_p: bool, uses_ci: bool) -> list[Entry]:
    wanted = {"p-value"} if uses_p else set()
    wanted |= {"confidence interval"} if uses_ci else set()
    return [entry for entry in entries() if entry.name in wanted]


# Groups -------------------------------------------------------------------------------------


def _groups(results: data.Results) -> list[GroupLine]:
    if results.flow and results.flow.groups:
        groups = results.flow.groups
        started = {}
        if results.flow.periods:
            for milestone in results.flow.periods[0].milestones:
                if milestone.kind.upper() == "STARTED":
                    started = {c.group_id: c.count for c in milestone.counts}
        return [GroupLine(g.title, started.get(g.id), g.description) for g in groups]
    if results.baseline:
        counts = {c.group_id: c.count for c in results.baseline.counts}
        return [
            GroupLine(g.title, counts.get(g.id), g.description)
            for g in results.baseline.groups
            if not is_total(results.baseline, g)
        ]
    return []


# Outcomes -----------------------------------------------------------------------------------


def _outcome(outcome: data.Outcome) -> OutcomeSummary:
    counts = {c.group_id: c.count for c in outcome.counts}
    lines = []
    for group in outcome.groups:
        line = _group_result(outcome, group, counts.get(group.id))
        if line:
            lines.append(line)
    if not lines:
        lines.append(Line("The study posted no numbers for this."))
    titles = {g.id: g.title for g in outcome.groups}
    analyses = [line for a in outcome.analyses if (line := _analysis(a, titles))]
    return OutcomeSummary(
        title=outcome.title,
        time_frame=outcome.time_frame,
        lines=lines,
        analyses=analyses,
        is_primary=outcome.is_primary,
    )


def _group_result(outcome: data.Outcome, group: data.Group, people: int | None) -> Line | None:
    """One group's result: a sentence for one value, or a line with a value per item."""
    values = [
        (klass.title, category.title, value)
        for klass in outcome.classes
        for category in klass.categories
        for value in category.values
        if value.group_id == group.id
    ]
    if not values:
        return None
    who = f"In {the_group(group.title)}"
    if people is not None:
        who += f" ({people} {'person' if people == 1 else 'people'})"
    unit = _unit(outcome.unit)
    spread = outcome.dispersion_type
    counting = outcome.param_type == "COUNT_OF_PARTICIPANTS"
    if counting:
        items = [_count_words(label(k, c), v, people) for k, c, v in values[:MAX_VALUES]]
    else:
        items = [
            f"{label(k, c)}: {_value_words(v, unit, spread)}"
            if label(k, c)
            else _value_words(v, unit, spread)
            for k, c, v in values[:MAX_VALUES]
        ]
    if len(values) == 1 and counting:
        return Line(f"{who}: {items[0]}.")
    if len(values) == 1:
        words = _PARAM_WORDS.get(outcome.param_type, "the result was")
        return Line(f"{who}, {words} {_value_words(values[0][2], unit, spread)}.")
    if len(values) > MAX_VALUES:
        items.append(f"and {len(values) - MAX_VALUES} more in the full results")
    if counting:
        return Line(f"{who}:", items)
    words = _PARAM_WORDS.get(outcome.param_type, "the results were").replace(" was", "s were")
    return Line(f"{who}, {words}:", items)


def label(class_title: str, category_title: str) -> str:
    return ", ".join(part for part in (class_title, category_title) if part)


def _count_words(title: str, value: data.Value, people: int | None) -> str:
    if not value.value.isdigit():
        return f"{title}: not reported" if title else "not reported"
    count = int(value.value)
    words = (
        people_of(count, people) if people else f"{count} {'person' if count == 1 else 'people'}"
    )
    return f"{title}: {words}" if title else words


def _value_words(value: data.Value, unit: str, spread: str = "") -> str:
    """“1.77 lines (range 1 to 3)”; `spread` is what the lower and upper values are."""
    if not is_number(value.value):
        return "not reported"
    if _PERCENT.match(unit):
        text = f"{value.value}%"
    elif _PEOPLE.match(unit):  # “1 participants” is “1 person”
        text = f"{value.value} {'person' if value.value == '1' else 'people'}"
    else:
        text = f"{value.value} {unit}".strip()
    if value.lower and value.upper and is_number(value.lower) and is_number(value.upper):
        text += f" ({_between(spread, value.lower, value.upper)})"
    return text


_CONFIDENCE = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s*%\s*)?confidence interval", re.I)


def _between(spread: str, lower: str, upper: str) -> str:
    """What two values around a result are: a range only where the study says so. A
    confidence interval is not where people's values lay, nor is the middle half of them."""
    confidence = _CONFIDENCE.match(spread)
    if confidence:
        level = f"{confidence[1]}% " if confidence[1] else ""
        return f"{level}confidence interval {lower} to {upper}"
    if re.search(r"inter-?quartile", spread, re.I):
        return f"half of people between {lower} and {upper}"
    return f"range {lower} to {upper}"


def _analysis(analysis: data.Analysis, titles: dict[str, str]) -> str:
    """What the study reported of one analysis, and nothing more."""
    names = [the_group(titles[i]) for i in analysis.group_ids if i in titles]
    if len(names) >= 2:
        lead = f"Comparing {joined(names)}, the study reported"
    elif names:
        lead = f"For {names[0]}, the study reported"
    else:
        lead = "The study reported"
    estimate = ""
    if analysis.param_value and is_number(analysis.param_value):
        estimate = f"a difference of {analysis.param_value}"
        if analysis.ci_lower and analysis.ci_upper:
            level = f"{analysis.ci_percent}% " if analysis.ci_percent else ""
            estimate += (
                f", with a {level}confidence interval of {analysis.ci_lower} to {analysis.ci_upper}"
            )
    p_value = _in_words(analysis.p_value)
    if p_value and estimate:
        return f"{lead} a p-value of {p_value}. It estimated {estimate}."
    if p_value:
        return f"{lead} a p-value of {p_value}."
    if estimate:
        return f"{lead} {estimate}."
    return ""


_COMPARED = re.compile(r"^\s*(<=|≤|>=|≥|<|>)\s*(\S.*)$")
_COMPARED_WORDS = {
    "<": "less than {}",
    ">": "more than {}",
    "<=": "{} or less",
    "≤": "{} or less",
    ">=": "{} or more",
    "≥": "{} or more",
}


def _in_words(value: str) -> str:
    """“<0.05” as “less than 0.05”: a sign many readers do not know."""
    compared = _COMPARED.match(value)
    return _COMPARED_WORDS[compared[1]].format(compared[2]) if compared else value.strip()


# Side effects -------------------------------------------------------------------------------


def _side_effects(events: data.AdverseEvents | None):
    if events is None:
        return [], [], [], ""
    serious = [
        SideEffectLine(g.title, g.serious_affected, g.serious_at_risk)
        for g in events.groups
        if g.serious_affected is not None and g.serious_at_risk
    ]
    deaths = [
        SideEffectLine(g.title, g.deaths_affected, g.deaths_at_risk)
        for g in events.groups
        if g.deaths_affected is not None and g.deaths_at_risk
    ]
    titles = {g.id: g.title for g in events.groups}

    def share(event: data.Event) -> float:
        return (
            max((c.affected or 0) / c.at_risk for c in event.counts if c.at_risk)
            if any(c.at_risk for c in event.counts)
            else 0.0
        )

    common = []
    for event in sorted(events.other, key=share, reverse=True)[:MAX_COMMON]:
        if share(event) == 0:
            continue
        parts = [
            f"{people_of(c.affected or 0, c.at_risk)} in {the_group(titles.get(c.group_id, ''))}"
            for c in event.counts
            if c.at_risk
        ]
        common.append(Line(event.term, parts))
    note = ""
    if events.other:
        # A threshold of 0% means every other side effect was listed: no “at least 0%”.
        threshold = events.frequency_threshold.strip().removesuffix("%")
        listed = "other side effects"
        if is_number(threshold) and float(threshold) > 0:
            listed += f" that at least {threshold}% of a group had"
        note = f"The study listed {listed}. These were the most common."
    return serious, deaths, common, note


# Words --------------------------------------------------------------------------------------

_GROUP_WORDS = re.compile(
    r"\b(group|arm|cohort|population|participants|subjects|patients)\s*$", re.I
)


def the_group(title: str) -> str:
    """“the placebo group”, but “the Control Group” and “the Cohort A subjects” as they are."""
    title = title.strip() or "unnamed"
    return f"the {title}" if _GROUP_WORDS.search(title) else f"the {title} group"


def _unit(unit: str) -> str:
    """A unit inside a sentence: “Lines of visual acuity” reads “lines of visual acuity”, while
    “CH attacks/week” and “HbA1c” keep their capitals."""
    unit = unit.strip()
    if len(unit) > 1 and unit[0].isupper() and unit[1].islower():
        return unit[0].lower() + unit[1:]
    return unit
