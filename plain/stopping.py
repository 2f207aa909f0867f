"""Why a study stopped, in plain words: what happened to it (stopped early, on hold, withdrawn)
and the study team's reason, said in short in our words where we recognise it, always beside
their own words (already masked, as all registry text is: trials/masking.py).

Pure code: it imports no models.
"""

import dataclasses
import re

STOPPED = {
    "TERMINATED": ("Why the study stopped early", "The study stopped early."),
    "SUSPENDED": ("Why the study is on hold", "The study is on hold for now."),
    "WITHDRAWN": ("Why the study was withdrawn", "The study was withdrawn before anyone joined."),
}

_LACK = r"(poor|slow|low|lack of|insufficient|inadequate|unable to|not|no|difficult\w*)"
_JOINING = r"(accrual|enrol\w*|recruit\w*|inclusions?)"
_NOT_SAFETY = re.compile(r"\b(not|unrelated|un-related)\b[^.;]{0,20}\bsafety\b", re.I)

# What a reason says, in our words, tried in this order; a reason may say several things.
REASONS = (
    (
        re.compile(
            rf"\b{_LACK}\s+(\w+\s+){{0,2}}{_JOINING}|\b{_JOINING}\s+(\w+\s+){{0,2}}(too low|"
            r"challenges?|difficult\w*|problems?)|anticipated (no\.?|number)|too few|"
            r"low number",
            re.I,
        ),
        "not enough people joined",
    ),
    (
        re.compile(r"futility|no benefit|lack of (efficacy|benefit)|unlikely to (help|work)", re.I),
        "results suggested the treatment would not help",
    ),
    (
        re.compile(r"business|strategic|compan(y|ies)|sponsor|priorit|decision|decided", re.I),
        "those running it decided to stop",
    ),
    (re.compile(r"\bfund(s|ing)?\b|budget", re.I), "the money to run it ran out"),
    (re.compile(r"covid|pandemic", re.I), "the COVID-19 pandemic got in the way"),
    (
        re.compile(
            r"(drug|medicine|medication|product)s? shortage|(drug|medicine|medication|product)"
            r"\b[^.;]{0,40}\bnot (available|marketed)",
            re.I,
        ),
        "the study treatment was not available",
    ),
    (
        re.compile(
            r"\b(PI|investigator)s? (left|moved|retired)|staff|personnel|clinical time", re.I
        ),
        "the study team could not keep it going",
    ),
    (re.compile(r"redesign|design is under discussion", re.I), "the plan for the study may change"),
)


@dataclasses.dataclass(frozen=True)
class Stopped:
    heading: str  # “Why the study stopped early”
    what: str  # “The study stopped early.”
    in_short: str  # the reason in our words, or "" when we do not recognise it
    reason: str  # the study team's words, masked; "" when they gave none

    @property
    def words(self) -> str:
        """What we say of it, in our words."""
        return " ".join(part for part in (self.what, self.in_short) if part)


def why_stopped(status: str, reason: str) -> Stopped | None:
    """How a stopped study (terminated, suspended or withdrawn) stopped, and why, as far as the
    study team said; None for a study that has not stopped."""
    if status not in STOPPED:
        return None
    heading, what = STOPPED[status]
    reason = " ".join(reason.split())
    return Stopped(heading, what, in_short(status, reason), reason)


def in_short(status: str, reason: str) -> str:
    """“In short, not enough people joined.”; "" when we do not recognise the reason."""
    said = [
        words
        for pattern, words in REASONS
        # A withdrawn study had no one to recruit: “no patients were enrolled” is no reason.
        if pattern.search(reason) and not (status == "WITHDRAWN" and words.startswith("not "))
    ]
    if _NOT_SAFETY.search(reason):
        said.append("it was not because of safety")
    if not said:
        return ""
    if status == "WITHDRAWN":  # it never started, so it did not stop
        said = [words.replace("decided to stop", "decided not to go ahead") for words in said]
    listed = said[0] if len(said) == 1 else f"{', '.join(said[:-1])}, and {said[-1]}"
    return f"In short, {listed}."
