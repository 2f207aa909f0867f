"""Read a study's posted results from an API v2 record, into `data.Results`.

A results section of the wrong shape (an object where a list belongs, text where a number
belongs) is broken data: `BadResults` says where, and the importer turns the record away as it
does any other broken record. A section that is merely incomplete (no adverse events yet, an
outcome without values) is read for what it has.

The registry's point of contact for results (a name, an email address, a phone number) is never
read. Free text written by study teams may hold contact details too; `registry_text` masks them
before anything is kept.
"""

import datetime as dt
import functools
import hashlib
import json
import re
from typing import Any

from ..masking import mask_contacts
from . import data

# Far beyond anything the registry allows, as in the importer: such a value is damaged data.
MAX_TEXT = 100_000
MAX_ITEMS = 20_000
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class BadResults(ValueError):
    """A results section we cannot read, with the reason in plain words."""


def registry_text(text: str) -> str:
    """Free text from the registry with any email address or phone number masked, by the
    project's one masking function (trials/masking.py)."""
    return mask_contacts(text)


def snapshot_of(record: dict[str, Any], results: data.Results | None) -> dict[str, str] | None:
    """What a trial's snapshot keeps of its results, for trials/changes.py to tell when they were
    posted or revised: the posting date and a digest of the registry's results section (without
    its point of contact, whose changes are not news)."""
    if results is None:
        return None
    section = dict(record["resultsSection"])
    section["moreInfoModule"] = {
        key: value
        for key, value in (section.get("moreInfoModule") or {}).items()
        if key != "pointOfContact"
    }
    section["whyStopped"] = results.why_stopped
    text = json.dumps(section, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return {"posted_on": results.first_posted_on, "digest": digest}


def _is_date(text: str) -> bool:
    if not _DATE.match(text):
        return False
    try:
        dt.date.fromisoformat(text if len(text) == 10 else f"{text}-01"[:10])
    except ValueError:
        return False
    return True


def map_results(record: dict[str, Any]) -> data.Results | None:
    """The record's posted results, or None when it has none."""
    section = record.get("resultsSection")
    if section is None:
        return None
    if not isinstance(section, dict):
        raise BadResults(f"resultsSection should be an object, not {_type_name(section)}")
    if not section:
        return None
    protocol = _obj(record, "protocolSection", "")
    status = _obj(protocol, "statusModule", "protocolSection.")
    p = "protocolSection.statusModule."
    posted = _obj(status, "resultsFirstPostDateStruct", p)
    posted_on = _text(posted, "date", f"{p}resultsFirstPostDateStruct.", limit=10)
    if posted_on and not _is_date(posted_on):
        raise BadResults(f"{p}resultsFirstPostDateStruct.date “{posted_on}” is not a date")
    more = _obj(section, "moreInfoModule", "resultsSection.")
    limitations = _obj(more, "limitationsAndCaveats", "resultsSection.moreInfoModule.")
    return data.Results(
        flow=_flow(section),
        baseline=_baseline(section),
        outcomes=_outcomes(section),
        adverse_events=_adverse_events(section),
        limitations=_free(limitations, "description", "resultsSection.moreInfoModule."),
        why_stopped=_free(status, "whyStopped", p),
        first_posted_on=posted_on,
    )


# The parts ------------------------------------------------------------------------------------


def _flow(section: dict) -> data.Flow | None:
    p = "resultsSection.participantFlowModule."
    module = _obj(section, "participantFlowModule", "resultsSection.")
    if not module:
        return None
    periods = []
    for index, period in enumerate(_items(module, "periods", p)):
        q = f"{p}periods[{index}]."
        milestones = [
            data.Milestone(
                kind=_text(m, "type", f"{q}milestones[].", 200),
                counts=_counts(m, "achievements", f"{q}milestones[].", "numSubjects"),
                comment=_free(m, "comment", f"{q}milestones[]."),
            )
            for m in _items(period, "milestones", q)
        ]
        dropped = [
            data.DropReason(
                reason=_free(d, "type", f"{q}dropWithdraws[].", 500),
                counts=_counts(d, "reasons", f"{q}dropWithdraws[].", "numSubjects"),
            )
            for d in _items(period, "dropWithdraws", q)
        ]
        periods.append(data.Period(_free(period, "title", q, 500), milestones, dropped))
    return data.Flow(
        groups=_groups(module, "groups", p),
        periods=periods,
        recruitment_details=_free(module, "recruitmentDetails", p),
        pre_assignment_details=_free(module, "preAssignmentDetails", p),
    )


def _baseline(section: dict) -> data.Baseline | None:
    p = "resultsSection.baselineCharacteristicsModule."
    module = _obj(section, "baselineCharacteristicsModule", "resultsSection.")
    if not module:
        return None
    measures = []
    for index, measure in enumerate(_items(module, "measures", p)):
        q = f"{p}measures[{index}]."
        measures.append(
            data.Measure(
                title=_free(measure, "title", q, 1000),
                param_type=_text(measure, "paramType", q, 64),
                unit=_free(measure, "unitOfMeasure", q, 1000),
                classes=_classes(measure, q),
                dispersion_type=_text(measure, "dispersionType", q, 64),
                description=_free(measure, "description", q),
            )
        )
    return data.Baseline(
        groups=_groups(module, "groups", p),
        counts=_denoms(module, p),
        measures=measures,
        population=_free(module, "populationDescription", p),
    )


def _outcomes(section: dict) -> list[data.Outcome]:
    p = "resultsSection.outcomeMeasuresModule."
    module = _obj(section, "outcomeMeasuresModule", "resultsSection.")
    outcomes = []
    for index, outcome in enumerate(_items(module, "outcomeMeasures", p)):
        q = f"{p}outcomeMeasures[{index}]."
        outcomes.append(
            data.Outcome(
                kind=_text(outcome, "type", q, 64) or "OTHER_PRE_SPECIFIED",
                title=_free(outcome, "title", q, 1000),
                groups=_groups(outcome, "groups", q),
                counts=_denoms(outcome, q),
                classes=_classes(outcome, q),
                analyses=[_analysis(a, f"{q}analyses[].") for a in _items(outcome, "analyses", q)],
                description=_free(outcome, "description", q),
                time_frame=_free(outcome, "timeFrame", q),
                population=_free(outcome, "populationDescription", q),
                param_type=_text(outcome, "paramType", q, 64),
                dispersion_type=_text(outcome, "dispersionType", q, 64),
                unit=_free(outcome, "unitOfMeasure", q, 1000),
                reporting_status=_text(outcome, "reportingStatus", q, 64),
            )
        )
    return outcomes


def _analysis(item: dict, p: str) -> data.Analysis:
    return data.Analysis(
        group_ids=_items(item, "groupIds", p, kind=str),
        group_description=_free(item, "groupDescription", p),
        method=_free(item, "statisticalMethod", p, 1000),
        p_value=_text(item, "pValue", p, 100),
        p_value_comment=_free(item, "pValueComment", p),
        param_type=_free(item, "paramType", p, 1000),
        param_value=_text(item, "paramValue", p, 100),
        ci_percent=_text(item, "ciPctValue", p, 100),
        ci_sides=_text(item, "ciNumSides", p, 64),
        ci_lower=_text(item, "ciLowerLimit", p, 100),
        ci_upper=_text(item, "ciUpperLimit", p, 100),
        dispersion_type=_text(item, "dispersionType", p, 64),
        dispersion_value=_text(item, "dispersionValue", p, 100),
        non_inferiority_type=_text(item, "nonInferiorityType", p, 64),
        estimate_comment=_free(item, "estimateComment", p),
        statistical_comment=_free(item, "statisticalComment", p),
    )


def _adverse_events(section: dict) -> data.AdverseEvents | None:
    p = "resultsSection.adverseEventsModule."
    module = _obj(section, "adverseEventsModule", "resultsSection.")
    if not module:
        return None
    groups = []
    for g in _items(module, "eventGroups", p):
        q = f"{p}eventGroups[]."
        groups.append(
            data.EventGroup(
                id=_text(g, "id", q, 64),
                title=_free(g, "title", q, 1000),
                description=_free(g, "description", q),
                serious_affected=_whole(g, "seriousNumAffected", q),
                serious_at_risk=_whole(g, "seriousNumAtRisk", q),
                other_affected=_whole(g, "otherNumAffected", q),
                other_at_risk=_whole(g, "otherNumAtRisk", q),
                deaths_affected=_whole(g, "deathsNumAffected", q),
                deaths_at_risk=_whole(g, "deathsNumAtRisk", q),
            )
        )
    return data.AdverseEvents(
        groups=groups,
        serious=_events(module, "seriousEvents", p),
        other=_events(module, "otherEvents", p),
        time_frame=_free(module, "timeFrame", p),
        description=_free(module, "description", p),
        frequency_threshold=_text(module, "frequencyThreshold", p, 64),
    )


def _events(module: dict, key: str, p: str) -> list[data.Event]:
    events = []
    for event in _items(module, key, p):
        q = f"{p}{key}[]."
        counts = [
            data.EventCount(
                group_id=_text(s, "groupId", f"{q}stats[].", 64),
                affected=_whole(s, "numAffected", f"{q}stats[]."),
                at_risk=_whole(s, "numAtRisk", f"{q}stats[]."),
                events=_whole(s, "numEvents", f"{q}stats[]."),
            )
            for s in _items(event, "stats", q)
        ]
        events.append(
            data.Event(
                term=_free(event, "term", q, 1000),
                organ_system=_free(event, "organSystem", q, 1000),
                counts=counts,
                notes=_free(event, "notes", q),
            )
        )
    return events


# Shared shapes ------------------------------------------------------------------------------


def _groups(parent: dict, key: str, p: str) -> list[data.Group]:
    return [
        data.Group(
            id=_text(g, "id", f"{p}{key}[].", 64),
            title=_free(g, "title", f"{p}{key}[].", 1000),
            description=_free(g, "description", f"{p}{key}[]."),
        )
        for g in _items(parent, key, p)
    ]


def _counts(parent: dict, key: str, p: str, number_key: str) -> list[data.GroupCount]:
    return [
        data.GroupCount(
            group_id=_text(item, "groupId", f"{p}{key}[].", 64),
            count=_count_text(item, number_key, f"{p}{key}[]."),
            comment=_free(item, "comment", f"{p}{key}[]."),
        )
        for item in _items(parent, key, p)
    ]


def _denoms(parent: dict, p: str) -> list[data.GroupCount]:
    """Participants per group: the first denominator, which the registry counts in people
    (a study may add others, such as eyes or samples)."""
    denoms = _items(parent, "denoms", p)
    if not denoms:
        return []
    return _counts(denoms[0], "counts", f"{p}denoms[0].", "value")


def _classes(measure: dict, p: str) -> list[data.MeasureClass]:
    classes = []
    for index, item in enumerate(_items(measure, "classes", p)):
        q = f"{p}classes[{index}]."
        categories = []
        for category in _items(item, "categories", q):
            r = f"{q}categories[]."
            values = [
                data.Value(
                    group_id=_text(m, "groupId", f"{r}measurements[].", 64),
                    value=_text(m, "value", f"{r}measurements[].", 100),
                    spread=_text(m, "spread", f"{r}measurements[].", 100),
                    lower=_text(m, "lowerLimit", f"{r}measurements[].", 100),
                    upper=_text(m, "upperLimit", f"{r}measurements[].", 100),
                    comment=_free(m, "comment", f"{r}measurements[]."),
                )
                for m in _items(category, "measurements", r)
            ]
            categories.append(data.Category(_free(category, "title", r, 1000), values))
        denoms = _items(item, "denoms", q)
        counts = _counts(denoms[0], "counts", f"{q}denoms[0].", "value") if denoms else []
        classes.append(data.MeasureClass(_free(item, "title", q, 1000), categories, counts))
    return classes


# Values -------------------------------------------------------------------------------------


def _type_name(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}
    return names.get(type(value), "a number")


def _obj(parent: dict, key: str, p: str) -> dict:
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadResults(f"{p}{key} should be an object, not {_type_name(value)}")
    return value


def _items(parent: dict, key: str, p: str, kind: type = dict) -> list:
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadResults(f"{p}{key} should be a list, not {_type_name(value)}")
    if len(value) > MAX_ITEMS:
        raise BadResults(f"{p}{key} has {len(value):,} entries, far more than any study")
    for index, item in enumerate(value):
        if not isinstance(item, kind):
            expected = "an object" if kind is dict else "text"
            raise BadResults(f"{p}{key}[{index}] should be {expected}, not {_type_name(item)}")
    if kind is str:
        return [_clean(item, f"{p}{key}[{index}]", 64) for index, item in enumerate(value)]
    return value


def _clean(value: str, where: str, limit: int) -> str:
    value = value.replace("\x00", "").strip()  # PostgreSQL text cannot hold NUL
    if len(value) > limit:
        raise BadResults(f"{where} is {len(value):,} characters long; at most {limit:,} expected")
    return value


def _text(parent: dict, key: str, p: str, limit: int = MAX_TEXT) -> str:
    """A short value (an id, a code, a number as the registry wrote it)."""
    value = parent.get(key)
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # the registry writes some numbers as text, some as numbers
    if not isinstance(value, str):
        raise BadResults(f"{p}{key} should be text, not {_type_name(value)}")
    return _clean(value, f"{p}{key}", limit)


# The registry's text is Markdown-like: “\[mL\]” means “[mL]”.
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~=])")


def registry_words(text: str) -> str:
    """The study team's words as we keep them: unescaped, with contact details masked."""
    # A study repeats each group's description in every outcome measure: short texts are
    # remembered, so each is masked once.
    return _remembered_words(text) if len(text) <= 2000 else _words(text)


def _words(text: str) -> str:
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    return registry_text(text)


_remembered_words = functools.lru_cache(maxsize=4096)(_words)


def _free(parent: dict, key: str, p: str, limit: int = MAX_TEXT) -> str:
    return registry_words(_text(parent, key, p, limit))


def _whole(parent: dict, key: str, p: str) -> int | None:
    value = parent.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadResults(f"{p}{key} should be a whole number, not {value!r}")
    if value > 2_000_000_000:
        raise BadResults(f"{p}{key} {value} is impossibly large")
    return value


def _count_text(parent: dict, key: str, p: str) -> int | None:
    """A count of people the registry writes as text (“41”); None where it is not a number."""
    value = parent.get(key)
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit():
            return None
        value = int(value)
    if value is None:
        return None
    return _whole({key: value}, key, p)
