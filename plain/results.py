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

# Why people left, in our words; a reason we do not know is quoted as the study wrote it.
_REASONS = {
    "withdrawal by subject": "chose to leave",
    "adverse event": "had side effects or other health problems",
    "lost to follow-up": "lost touch with the study team",
    "physician decision": "left on their doctor’s advice",
    "death": "died",
    "lack of efficacy": "found the treatment did not work well enough",
    "protocol violation": "did not follow the study plan",
    "pregnancy": "became pregnant",
    "study terminated by sponsor": "left when the sponsor ended the study",
    "progressive disease": "saw their illness get worse",
    "disease progression": "saw their illness get worse",
    "withdrawal by parent/guardian": "were taken out by a parent or guardian",
    "non-compliance with study drug": "did not take the study treatment as planned",
}

_PERCENT = re.compile(r"^(percent(age)?|%)( of (participants|patients|subjects|people))?$", re.I)
_TOTAL = re.compile(r"^\s*total\s*$", re.I)


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
    sentences: list[str]
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


@dataclasses.dataclass
class LaySummary:
    participants: list[str]
    groups: list[GroupLine]
    main_results: list[OutcomeSummary]
    other_results: list[OutcomeSummary]
    serious: list[SideEffectLine]
    deaths: list[SideEffectLine]
    common_side_effects: list[str]
    side_effects_note: str
    stopped_early: str
    limitations: str
    terms: list[Entry]  # glossary entries for the statistical words the analyses use

    def sentences(self) -> list[str]:
        """Every sentence we wrote (not the registry's quoted titles and descriptions), for
        the reading-grade measure."""
        lines = [*self.participants, self.side_effects_note, self.stopped_early]
        for outcome in [*self.main_results, *self.other_results]:
            lines += outcome.sentences + outcome.analyses
        lines += [
            f"In {the_group(s.group)}, {s.words} had a serious side effect." for s in self.serious
        ]
        lines += self.common_side_effects
        return [line for line in lines if line]


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


def summarise(results: data.Results, *, status: str = "") -> LaySummary:
    """The lay summary of `results`; `status` is the trial's overall status (TERMINATED, …)."""
    uses_p = any(a.p_value for o in results.outcomes for a in o.analyses)
    uses_ci = any(a.ci_lower and a.ci_upper for o in results.outcomes for a in o.analyses)
    outcomes = [_outcome(o) for o in results.outcomes if o.reporting_status != "NOT_POSTED"]
    serious, deaths, common, note = _side_effects(results.adverse_events)
    return LaySummary(
        participants=_participants(results),
        groups=_groups(results),
        main_results=[o for o in outcomes if o.is_primary],
        other_results=[o for o in outcomes if not o.is_primary],
        serious=serious,
        deaths=deaths,
        common_side_effects=common,
        side_effects_note=note,
        stopped_early=_stopped(results.why_stopped, status),
        limitations=results.limitations,
        terms=_terms(uses_p, uses_ci),
    )


def _terms(uses_p: bool, uses_ci: bool) -> list[Entry]:
    wanted = {"p-value"} if uses_p else set()
    wanted |= {"confidence interval"} if uses_ci else set()
    return [entry for entry in entries() if entry.name in wanted]


# Who took part ------------------------------------------------------------------------------


def _participants(results: data.Results) -> list[str]:
    lines = []
    started, finished = _flow_totals(results.flow)
    baseline = results.baseline
    total_id, total = _baseline_total(baseline)
    people = started if started is not None else total
    if people is not None:
        lines.append(f"{people} {'person' if people == 1 else 'people'} took part.")
    if baseline is not None:
        age = _age(baseline, total_id)
        if age:
            lines.append(age)
        sexes = _sexes(baseline, total_id)
        if sexes:
            lines.append(sexes)
    if started and finished is not None:
        if finished:
            lines.append(f"{people_of(finished, started)} finished the study.")
        else:
            lines.append("No one finished the study.")
        reasons = _reasons(results.flow)
        if reasons:
            lines.append("People left because they " + _join(reasons) + ".")
    return lines


def _flow_totals(flow: data.Flow | None) -> tuple[int | None, int | None]:
    if flow is None or not flow.periods:
        return None, None

    def total(period: data.Period, kind: str) -> int | None:
        for milestone in period.milestones:
            if milestone.kind.upper() == kind:
                counts = [c.count for c in milestone.counts if c.count is not None]
                return sum(counts) if counts else None
        return None

    return total(flow.periods[0], "STARTED"), total(flow.periods[-1], "COMPLETED")


def _reasons(flow: data.Flow) -> list[str]:
    totals: dict[str, int] = {}
    for period in flow.periods:
        for reason in period.dropped:
            count = sum(c.count or 0 for c in reason.counts)
            if count:
                totals[reason.reason] = totals.get(reason.reason, 0) + count
    ranked = sorted(totals.items(), key=lambda item: -item[1])[:4]
    return [
        f"{_REASONS.get(reason.strip().lower(), f'gave the reason “{reason}”')} ({count})"
        for reason, count in ranked
    ]


def _baseline_total(baseline: data.Baseline | None) -> tuple[str, int | None]:
    """The group that stands for everyone (“Total”, or the only group) and its size."""
    if baseline is None or not baseline.groups:
        return "", None
    counts = {c.group_id: c.count for c in baseline.counts}
    for group in baseline.groups:
        if _TOTAL.match(group.title):
            return group.id, counts.get(group.id)
    if len(baseline.groups) == 1:
        return baseline.groups[0].id, counts.get(baseline.groups[0].id)
    known = [count for count in counts.values() if count is not None]
    return "", sum(known) if known else None


def _single_value(measure: data.Measure, group_id: str) -> data.Value | None:
    for klass in measure.classes:
        for category in klass.categories:
            for value in category.values:
                if value.group_id == group_id:
                    return value
    return None


def _age(baseline: data.Baseline, total_id: str) -> str:
    for measure in baseline.measures:
        kind = {"MEAN": "average", "MEDIAN": "middle"}.get(measure.param_type)
        if not (measure.title.lower().startswith("age") and kind and total_id):
            continue
        value = _single_value(measure, total_id)
        if value and _is_number(value.value):
            unit = measure.unit.lower() or "years"
            if kind == "average":
                return f"Their average age was {value.value} {unit}."
            return f"Half were younger than {value.value} {unit}, and half were older."
    return ""


def _sexes(baseline: data.Baseline, total_id: str) -> str:
    if not total_id:
        return ""
    for measure in baseline.measures:
        if not measure.title.lower().startswith("sex"):
            continue
        found: dict[str, str] = {}
        for klass in measure.classes:
            for category in klass.categories:
                title = category.title.strip().lower()
                word = {"female": "female", "male": "male", "women": "female", "men": "male"}
                for value in category.values:
                    if value.group_id == total_id and title in word and value.value.isdigit():
                        found[word[title]] = value.value
        if found:
            parts = [f"{count} were {word}" for word, count in found.items()]
            return _join(parts).capitalize() + "."
    return ""


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
            if not _TOTAL.match(g.title)
        ]
    return []


# Outcomes -----------------------------------------------------------------------------------


def _outcome(outcome: data.Outcome) -> OutcomeSummary:
    counts = {c.group_id: c.count for c in outcome.counts}
    sentences = []
    for group in outcome.groups:
        sentence = _group_result(outcome, group, counts.get(group.id))
        if sentence:
            sentences.append(sentence)
    if not sentences:
        sentences.append("The study posted no numbers for this.")
    titles = {g.id: g.title for g in outcome.groups}
    analyses = [line for a in outcome.analyses if (line := _analysis(a, titles))]
    return OutcomeSummary(
        title=outcome.title,
        time_frame=outcome.time_frame,
        sentences=sentences,
        analyses=analyses,
        is_primary=outcome.is_primary,
    )


def _group_result(outcome: data.Outcome, group: data.Group, people: int | None) -> str:
    values = [
        (klass.title, category.title, value)
        for klass in outcome.classes
        for category in klass.categories
        for value in category.values
        if value.group_id == group.id
    ]
    if not values:
        return ""
    who = f"In {the_group(group.title)}"
    if people is not None:
        who += f" ({people} {'person' if people == 1 else 'people'})"
    unit = _unit(outcome.unit)
    if outcome.param_type == "COUNT_OF_PARTICIPANTS":
        parts = [_count_words(label(k, c), v, people) for k, c, v in values[:MAX_VALUES]]
        text = f"{who}: " + "; ".join(parts)
    elif len(values) == 1:
        words = _PARAM_WORDS.get(outcome.param_type, "the result was")
        text = f"{who}, {words} {_value_words(values[0][2], unit)}"
    else:
        words = _PARAM_WORDS.get(outcome.param_type, "the results were").replace(" was", "s were")
        parts = [
            f"{label(k, c)}: {_value_words(v, unit)}" if label(k, c) else _value_words(v, unit)
            for k, c, v in values[:MAX_VALUES]
        ]
        text = f"{who}, {words}: " + "; ".join(parts)
    if len(values) > MAX_VALUES:
        text += f"; and {len(values) - MAX_VALUES} more in the full results"
    return text + "."


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


def _value_words(value: data.Value, unit: str) -> str:
    if not _is_number(value.value):
        return "not reported"
    text = f"{value.value}%" if _PERCENT.match(unit) else f"{value.value} {unit}".strip()
    if value.lower and value.upper and _is_number(value.lower) and _is_number(value.upper):
        text += f" (range {value.lower} to {value.upper})"
    return text


def _analysis(analysis: data.Analysis, titles: dict[str, str]) -> str:
    """What the study reported of one analysis, and nothing more."""
    names = [the_group(titles[i]) for i in analysis.group_ids if i in titles]
    if len(names) >= 2:
        lead = f"Comparing {_join(names)}, the study reported"
    elif names:
        lead = f"For {names[0]}, the study reported"
    else:
        lead = "The study reported"
    estimate = ""
    if analysis.param_value and _is_number(analysis.param_value):
        estimate = f"a difference of {analysis.param_value}"
        if analysis.ci_lower and analysis.ci_upper:
            level = f"{analysis.ci_percent}% " if analysis.ci_percent else ""
            estimate += (
                f", with a {level}confidence interval of {analysis.ci_lower} to {analysis.ci_upper}"
            )
    if analysis.p_value and estimate:
        return f"{lead} a p-value of {analysis.p_value}. It estimated {estimate}."
    if analysis.p_value:
        return f"{lead} a p-value of {analysis.p_value}."
    if estimate:
        return f"{lead} {estimate}."
    return ""


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
        common.append(f"{event.term}: " + "; ".join(parts) + ".")
    note = ""
    if events.frequency_threshold and events.other:
        note = (
            f"The study listed other side effects that at least {events.frequency_threshold}% "
            "of a group had. These were the most common."
        )
    return serious, deaths, common, note


def _stopped(why: str, status: str) -> str:
    if status in ("TERMINATED", "SUSPENDED", "WITHDRAWN") or why:
        if why:
            return "The study stopped early. The study team gave this reason:"
        return "The study stopped early. The study team gave no reason."
    return ""


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


_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")


def _is_number(text: str) -> bool:
    return bool(_NUMBER.match(text.strip()))


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
