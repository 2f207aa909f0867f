"""Bring the trials in step with ClinicalTrials.gov: everything updated since the last sync.

A run asks the API v2 for every study of its query (or every study) whose last update was
posted on or after the high-water mark (`filter.advanced=AREA[LastUpdatePostDate]RANGE[...]`),
reads it with the importer's API reader at the largest page size, and stores it with the
importer, so changes become versions and alerts exactly as with `import_ctgov`.

The mark is the latest update date the registry returned, and it is written only when a run
has finished without a failure: an interrupted or failed run leaves it where it was, and the
next run reads the same range again (what did get stored is then found unchanged). The range
includes the mark's own day, so studies posted later on that day are not missed.

Studies the registry no longer returns are never deleted: a full run (no mark) of every study
(the first, or one asked for with `full`) reports how many stored trials it did not return.
"""

import dataclasses
import datetime as dt
import zlib
from collections.abc import Callable, Iterator

from django.db import DatabaseError, connection
from django.utils import timezone

from trials.importer import api, records, running, sources
from trials.models import Trial

from .models import SyncMark

UPDATE_FIELD = "LastUpdatePostDate"


class SyncError(Exception):
    """A run that did not finish; the mark stays where it was."""


@dataclasses.dataclass
class Outcome:
    counts: records.Counts
    since: dt.date | None  # the range's first day (None: everything)
    mark: dt.date | None  # where the mark is now
    pages: int = 0
    not_returned: int | None = None  # stored trials a full run of everything did not get
    error: str = ""  # why the run failed, if it did

    @property
    def failed(self) -> bool:
        return bool(self.error or self.counts.failed)


def params_for(query: str, since: dt.date | None) -> list[tuple[str, str]]:
    """The API parameters of a run: the query's, and the range of update dates."""
    params = api.query_params(query) if query.strip() else []
    if since is None:
        return params
    window = f"AREA[{UPDATE_FIELD}]RANGE[{since.isoformat()},MAX]"
    given = [value for name, value in params if name == "filter.advanced"]
    params = [(name, value) for name, value in params if name != "filter.advanced"]
    advanced = f"({given[0]}) AND {window}" if given and given[0].strip() else window
    return [*params, ("filter.advanced", advanced)]


def run(
    query: str = "",
    *,
    since: dt.date | None = None,
    full: bool = False,
    draft: bool = False,
    on_failure: Callable[[records.Failure], None] | None = None,
    on_progress: Callable[[records.Counts], None] | None = None,
) -> Outcome:
    """One sync of `query` ("" for every study): from `since`, from the start if `full`, else
    from the stored mark."""
    query = query.strip()
    mark, _ = SyncMark.objects.get_or_create(query=query)
    with _only_run(query):
        start = since or (None if full else mark.updated_since)
        params = params_for(query, start)
        SyncMark.objects.filter(pk=mark.pk).update(last_attempt_at=timezone.now())
        reading = _Reading(params)
        counts = running.import_items(
            reading.items(), draft=draft, on_failure=on_failure, on_progress=on_progress
        )
        outcome = Outcome(counts=counts, since=start, mark=mark.updated_since, pages=reading.pages)
        if reading.error:
            outcome.error = reading.error
        elif counts.failed:
            outcome.error = f"{counts.failed} record(s) failed; they are read again next time"
        if outcome.error:
            SyncMark.objects.filter(pk=mark.pk).update(
                last_failure_at=timezone.now(), last_failure=outcome.error[:2000]
            )
            return outcome
        if not query and start is None:
            outcome.not_returned = Trial.objects.exclude(nct_id__in=reading.seen).count()
        newest = max(filter(None, [reading.newest, start, mark.updated_since]), default=None)
        outcome.mark = newest
        SyncMark.objects.filter(pk=mark.pk).update(
            updated_since=newest, last_success_at=timezone.now(), last_summary=str(counts)
        )
        return outcome


class _Reading:
    """The API's pages as importer items, noting what a run needs besides: the newest update
    date, the NCT IDs seen and the reason the reading stopped, if it did."""

    def __init__(self, params: list[tuple[str, str]]):
        self.params = params
        self.newest: dt.date | None = None
        self.seen: set[str] = set()
        self.pages = 0
        self.error = ""

    def items(self) -> Iterator[records.Item]:
        pages = api.iter_pages(self.params, page_size=api.API_LARGEST_PAGE)
        try:
            for page in pages:
                self.pages = page.number
                for study in page.document["studies"]:
                    self._note(study)
                yield from sources.studies_in(f"API page {page.number}", "", page.document)
        except api.ApiError as error:
            self.error = f"API page {error.page}: {error}"
            source = f"API page {error.page}"
            yield source, "", records.Failure(source, "", str(error))

    def _note(self, study) -> None:
        try:
            protocol = study["protocolSection"]
            self.seen.add(protocol["identificationModule"]["nctId"])
            posted = protocol["statusModule"]["lastUpdatePostDateStruct"]["date"]
            day = dt.date.fromisoformat(posted)
        except (KeyError, TypeError, ValueError):
            return  # the importer reports what is wrong with the record
        if self.newest is None or day > self.newest:
            self.newest = day


class _only_run:
    """One run of a query at a time (PostgreSQL's advisory lock, held by this connection)."""

    def __init__(self, query: str):
        self.key = zlib.crc32(f"sync_ctgov:{query}".encode())
        self.locked = False

    def __enter__(self):
        if connection.vendor != "postgresql":
            return self
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [self.key])
            self.locked = cursor.fetchone()[0]
        if not self.locked:
            raise SyncError("another sync of this query is running")
        return self

    def __exit__(self, *exc):
        if self.locked:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [self.key])
            except DatabaseError:
                pass  # the connection is gone, and its lock with it
