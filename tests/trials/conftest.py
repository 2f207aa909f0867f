import datetime as dt

import pytest

from trials.models import Condition, ConditionGroup, Contact, Location, Synonym, Trial
from trials.synonyms import forget_vocabulary, seed_synonyms

SEEN = dt.datetime(2026, 6, 27, 14, 0, tzinfo=dt.UTC)
UPDATED = dt.datetime(2026, 7, 1, 9, 30, tzinfo=dt.UTC)

STUDY_PHONE = "301-555-0147"
STUDY_EMAIL = "cart.team@example.org"
SITE_PHONE = "301-555-0199"
SITE_EMAIL = "nih.site@example.org"


@pytest.fixture
def vocabulary(db):
    """The vocabulary the site starts with (a test that empties every table loses it)."""
    known = set(Synonym.objects.values_list("said", flat=True))
    Synonym.objects.bulk_create(
        Synonym(**row) for row in seed_synonyms() if row["said"] not in known
    )
    forget_vocabulary()


@pytest.fixture
def solid_tumors(db):
    return ConditionGroup.objects.create(name="Solid tumors")


@pytest.fixture
def example_trial(db, solid_tumors):
    """A trial shaped like the example page, built directly so page tests need no import."""
    trial = Trial.objects.create(
        nct_id="NCT07509034",
        is_published=True,
        headline="Engineered immune cells take aim at deadly lung cancer",
        plain_summary="This early-phase trial tests a new therapy for small cell lung cancer.",
        active_substance="B7-H3 CAR T cells (a type of immune cell therapy)",
        could_lead_to="If it works, this could point toward a new treatment option.",
        could_go_wrong="This is an early phase 1 trial with only 40 participants.",
        brief_title="B7-H3 CAR T Cells for Relapsed Small Cell Lung Cancer",
        registry_summary="Background: B7-H3 is expressed on many tumors.",
        status="RECRUITING",
        phase="PHASE1",
        study_type="INTERVENTIONAL",
        enrollment=40,
        enrollment_is_estimate=True,
        sponsor="National Cancer Institute (NCI)",
        registrant_conditions=[
            "neuroendocrine carcinoma",
            "Recurrence",
            "small cell lung carcinoma",
        ],
        eligibility_criteria=(
            "Inclusion Criteria:\n\n* Age 18 years or older\n* Relapsed small cell lung cancer\n\n"
            "Exclusion Criteria:\n\n* Pregnancy or breastfeeding\n* Active infection"
        ),
        minimum_age="18 Years",
        minimum_age_years=18,
        healthy_volunteers=False,
        first_seen_at=SEEN,
        last_updated_at=UPDATED,
        update_count=3,
        current_version=4,
    )
    trial.groups.add(solid_tumors)
    condition = Condition.objects.create(name="Small Cell Lung Carcinoma")
    condition.groups.add(solid_tumors)
    trial.conditions.add(condition)
    Contact.objects.create(trial=trial, phone=STUDY_PHONE, email=STUDY_EMAIL, name="Dr. Study")
    Contact.objects.create(trial=trial, role="BACKUP", phone="301-555-0148", email="b@example.org")
    site = Location.objects.create(
        trial=trial,
        facility="National Institutes of Health Clinical Center",
        city="Bethesda",
        state="Maryland",
        postal_code="20892",
        country="United States",
        status="RECRUITING",
        latitude=38.99,
        longitude=-77.10,
    )
    Contact.objects.create(trial=trial, location=site, phone=SITE_PHONE, email=SITE_EMAIL)
    return trial
