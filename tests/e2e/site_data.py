"""The data the browser suite serves: the demo trial and a large multi-site trial."""

import datetime as dt
from dataclasses import dataclass, field

from trials.models import Condition, ConditionCategory, Contact, Location, Trial

DEMO_NCT_ID = "NCT07509034"
LARGE_NCT_ID = "NCT05850520"

# Contact values that must never reach a browser.
PRIVATE_VALUES = ["301-555-0147", "cart.team@example.org", "301-555-0199", "nih.site@example.org"]

CITIES = [
    ("Bethesda", "Maryland", "20892", 38.99, -77.10),
    ("Boston", "Massachusetts", "02115", 42.34, -71.10),
    ("Houston", "Texas", "77030", 29.71, -95.40),
    ("Los Angeles", "California", "90095", 34.07, -118.44),
    ("Seattle", "Washington", "98109", 47.63, -122.34),
    ("Chicago", "Illinois", "60611", 41.89, -87.62),
]


@dataclass
class SiteData:
    demo_nct_id: str
    large_nct_id: str
    category_slug: str
    search_term: str
    near_zip: str
    demo_title: str
    not_recruiting_title: str
    far_away_title: str
    private_values: list[str]
    server_env: dict[str, str] = field(default_factory=dict)


def build_site_data() -> SiteData:
    solid = ConditionCategory.objects.create(
        name="Solid tumors", description="Cancers that form a lump, such as lung or breast cancer."
    )
    ConditionCategory.objects.create(name="Blood cancers")
    lung = Condition.objects.create(name="Small Cell Lung Carcinoma")
    lung.categories.add(solid)
    seen = dt.datetime(2026, 6, 27, 14, 0, tzinfo=dt.UTC)
    demo = Trial.objects.create(
        nct_id=DEMO_NCT_ID,
        is_published=True,
        headline="Engineered immune cells take aim at deadly lung cancer",
        plain_summary=(
            "This early-phase trial tests whether a person's own immune cells, changed in a lab "
            "to find a marker called B7-H3 on cancer cells, are safe for people whose small cell "
            "lung cancer came back after treatment."
        ),
        active_substance="B7-H3 CAR T cells (a type of immune cell therapy)",
        could_lead_to="If it works, this could point toward a new treatment option.",
        could_go_wrong="This is an early phase 1 trial with only 40 participants.",
        brief_title="B7-H3 CAR T Cells for Relapsed Small Cell Lung Cancer",
        status="RECRUITING",
        phase="PHASE1",
        study_type="INTERVENTIONAL",
        enrollment=40,
        enrollment_is_estimate=True,
        sponsor="National Cancer Institute (NCI)",
        registrant_conditions=["neuroendocrine carcinoma", "small cell lung carcinoma"],
        eligibility_criteria=(
            "Inclusion Criteria:\n\n* Age 18 years or older\n* Relapsed small cell lung cancer\n\n"
            "Exclusion Criteria:\n\n* Pregnancy or breastfeeding\n* Active infection"
        ),
        minimum_age="18 Years",
        minimum_age_years=18,
        healthy_volunteers=False,
        first_seen_at=seen,
        last_updated_at=seen + dt.timedelta(days=4),
        update_count=3,
        current_version=4,
    )
    demo.categories.add(solid)
    demo.conditions.add(lung)
    demo.refresh_search_text()
    Contact.objects.create(trial=demo, phone=PRIVATE_VALUES[0], email=PRIVATE_VALUES[1])
    site = Location.objects.create(
        trial=demo,
        facility="National Institutes of Health Clinical Center",
        city="Bethesda",
        state="Maryland",
        postal_code="20892",
        country="United States",
        status="RECRUITING",
        latitude=38.99,
        longitude=-77.10,
    )
    Contact.objects.create(
        trial=demo, location=site, phone=PRIVATE_VALUES[2], email=PRIVATE_VALUES[3]
    )

    large = Trial.objects.create(
        nct_id=LARGE_NCT_ID,
        is_published=True,
        brief_title="Tarlatamab Compared With Standard Chemotherapy in Small Cell Lung Cancer",
        registry_summary="A phase 3 study of tarlatamab after platinum chemotherapy.",
        status="RECRUITING",
        phase="PHASE3",
        study_type="INTERVENTIONAL",
        enrollment=700,
        sponsor="Amgen",
        minimum_age="18 Years",
        minimum_age_years=18,
        first_seen_at=seen,
        last_updated_at=seen,
    )
    large.categories.add(solid)
    large.conditions.add(lung)
    large.refresh_search_text()
    for position in range(120):
        city, state, zip_code, lat, lon = CITIES[position % len(CITIES)]
        Location.objects.create(
            trial=large,
            position=position,
            facility=f"Research Site {position + 1}",
            city=city,
            state=state,
            postal_code=zip_code,
            country="United States",
            status="RECRUITING",
            latitude=lat,
            longitude=lon,
        )
    finished = Trial.objects.create(
        nct_id="NCT04000001",
        is_published=True,
        brief_title="Radiation to the Brain After Small Cell Lung Cancer Treatment",
        status="COMPLETED",
        phase="PHASE2",
        first_seen_at=seen,
    )
    far = Trial.objects.create(
        nct_id="NCT04000002",
        is_published=True,
        brief_title="Immunotherapy Maintenance for Small Cell Lung Cancer in California",
        status="RECRUITING",
        phase="PHASE2",
        first_seen_at=seen,
    )
    for trial, (city, state, zip_code, lat, lon) in ((finished, CITIES[0]), (far, CITIES[3])):
        trial.conditions.add(lung)
        trial.categories.add(solid)
        trial.refresh_search_text()
        Location.objects.create(
            trial=trial,
            city=city,
            state=state,
            postal_code=zip_code,
            country="United States",
            latitude=lat,
            longitude=lon,
        )
    return SiteData(
        demo_nct_id=DEMO_NCT_ID,
        large_nct_id=LARGE_NCT_ID,
        category_slug=solid.slug,
        search_term="small cell lung cancer",
        near_zip="20814",
        demo_title=demo.title,
        not_recruiting_title=finished.title,
        far_away_title=far.title,
        private_values=PRIVATE_VALUES,
    )
