"""“What this could mean”, written from a trial's facts: the active substance, what a good
result could lead to at this phase and for this purpose, and what the design tells us could go
wrong. Every sentence agrees with what is tested (one drug, two drugs, a drug and a device),
and nothing speaks of a drug where none is tested."""

from .reading import Reading
from .wording import EARLY_PHASES, PHASE_LEADS_TO, STOPPED, is_substance, substance_kind


def active_substance(reading: Reading) -> str:
    substances = [i for i in reading.tested.items if is_substance(i)]
    return "; ".join(f"{i.name} ({substance_kind(i)})" for i in substances)


def could_lead_to(reading: Reading) -> list[str]:
    facts = reading.facts
    cond = reading.condition or "this condition"
    if reading.observational:
        return [
            "It does not test a treatment.",
            f"What it learns could help doctors understand {cond} better and plan new studies.",
        ]
    if reading.expanded_access:
        return [
            "It lets some people have a treatment before it is approved.",
            "It is not set up to show whether the treatment works.",
        ]
    purpose = facts.primary_purpose
    words = reading.tested.agreeing()
    thing = words["thing"]
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
    prevent = f"If {words['it']} {words['works']}"  # “If it works”, “If they work”
    if facts.phase in PHASE_LEADS_TO:
        lead = PHASE_LEADS_TO[facts.phase].format(**words, for_whom=reading.for_whom())
        if purpose == "PREVENTION" and reading.conditions:
            return [f"{prevent}, {thing} could help prevent {cond}.", lead]
        return [lead]
    if purpose == "PREVENTION" and reading.conditions:
        return [f"{prevent}, {thing} could help prevent {cond}."]
    if purpose == "SUPPORTIVE_CARE":
        helps = f"If {words['it']} {words['helps']}"
        return [f"{helps}, {thing} could make life easier for people with {cond}."]
    return [f"{prevent}, {thing} could give people with {cond} a new option."]


def could_go_wrong(reading: Reading) -> list[str]:
    facts = reading.facts
    words = reading.tested.agreeing()
    thing, it = words["thing"], words["it"]
    kind = reading.tested.kind
    substance = any(is_substance(i) for i in reading.tested.items)
    risks = []
    if reading.observational:
        risks.append("You would not get a new treatment from it.")
    elif reading.expanded_access:
        risks.append("The treatment is not approved yet, so its risks are not fully known.")
    elif facts.primary_purpose in ("DIAGNOSTIC", "SCREENING"):
        risks.append(
            f"{thing.capitalize()} may miss something, or find something that is not there."
        )
    elif facts.phase == "PHASE4":
        risks.append(
            f"{thing.capitalize()} may not work as well for you, and {it} can have side effects."
        )
    else:
        risks.append(
            f"{thing.capitalize()} may not work, and {it} may have side effects not known yet."
        )
        if facts.phase in EARLY_PHASES and substance:
            risks.append("Early studies are mostly about safety: the best dose is not known.")
    if not (reading.observational or reading.expanded_access):
        if reading.placebo:
            # A placebo app or device has no “active substance” to lack: it just does nothing.
            dummy = "a dummy with no active substance" if substance else "a dummy that does nothing"
            risks.append(f"You might get a placebo, {dummy}, instead of {thing}.")
        elif reading.sham:
            risks.append(f"You might get a sham, a fake {kind} that does nothing, instead.")
        elif "ACTIVE_COMPARATOR" in facts.arm_kinds:
            risks.append("You might be in the group that gets another treatment to compare.")
        elif "NO_INTERVENTION" in facts.arm_kinds:
            risks.append("You might be in a group that gets no study treatment.")
    risks.append("Taking part takes time and may mean extra visits, tests or questions.")
    if facts.status in STOPPED:
        risks.append(STOPPED[facts.status])
    return risks
