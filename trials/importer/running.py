"""Running an import: batches, worker processes, counts and failures.

`import_paths` and `import_api` read a source (sources.py, api.py) and hand its items to
`import_items`, or to `import_in_parallel` with several workers. A batch at a time, `_Run`
skips what is unchanged, maps the rest (mapping.py) and stores it (storing.py).
"""

import datetime as dt
import hashlib
import multiprocessing
import urllib.request
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connections

from ..models import Trial
from ..signals import versions_recorded
from .api import iter_api
from .catalog import Catalog
from .mapping import map_study, source_digest
from .records import Counts, Failure, Item, Raw, RecordError, Study
from .sources import iter_path, nct_id_of, parse
from .storing import store, store_new

BATCH_SIZE = 500
CREATE_BATCH = 100


def import_items(
    items: Iterable[Item],
    *,
    draft: bool = False,
    seen_at: dt.datetime | None = None,
    on_failure: Callable[[Failure], None] | None = None,
    on_progress: Callable[[Counts], None] | None = None,
    batch_size: int | None = None,
) -> Counts:
    """Store every item read from a source, a batch at a time (see `_Run.process`)."""
    batch_size = batch_size or BATCH_SIZE
    run = _Run(draft=draft, seen_at=seen_at, on_failure=on_failure)
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(batch) >= batch_size:
            run.process(batch)
            batch = []
            if on_progress:
                on_progress(run.counts)
    run.process(batch)
    if run.counts.created or run.counts.updated:
        versions_recorded.send(sender=Trial, counts=run.counts)
    return run.counts


class _Run:
    """One import: its counts, its catalog of condition rows, and how it stores records."""

    def __init__(self, *, draft: bool, seen_at, on_failure):
        self.counts = Counts()
        self.catalog = Catalog()
        self.draft = draft
        self.seen_at = seen_at
        self.on_failure = on_failure

    def fail(self, failure: Failure) -> None:
        self.counts.failures.append(failure)
        if self.on_failure:
            self.on_failure(failure)

    def process(self, batch: list[Item]) -> None:
        """Skip what is unchanged, create what is new, and store the rest one by one.

        1. A record whose bytes hash the same as the stored trial's source is unchanged: it is
           not even parsed. One query answers this for the whole batch.
        2. The others are parsed and mapped; one whose mapped facts hash the same as what is
           stored is unchanged too (the registry re-sent it with a new version stamp).
        3. New trials are created a hundred to a transaction; changed ones, and any NCT ID seen
           twice in the batch, are stored one per transaction, in the order they came.
        """
        if not batch:
            return
        raw_ids = {
            id(payload): nct_id_of(payload) for _, _, payload in batch if isinstance(payload, Raw)
        }
        stored = _stored_hashes(set(raw_ids.values()) - {None})
        studies: list[tuple[str, str, Study]] = []
        counted = set()
        for source, position, payload in batch:
            if isinstance(payload, Failure):
                self.fail(payload)
                continue
            if isinstance(payload, Raw):
                nct_id = raw_ids.get(id(payload))
                digest = hashlib.sha256(payload.data).hexdigest()
                if nct_id not in counted and stored.get(nct_id, ("",))[0] == digest:
                    counted.add(nct_id)
                    self.counts.unchanged += 1
                    continue
                counted.add(nct_id)
                items = parse(source, position, payload.data)
            else:
                counted.add(nct_id_of(payload))
                items = [(source, position, payload)]
            studies += self.map(items, digest if isinstance(payload, Raw) else None)
        stored.update(_stored_hashes({s.nct_id for _, _, s in studies} - stored.keys()))
        self.store_all(studies, stored)

    def map(self, items: Iterable[Item], digest: str | None) -> list[tuple[str, str, Study]]:
        mapped = []
        items = list(items)
        for source, position, record in items:
            if isinstance(record, Failure):
                self.fail(record)
                continue
            try:
                study = map_study(record)
            except RecordError as error:
                self.fail(Failure(source, position, str(error)))
                continue
            # A file holding several studies has no bytes of each study's own to hash.
            study.source_hash = digest if digest and len(items) == 1 else source_digest(record)
            mapped.append((source, position, study))
        return mapped

    def store_all(self, studies, stored: dict[str, tuple[str, str]]) -> None:
        new, others = [], []
        queued = set()
        for source, position, study in studies:
            nct_id = study.nct_id
            again = nct_id in queued  # what is stored may change before this one's turn
            queued.add(nct_id)
            if again:
                others.append((source, position, study))
            elif nct_id not in stored:
                new.append((source, position, study))
            elif stored[nct_id][1] == study.content_hash:
                if stored[nct_id][0] != study.source_hash:
                    Trial.objects.filter(nct_id=nct_id).update(source_hash=study.source_hash)
                self.counts.unchanged += 1
            else:
                others.append((source, position, study))
        for start in range(0, len(new), CREATE_BATCH):
            chunk = new[start : start + CREATE_BATCH]
            try:
                store_new(
                    [study for _, _, study in chunk],
                    catalog=self.catalog,
                    draft=self.draft,
                    seen_at=self.seen_at,
                )
                self.counts.created += len(chunk)
            except DatabaseError:
                others[:0] = chunk  # before any later record of the same trials
        for source, position, study in others:
            self.store_one(source, position, study)

    def store_one(self, source: str, position: str, study: Study) -> None:
        try:
            outcome = store(study, catalog=self.catalog, draft=self.draft, seen_at=self.seen_at)
        except DatabaseError as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else "error"
            self.fail(Failure(source, position, f"{study.nct_id} was not stored: {reason}"))
            return
        setattr(self.counts, outcome, getattr(self.counts, outcome) + 1)


def _stored_hashes(nct_ids: set[str]) -> dict[str, tuple[str, str]]:
    if not nct_ids:
        return {}
    rows = Trial.objects.filter(nct_id__in=nct_ids).values_list(
        "nct_id", "source_hash", "content_hash"
    )
    return {nct_id: (source, content) for nct_id, source, content in rows}


def import_paths(
    paths: Iterable[str | Path],
    *,
    draft: bool = False,
    seen_at: dt.datetime | None = None,
    on_failure: Callable[[Failure], None] | None = None,
    stdin=None,
    workers: int = 1,
    on_progress: Callable[[Counts], None] | None = None,
) -> Counts:
    """Import every study in `paths` (files, directories, search responses, JSON Lines, `-`).

    `on_progress` gets the counts so far after each batch (with one worker).
    """
    items = (item for path in paths for item in iter_path(path, stdin=stdin))
    options = {"draft": draft, "seen_at": seen_at, "on_failure": on_failure}
    if workers > 1:
        return import_in_parallel(items, workers=workers, **options)
    return import_items(items, on_progress=on_progress, **options)


def import_in_parallel(
    items: Iterable[Item],
    *,
    workers: int,
    on_failure: Callable[[Failure], None] | None = None,
    **options,
) -> Counts:
    """Import with several worker processes, so that the database and the reading of records
    keep every core busy.

    Each trial always goes to the same worker, so successive states of one trial are stored in
    the order they came; two workers never race for one trial (and if they did, the unique
    constraint and row locks of `store` would keep it whole). Failures are reported as each
    worker finishes.
    """
    context = multiprocessing.get_context("fork")
    connections.close_all()  # each worker opens its own
    inboxes = [context.Queue(maxsize=4) for _ in range(workers)]
    results = context.Queue()
    processes = [
        context.Process(target=_work, args=(inbox, results, options), daemon=True)
        for inbox in inboxes
    ]
    for process in processes:
        process.start()
    counts = Counts()
    batches: list[list[Item]] = [[] for _ in range(workers)]
    try:
        for item in items:
            if isinstance(item[2], Failure):
                counts.failures.append(item[2])
                if on_failure:
                    on_failure(item[2])
                continue
            worker = zlib.crc32((nct_id_of(item[2]) or "").encode()) % workers
            batches[worker].append(item)
            if len(batches[worker]) >= BATCH_SIZE:
                inboxes[worker].put(batches[worker])
                batches[worker] = []
    finally:
        for inbox, batch in zip(inboxes, batches, strict=True):
            if batch:
                inbox.put(batch)
            inbox.put(None)
    for _ in processes:
        result = results.get()
        if isinstance(result, str):
            raise RuntimeError(f"an import worker stopped: {result}")
        counts.add(result)
        for failure in result.failures:
            if on_failure:
                on_failure(failure)
    for process in processes:
        process.join()
    if counts.created or counts.updated:
        versions_recorded.send(sender=Trial, counts=counts)
    return counts


def _work(inbox, results, options: dict) -> None:
    try:
        run = _Run(on_failure=None, **options)
        while (batch := inbox.get()) is not None:
            run.process(batch)
        results.put(run.counts)
    except BaseException as error:  # the parent reports it
        results.put(f"{type(error).__name__}: {error}")
    finally:
        connections.close_all()


def import_api(
    query: str,
    *,
    draft: bool = False,
    base_url: str | None = None,
    on_failure: Callable[[Failure], None] | None = None,
    on_progress: Callable[[Counts], None] | None = None,
    opener: Callable[..., Any] = urllib.request.urlopen,
) -> Counts:
    """Import every study the live API returns for `query` (see iter_api)."""
    items = iter_api(query, base_url=base_url, opener=opener)
    return import_items(items, draft=draft, on_failure=on_failure, on_progress=on_progress)
