"""Who took part in a study, from its posted results: how many, their ages and sex, how many
finished, and why people left, in our words."""

import re

from trials.results import data

from .lines import Line, is_number, joined, people_of

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

TOTAL = re.compile(r"^\s*total\s*$", re.I)


def participants(results: data.Results) -> list[str]:
    lines = []
    started, finished = _flow_totals(results.flow)
    baseline = results.baseline
    total_id, total = baseline_total(baseline)
    people = started if started is not None else total
    if people is not None:
        lines.append(f"{people} {'person' if people == 1 else 'people'} took part.")
    if baseline is not None:
        if total is not None and people is not None and total != people:
            # Age and sex below count the people described at the start, not all who joined.
            noun = "person" if total == 1 else "people"
            lines.append(f"The study described {total} {noun} when they joined.")
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
    return lines


def reasons_left(results: data.Results) -> Line | None:
    """Why people left, the most common reasons first, in our words: “34 chose to leave”."""
    started, finished = _flow_totals(results.flow)
    reasons = _reasons(results.flow) if started and finished is not None else []
    return Line("People left for these reasons:", reasons) if reasons else None


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
        f"{count} {_REASONS.get(reason.strip().lower(), f'gave the reason “{reason}”')}"
        for reason, count in ranked
    ]


def baseline_total(baseline: data.Baseline | None) -> tuple[str, int | None]:
    """The group that stands for everyone (“Total”, or the only group) and its size."""
    if baseline is None or not baseline.groups:
        return "", None
    counts = {c.group_id: c.count for c in baseline.counts}
    for group in baseline.groups:
        if is_total(baseline, group):
            return group.id, counts.get(group.id)
    if len(baseline.groups) == 1:
        return baseline.groups[0].id, counts.get(baseline.groups[0].id)
    known = [count for count in counts.values() if count is not None]
    return "", sum(known) if known else None


def is_total(baseline: data.Baseline, group: data.Group) -> bool:
    """Whether a baseline group stands for everyone: titled “Total”, or, whatever its title
    (“Total Title”), counting as many people as all the other groups together."""
    if TOTAL.match(group.title):
        return True
    counts = {c.group_id: c.count for c in baseline.counts}
    others = [counts.get(g.id) for g in baseline.groups if g.id != group.id]
    mine = counts.get(group.id)
    return (
        len(others) >= 2
        and mine is not None
        and None not in others
        and mine == sum(others)
        and group is baseline.groups[-1]  # registries list the total last
    )


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
        if value and is_number(value.value):
            unit = measure.unit.lower() or "years"
            if unit in ("year", "month", "week", "day") and value.value != "1":
                unit += "s"  # “61 years”, though the registry says “year”
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
            return joined(parts).capitalize() + "."
    return ""
