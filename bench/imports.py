# ruff: noqa: S608 - SQL built from our own names
"""Time the ClinicalTrials.gov import on PostgreSQL (`make bench-import`).

Builds a fresh `bench_import` database, writes --count records as JSON Lines (the real records
in --records, repeated with new NCT IDs until there are enough; compact, as the API sends them),
and imports them through trials.importer: into the empty database with one process, again
(emptied) with --workers processes, then the same records once more, which must all come out
unchanged; then (emptied again) up to 1,000 records with posted results, the largest records,
first and unchanged. Prints records per second for each.
"""

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path

from .common import (
    DEFAULT_RECORDS,
    BenchError,
    create_database,
    main,
    run_in,
    setup_django,
    site_env,
)

NAME = "bench_import"
RESULTS_COUNT = 1000  # records with posted results, timed on their own


def run(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__)
    parser.add_argument("--count", type=int, default=5000, help="Records to import.")
    parser.add_argument("--records", default=str(DEFAULT_RECORDS), help="Folder of NCT*.json.")
    parser.add_argument("--workers", type=int, default=2, help="Processes for the second run.")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.measure:
        setup_django()
        measure(options.count, Path(options.records), options.workers)
        return
    if not Path(options.records).is_dir():
        raise BenchError(f"{options.records} is not a folder of API v2 records (--records).")
    create_database(NAME)
    env = site_env(NAME, os.environ.get("BENCH_CACHE_URL", "locmemcache://"))
    run_in(env, "manage.py", "migrate", "--no-input", "-v0")
    run_in(
        env,
        *("-m", "bench.imports", "--measure", "--count", str(options.count)),
        *("--records", options.records, "--workers", str(options.workers)),
    )


def write_records(path: Path, folder: Path, count: int, only_results: bool = False) -> int:
    """`count` records as JSON Lines in `path`; how many real ones they were made from.

    `only_results` keeps the records with posted results, the largest ones."""
    sources = [json.loads(p.read_text()) for p in sorted(folder.glob("NCT*.json"))]
    if only_results:
        sources = [study for study in sources if "resultsSection" in study]
    if not sources:
        raise BenchError(f"No NCT*.json records in {folder}.")
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            study = sources[n % len(sources)]
            if n >= len(sources):  # a copy under a new NCT ID
                ident = study["protocolSection"]["identificationModule"]
                study = {**study, "protocolSection": {**study["protocolSection"]}}
                ident = {**ident, "nctId": f"NCT6{n:07d}"}
                study["protocolSection"]["identificationModule"] = ident
            out.write(json.dumps(study, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
    return len(sources)


def measure(count: int, folder: Path, workers: int) -> None:
    from trials.models import Location, Trial, TrialResults

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "studies.jsonl"
        real = write_records(path, folder, count)
        size = path.stat().st_size / 1e6
        print(
            f"{count:,} records ({real} real ones, repeated under new NCT IDs), "
            f"{size:.0f} MB of JSON Lines, into PostgreSQL database {NAME}"
        )
        runs = [
            ("first import, 1 process", 1, "created"),
            (f"first import, {workers} processes", workers, "created"),
            ("unchanged, 1 process", 1, "unchanged"),
        ]
        for label, processes, expected in runs:
            _time_import(path, count, label, processes, expected)
        # Records with posted results are the largest; their import is timed on its own.
        results_count = min(count, RESULTS_COUNT)
        path = Path(tmp) / "results.jsonl"
        real = write_records(path, folder, results_count, only_results=True)
        size = path.stat().st_size / 1e6
        print(
            f"{results_count:,} records with posted results ({real} real ones, repeated), "
            f"{size:.0f} MB of JSON Lines"
        )
        _time_import(path, results_count, "first import, 1 process", 1, "created")
        _time_import(path, results_count, "unchanged, 1 process", 1, "unchanged")
    print(
        f"  stored: {Trial.objects.count():,} trials, {Location.objects.count():,} sites, "
        f"{TrialResults.objects.count():,} with results; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )


def _time_import(path: Path, count: int, label: str, processes: int, expected: str) -> None:
    """Import the records at `path` (into emptied tables for a first import), print the speed."""
    from django.db import connection

    from trials import importer
    from trials.models import Condition, ConditionGroup, Trial

    if expected == "created" and Trial.objects.exists():
        tables = [m._meta.db_table for m in (Trial, Condition, ConditionGroup)]
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    database = _backend_cpu_seconds() if processes == 1 else None
    started, cpu = time.perf_counter(), _cpu_seconds()
    counts = importer.import_paths([path], workers=processes)
    elapsed, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    if counts.failed or getattr(counts, expected) != count:
        raise BenchError(f"{label}: {counts}")
    line = (
        f"  {label:<28}{count / elapsed:>8,.0f} records/s  ({elapsed:.1f} s; CPU: "
        f"importer {cpu * 1000 / count:.2f} ms a record"
    )
    after = _backend_cpu_seconds() if database is not None else None
    if database is not None and after is not None:
        line += f", PostgreSQL {(after - database) * 1000 / count:.2f} ms a record"
    print(line + ")", flush=True)


def _backend_cpu_seconds() -> float | None:
    """CPU time of this connection's PostgreSQL backend, when the server runs on this machine."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_seconds() -> float:
    """CPU time of this process and of the worker processes it has waited for."""
    mine = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + workers.ru_utime + workers.ru_stime


if __name__ == "__main__":
    main(run)
