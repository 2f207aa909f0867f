"""The typed form of a study's posted results, kept as one JSON document per trial.

The registry's results section is a deep tree (outcome measures hold groups, classes,
categories, measurements and analyses) that a page always reads whole for one trial and that
no query ever looks inside. Stored as normalised rows it would be a dozen tables and thousands
of rows per trial for nothing in return; stored as one document it is one query. These
dataclasses say what the document holds, and `to_json` / `from_json` convert it.

Numbers are kept as the registry wrote them (“1.77”, “NA”): it reports measurements as text,
with the precision the study chose, and some values are not numbers at all. Counts of people
are whole numbers, or None where the registry gave none.
"""

import dataclasses
import types
import typing
from typing import Any


@dataclasses.dataclass
class Group:
    """An arm or group of participants as one part of the results names it (FG000, OG001, …)."""

    id: str
    title: str
    description: str = ""


@dataclasses.dataclass
class GroupCount:
    group_id: str
    count: int | None
    comment: str = ""


@dataclasses.dataclass
class Milestone:
    """A point in the study people reached: STARTED, COMPLETED, NOT COMPLETED or the study's own."""

    kind: str
    counts: list[GroupCount]
    comment: str = ""


@dataclasses.dataclass
class DropReason:
    """Why people left (“Adverse Event”, “Withdrawal by Subject”), per group."""

    reason: str
    counts: list[GroupCount]


@dataclasses.dataclass
class Period:
    title: str
    milestones: list[Milestone]
    dropped: list[DropReason]


@dataclasses.dataclass
class Flow:
    """How participants moved through the study."""

    groups: list[Group]
    periods: list[Period]
    recruitment_details: str = ""
    pre_assignment_details: str = ""


@dataclasses.dataclass
class Value:
    """One group's reported value, with its spread or range when there is one."""

    group_id: str
    value: str
    spread: str = ""
    lower: str = ""
    upper: str = ""
    comment: str = ""


@dataclasses.dataclass
class Category:
    title: str
    values: list[Value]


@dataclasses.dataclass
class MeasureClass:
    """A row group of a measure (often untitled; “United States” for a region, a time point)."""

    title: str
    categories: list[Category]
    counts: list[GroupCount] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Measure:
    """A baseline characteristic: its title, what its values are, and the values."""

    title: str
    param_type: str  # MEAN, MEDIAN, COUNT_OF_PARTICIPANTS, NUMBER, …
    unit: str
    classes: list[MeasureClass]
    dispersion_type: str = ""
    description: str = ""


@dataclasses.dataclass
class Baseline:
    """Who took part, when the study began."""

    groups: list[Group]
    counts: list[GroupCount]  # participants per group (a “Total” group is one of the groups)
    measures: list[Measure]
    population: str = ""


@dataclasses.dataclass
class Analysis:
    """A statistical analysis exactly as the study reported it; we add no claims of our own."""

    group_ids: list[str]
    group_description: str = ""
    method: str = ""
    p_value: str = ""
    p_value_comment: str = ""
    param_type: str = ""
    param_value: str = ""
    ci_percent: str = ""
    ci_sides: str = ""
    ci_lower: str = ""
    ci_upper: str = ""
    dispersion_type: str = ""
    dispersion_value: str = ""
    non_inferiority_type: str = ""
    estimate_comment: str = ""
    statistical_comment: str = ""


@dataclasses.dataclass
class Outcome:
    """An outcome measure: what the study measured and what it found."""

    kind: str  # PRIMARY, SECONDARY, OTHER_PRE_SPECIFIED, POST_HOC
    title: str
    groups: list[Group]
    counts: list[GroupCount]  # participants analysed, per group
    classes: list[MeasureClass]
    analyses: list[Analysis]
    description: str = ""
    time_frame: str = ""
    population: str = ""
    param_type: str = ""
    dispersion_type: str = ""
    unit: str = ""
    reporting_status: str = ""  # POSTED, or NOT_POSTED while results are still to come

    @property
    def is_primary(self) -> bool:
        return self.kind == "PRIMARY"


@dataclasses.dataclass
class EventGroup:
    """One group's totals of adverse events: people affected, of people at risk."""

    id: str
    title: str
    description: str = ""
    serious_affected: int | None = None
    serious_at_risk: int | None = None
    other_affected: int | None = None
    other_at_risk: int | None = None
    deaths_affected: int | None = None
    deaths_at_risk: int | None = None


@dataclasses.dataclass
class EventCount:
    group_id: str
    affected: int | None
    at_risk: int | None
    events: int | None = None


@dataclasses.dataclass
class Event:
    """One kind of adverse event (“Headache”) and how many had it in each group."""

    term: str
    organ_system: str
    counts: list[EventCount]
    notes: str = ""


@dataclasses.dataclass
class AdverseEvents:
    groups: list[EventGroup]
    serious: list[Event]
    other: list[Event]
    time_frame: str = ""
    description: str = ""
    frequency_threshold: str = ""  # other events are listed from this percentage up


@dataclasses.dataclass
class Results:
    """A study's posted results: every part is optional, as a registry record may lack any."""

    flow: Flow | None = None
    baseline: Baseline | None = None
    outcomes: list[Outcome] = dataclasses.field(default_factory=list)
    adverse_events: AdverseEvents | None = None
    limitations: str = ""
    why_stopped: str = ""
    first_posted_on: str = ""  # ISO date the results were first posted

    @property
    def primary_outcomes(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.is_primary]


def to_json(results: Results) -> dict[str, Any]:
    return _plain(results)


def _plain(value: Any) -> Any:
    # dataclasses.asdict() deep-copies every value: five times slower on a large study.
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(item) for name, item in value.__dict__.items()}
    return value


def from_json(data: dict[str, Any]) -> Results:
    """The typed results from their stored document; keys we do not know are ignored."""
    return _build(Results, data)


def _build(kind: Any, value: Any) -> Any:
    origin = typing.get_origin(kind)
    if origin is types.UnionType or origin is typing.Union:
        if value is None:
            return None
        kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
        return _build(kind, value)
    if origin is list:
        (item,) = typing.get_args(kind)
        return [_build(item, element) for element in value or []]
    if dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        known = {
            field.name: _build(hints[field.name], value[field.name])
            for field in dataclasses.fields(kind)
            if field.name in value
        }
        return kind(**known)
    return value


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(kind: type) -> dict[str, Any]:
    if kind not in _HINTS:
        _HINTS[kind] = typing.get_type_hints(kind)
    return _HINTS[kind]
