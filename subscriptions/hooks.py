"""Where an app that keeps rows of its own for an address (the study-team relay) joins what this
app does for every address, without this app importing it.

Each signal is sent with `sender=Subscriber`.
"""

import datetime as dt
from dataclasses import dataclass

from django.dispatch import Signal


@dataclass
class Sent:
    """What a receiver of `sending_run` did in one run."""

    name: str  # in the run's counts: "relays" gives relays_sent and relays_failed
    words: str  # in the run's report: "message(s) to study teams"
    sent: int = 0
    failed: int = 0
    retry_at: dt.datetime | None = None  # the earliest one waiting for a retry
    due_left: bool = False  # some are due and were not sent
    error: str = ""  # the mail server could not be reached: the run stops


# Sent at the start of each sending run with `connection` (the run's SMTP session) and `now`;
# a receiver sends what it has due and returns a `Sent`.
sending_run = Signal()

# Sent by the daily purge with `now`, in its transaction, before addresses left with nothing
# are deleted; a receiver deletes its rows never confirmed in time and returns {what: count}.
purging = Signal()

# Sent with `subscriber` when the address downloads what we hold about it; a receiver returns
# {name: what it holds}.
exporting = Signal()
