"""Why a study stopped: what happened, the study team's reason in short in our words where we
recognise it, and their own words beside it."""

import pytest

from plain.stopping import why_stopped


@pytest.mark.parametrize(
    "status, reason, in_short",
    [
        ("TERMINATED", "Terminated due to poor accrual", "In short, not enough people joined."),
        ("TERMINATED", "recruitment challenges", "In short, not enough people joined."),
        (
            "TERMINATED",
            "Business decision, not related to safety.",
            "In short, those running it decided to stop, and it was not because of safety.",
        ),
        (
            "TERMINATED",
            "Not possible to achieve the anticipated no. of patients due to Covid-19 pandemic",
            "In short, not enough people joined, and the COVID-19 pandemic got in the way.",
        ),
        (
            "TERMINATED",
            "Study was terminated as a result of a pre-specified futility analysis",
            "In short, results suggested the treatment would not help.",
        ),
        ("WITHDRAWN", "loss of funding", "In short, the money to run it ran out."),
        (
            "WITHDRAWN",
            "This study was withdrawn due to a strategic business decision; no patients were "
            "enrolled.",
            "In short, those running it decided not to go ahead.",
        ),
        ("TERMINATED", "Staff shortage", "In short, the study team could not keep it going."),
        ("WITHDRAWN", "Considiering to change the Chemotherapy into Gefitinib", ""),
    ],
)
def test_a_reason_we_recognise_is_said_in_short_in_our_words(status, reason, in_short):
    stopped = why_stopped(status, reason)
    assert stopped.in_short == in_short
    assert stopped.reason == reason


def test_each_way_of_stopping_says_what_happened():
    assert why_stopped("TERMINATED", "").what == "The study stopped early."
    assert why_stopped("SUSPENDED", "").heading == "Why the study is on hold"
    assert why_stopped("WITHDRAWN", "x").words == "The study was withdrawn before anyone joined."


@pytest.mark.parametrize("status", ["RECRUITING", "COMPLETED", "ACTIVE_NOT_RECRUITING", ""])
def test_a_study_that_has_not_stopped_has_no_reason_shown(status):
    assert why_stopped(status, "Sponsor decision") is None
