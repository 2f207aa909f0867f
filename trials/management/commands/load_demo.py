"""`manage.py load_demo`: the demo trials, loaded once; running it again changes nothing."""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from trials import importer
from trials.models import Trial

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
DEMO_NCT_ID = "NCT07509034"
# The example trial's four registry states and when we saw each: first seen Jun 27, 2026,
# then three changes, the last on Jul 1, 2026.
DEMO_VERSIONS = [
    (FIXTURES / "demo" / f"{DEMO_NCT_ID}-1.json", dt.datetime(2026, 6, 27, 14, 0, tzinfo=dt.UTC)),
    (FIXTURES / "demo" / f"{DEMO_NCT_ID}-2.json", dt.datetime(2026, 6, 28, 9, 15, tzinfo=dt.UTC)),
    (FIXTURES / "demo" / f"{DEMO_NCT_ID}-3.json", dt.datetime(2026, 6, 30, 16, 40, tzinfo=dt.UTC)),
    (FIXTURES / "demo" / f"{DEMO_NCT_ID}-4.json", dt.datetime(2026, 7, 1, 9, 30, tzinfo=dt.UTC)),
]
DEMO_PLAIN_LANGUAGE = {
    "headline": "Engineered immune cells take aim at deadly lung cancer",
    "plain_summary": (
        "This early-phase trial tests a new therapy for people with advanced small cell lung "
        "cancer or similar neuroendocrine cancers that have not responded to prior treatment. "
        "The approach involves collecting a patient's own immune cells, modifying them in a lab "
        "to recognize a protein called B7-H3 found on cancer cells, and infusing them back into "
        "the body. The study will enroll 40 participants to evaluate safety and determine the "
        "best dose, with follow-up lasting up to 15 years."
    ),
    "active_substance": "B7-H3 CAR T cells (a type of immune cell therapy)",
    "could_lead_to": (
        "If it works, this could point toward a new treatment option for people with advanced "
        "small cell lung cancer or similar cancers that have stopped responding to standard "
        "therapy."
    ),
    "could_go_wrong": (
        "This is an early phase 1 trial with only 40 participants, so it is primarily testing "
        "safety. The treatment may not shrink tumors, and there are risks from chemotherapy and "
        "potential side effects from the modified cells."
    ),
}


class Command(BaseCommand):
    help = (
        "Load the demo trials: real ClinicalTrials.gov records and the example trial "
        f"{DEMO_NCT_ID} with its history and plain-language text. Safe to run again."
    )

    def handle(self, *args, **options):
        real = sorted((FIXTURES / "ctgov").glob("NCT*.json"))
        counts = importer.import_paths(real)
        self.stdout.write(f"real records: {counts}")
        if counts.failures:
            raise CommandError(f"demo record {counts.failures[0]}")
        demo = self.load_example()
        self.stdout.write(f"{DEMO_NCT_ID}: {demo}")

    def load_example(self) -> str:
        """Import each registry state not yet seen, in order, then the plain-language text."""
        seen = (
            Trial.objects.filter(nct_id=DEMO_NCT_ID)
            .values_list("current_version", flat=True)
            .first()
        )
        for path, seen_at in DEMO_VERSIONS[seen or 0 :]:
            counts = importer.import_paths([path], seen_at=seen_at)
            if counts.failures:
                raise CommandError(f"demo record {path.name}: {counts.failures[0]}")
        # Only a trial nobody has written about yet gets the demo text.
        unwritten = Trial.objects.filter(nct_id=DEMO_NCT_ID, headline="").first()
        written = unwritten is not None
        if written:
            for field, text in DEMO_PLAIN_LANGUAGE.items():
                setattr(unwritten, field, text)
            unwritten.plain_language_version = len(DEMO_VERSIONS)
            unwritten.save()  # which forgets its cached pages
        added = max(0, len(DEMO_VERSIONS) - (seen or 0))
        if not added and not written:
            return "already loaded"
        return f"{added} registry version(s) added" + (
            ", plain-language text written" if written else ""
        )
