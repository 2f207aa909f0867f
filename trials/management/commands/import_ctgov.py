"""`manage.py import_ctgov`: import ClinicalTrials.gov API v2 records (see trials/importer/)."""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from trials import importer


class Command(BaseCommand):
    help = (
        "Import ClinicalTrials.gov API v2 study records from files, directories (every *.json "
        "below them), search responses, JSON Lines, standard input (-) or the live API (--api). "
        "Safe to rerun: unchanged records are skipped and every change is kept as a version."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", metavar="PATH", help="A file, directory or -.")
        parser.add_argument(
            "--api",
            metavar="QUERY",
            help='Page through the API\'s /studies: --api "query.cond=small cell lung cancer".',
        )
        parser.add_argument(
            "--draft", action="store_true", help="Import new trials as drafts (staff only)."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="Worker processes for PATHs (PostgreSQL); 2 suit a full import on 2 cores.",
        )

    def handle(self, *args, paths, api, draft, workers, verbosity, **options):
        if not paths and not api:
            raise CommandError("Give at least one PATH (a file, a directory or -) or --api QUERY.")
        if workers < 1:
            raise CommandError("--workers must be 1 or more.")

        def report(failure: importer.Failure) -> None:
            self.stderr.write(f"failed: {failure}")

        def progress(counts: importer.Counts) -> None:
            self.stderr.write(f"so far: {counts}".replace("imported: ", ""))

        progress_to = progress if verbosity > 1 else None

        counts = importer.Counts()
        if paths:
            counts = importer.import_paths(
                paths,
                draft=draft,
                on_failure=report,
                on_progress=progress_to,
                stdin=sys.stdin.buffer,
                workers=workers,
            )
        if api:
            if verbosity > 1:
                self.stderr.write(f"reading {settings.CTGOV_API_URL}/studies?{api}")
            try:
                from_api = importer.import_api(
                    api, draft=draft, on_failure=report, on_progress=progress_to
                )
            except ValueError as error:
                raise CommandError(str(error)) from None
            counts.add(from_api)
        self.stdout.write(str(counts))
        if counts.failed:
            sys.exit(1)
