"""`manage.py sync_ctgov`: bring the trials in step with ClinicalTrials.gov (registry/sync.py)."""

import datetime as dt
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from registry import sync
from trials.importer import records


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since takes a date such as 2026-11-30, not “{value}”.") from None


class Command(BaseCommand):
    help = (
        "Import every study updated on ClinicalTrials.gov since the last successful sync (the "
        "first run: every study, or those of --query). Run it daily from cron; a run that "
        "fails leaves the mark where it was, exits with status 1 and is redone next time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--query",
            default="",
            metavar="QUERY",
            help='Keep in step only the studies of this API query, e.g. "query.cond=asthma" '
            "(each query remembers its own mark). Default: every study.",
        )
        start = parser.add_mutually_exclusive_group()
        start.add_argument(
            "--since",
            metavar="DATE",
            help="Read studies updated on or after DATE (YYYY-MM-DD) instead of the mark.",
        )
        start.add_argument(
            "--full",
            action="store_true",
            help="Read every study of the query again, and report stored trials the registry "
            "no longer returns (never deleted).",
        )
        parser.add_argument(
            "--draft", action="store_true", help="Import new trials as drafts (staff only)."
        )

    def handle(self, *args, query, since, full, draft, verbosity, **options):
        since_date = _date(since) if since else None

        def report(failure: records.Failure) -> None:
            self.stderr.write(f"failed: {failure}")

        def progress(counts: records.Counts) -> None:
            self.stderr.write(f"so far: {counts}".replace("imported: ", ""))

        if verbosity > 1:
            self.stderr.write(f"reading {settings.CTGOV_API_URL}/studies")
        try:
            outcome = sync.run(
                query,
                since=since_date,
                full=full,
                draft=draft,
                on_failure=report,
                on_progress=progress if verbosity > 1 else None,
            )
        except ValueError as error:  # a query that asks nothing
            raise CommandError(str(error)) from None
        except sync.SyncError as error:
            raise CommandError(f"sync not run: {error}") from None
        except DatabaseError as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else "error"
            raise CommandError(f"sync stopped, the database failed: {reason}") from None
        since_words = outcome.since.isoformat() if outcome.since else "the start"
        self.stderr.write(f"read {outcome.pages} page(s) of studies updated since {since_words}")
        if outcome.not_returned:
            self.stderr.write(
                f"kept: {outcome.not_returned} stored trial(s) the registry no longer returns "
                "(not deleted)"
            )
        if outcome.failed:
            self.stderr.write(
                f"sync failed: {outcome.error}; the mark stays at "
                f"{outcome.mark.isoformat() if outcome.mark else 'the start'}"
            )
        else:
            self.stderr.write(f"in step: next run reads from {outcome.mark or 'the start'}")
        self.stdout.write(str(outcome.counts))
        if outcome.failed:
            sys.exit(1)
