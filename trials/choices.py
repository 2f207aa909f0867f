"""The registry's fixed values (status, phase, study type, sex, date precision) with the words
patients see. Imports no models, so any module may use them."""

import datetime as dt

from django.db import models


class Status(models.TextChoices):
    """The registry's overall recruitment status, with the wording patients see."""

    NOT_YET_RECRUITING = "NOT_YET_RECRUITING", "Not yet recruiting"
    RECRUITING = "RECRUITING", "Recruiting"
    ENROLLING_BY_INVITATION = "ENROLLING_BY_INVITATION", "Enrolling by invitation"
    ACTIVE_NOT_RECRUITING = "ACTIVE_NOT_RECRUITING", "Active, not recruiting"
    SUSPENDED = "SUSPENDED", "Suspended"
    TERMINATED = "TERMINATED", "Terminated"
    COMPLETED = "COMPLETED", "Completed"
    WITHDRAWN = "WITHDRAWN", "Withdrawn"
    AVAILABLE = "AVAILABLE", "Available"
    NO_LONGER_AVAILABLE = "NO_LONGER_AVAILABLE", "No longer available"
    TEMPORARILY_NOT_AVAILABLE = "TEMPORARILY_NOT_AVAILABLE", "Temporarily not available"
    APPROVED_FOR_MARKETING = "APPROVED_FOR_MARKETING", "Approved for marketing"
    WITHHELD = "WITHHELD", "Withheld"
    UNKNOWN = "UNKNOWN", "Unknown"

    @classmethod
    def open_to_patients(cls) -> list[str]:
        return [cls.NOT_YET_RECRUITING, cls.RECRUITING, cls.ENROLLING_BY_INVITATION]


# A trial that says it is open but whose team has not confirmed that for this long, or whose
# completion date has passed, may no longer be taking people: we say so and rank it lower.
STALE_AFTER = dt.timedelta(days=365)


def status_is_stale(
    status: str, verified_on: dt.date | None, completion: dt.date | None, today: dt.date
) -> bool:
    if status not in Status.open_to_patients():
        return False
    confirmed_long_ago = verified_on is not None and verified_on < today - STALE_AFTER
    return confirmed_long_ago or (completion is not None and completion < today)


class Phase(models.TextChoices):
    """Trial phase; combined phases (1/2, 2/3) are single values as the registry reports them."""

    EARLY_PHASE1 = "EARLY_PHASE1", "Early phase 1"
    PHASE1 = "PHASE1", "Phase 1"
    PHASE1_PHASE2 = "PHASE1_PHASE2", "Phase 1/2"
    PHASE2 = "PHASE2", "Phase 2"
    PHASE2_PHASE3 = "PHASE2_PHASE3", "Phase 2/3"
    PHASE3 = "PHASE3", "Phase 3"
    PHASE4 = "PHASE4", "Phase 4"
    NA = "NA", "Not applicable"


class StudyType(models.TextChoices):
    INTERVENTIONAL = "INTERVENTIONAL", "Interventional"
    OBSERVATIONAL = "OBSERVATIONAL", "Observational"
    EXPANDED_ACCESS = "EXPANDED_ACCESS", "Expanded access"


class Sex(models.TextChoices):
    ALL = "ALL", "All"
    FEMALE = "FEMALE", "Female"
    MALE = "MALE", "Male"


class DatePrecision(models.TextChoices):
    DAY = "DAY", "Day"
    MONTH = "MONTH", "Month"
    YEAR = "YEAR", "Year"


# The registry's intervention types, as patients would say them.
INTERVENTION_KINDS = {
    "DRUG": "Drug",
    "BIOLOGICAL": "Biological (made from living cells)",
    "DEVICE": "Device",
    "PROCEDURE": "Procedure or surgery",
    "RADIATION": "Radiation",
    "BEHAVIORAL": "Behavioral (talking, habits or learning)",
    "GENETIC": "Genetic",
    "DIETARY_SUPPLEMENT": "Dietary supplement",
    "COMBINATION_PRODUCT": "Combination product",
    "DIAGNOSTIC_TEST": "Diagnostic test",
    "OTHER": "Other",
}
