# ruff: noqa: S603, S608 - a developer tool: fixed commands, SQL built from our own names
"""Time the ClinicalTrials.gov import on PostgreSQL (`make bench-import`).

Builds a fresh `bench_import` database, writes --count records as JSON Lines (the real records
in --records, repeated with new NCT IDs until there are enough; compact, as the API sends them),
and imports them through trials.importer: into the empty database with one process, again
(emptied) with --workers processes, then the same records once more, which must all come out
unchanged. Prints records per second for each.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

PG = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
NAME = "bench_import"
DEFAULT_RECORDS = Path(settings.BASE_DIR).parent / "shared" / "data" / "ctgov"


class Command(BaseCommand):
    help = "Import records into a fresh PostgreSQL database and print records per second."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=5000)
        parser.add_argument("--records", default=str(DEFAULT_RECORDS))
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--measure", action="store_true", help="(run inside the database)")

    def handle(self, *args, count, records, workers, measure, **options):
        if measure:
            return self.measure(count, Path(records), workers)
        if not Path(records).is_dir():
            raise CommandError(f"{records} is not a folder of API v2 records (--records).")
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{NAME}"')
            conn.execute(f'CREATE DATABASE "{NAME}"')
        env = {
            **os.environ,
            "DATABASE_URL": f"{PG}/{NAME}".replace("postgresql://", "postgres://"),
            "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "locmemcache://"),
            "DEBUG": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-a-secret"),
            "LOG_LEVEL": "WARNING",
        }
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--no-input", "-v0"], env=env, check=True)
        subprocess.run(
            [*manage, "bench_import", "--measure", "--count", str(count), "--records", records]
            + ["--workers", str(workers)],
            env=env,
            check=True,
        )
        return None

    def measure(self, count: int, folder: Path, workers: int) -> None:
        from django.db import connection

        from trials import importer
        from trials.models import Location, Trial

        sources = [json.loads(path.read_text()) for path in sorted(folder.glob("NCT*.json"))]
        if not sources:
            raise CommandError(f"No NCT*.json records in {folder}.")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "studies.jsonl"
            with path.open("w", encoding="utf-8") as out:
                for n in range(count):
                    study = sources[n % len(sources)]
                    if n >= len(sources):  # a copy under a new NCT ID
                        ident = study["protocolSection"]["identificationModule"]
                        study = {**study, "protocolSection": {**study["protocolSection"]}}
                        study["protocolSection"]["identificationModule"] = {
                            **ident,
                            "nctId": f"NCT6{n:07d}",
                        }
                    out.write(json.dumps(study, ensure_ascii=False, separators=(",", ":")))
                    out.write("\n")
            size = path.stat().st_size / 1e6
            self.stdout.write(
                f"{count:,} records ({len(sources)} real ones, repeated under new NCT IDs), "
                f"{size:.0f} MB of JSON Lines, into PostgreSQL database {NAME}"
            )
            runs = [
                ("first import, 1 process", 1, "created"),
                (f"first import, {workers} processes", workers, "created"),
                ("unchanged, 1 process", 1, "unchanged"),
            ]
            for label, processes, expected in runs:
                if expected == "created" and Trial.objects.exists():
                    with connection.cursor() as cursor:
                        cursor.execute(
                            "TRUNCATE trials_trial, trials_condition, trials_conditioncategory "
                            "CASCADE"
                        )
                database = _backend_cpu_seconds() if processes == 1 else None
                started, cpu = time.perf_counter(), _cpu_seconds()
                counts = importer.import_paths([path], workers=processes)
                elapsed, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
                if counts.failed or getattr(counts, expected) != count:
                    raise CommandError(f"{label}: {counts}")
                line = (
                    f"  {label:<28}{count / elapsed:>8,.0f} records/s  ({elapsed:.1f} s; CPU: "
                    f"importer {cpu * 1000 / count:.2f} ms a record"
                )
                after = _backend_cpu_seconds() if database is not None else None
                if database is not None and after is not None:
                    line += f", PostgreSQL {(after - database) * 1000 / count:.2f} ms a record"
                self.stdout.write(line + ")")
                self.stdout.flush()
        self.stdout.write(
            f"  stored: {Trial.objects.count():,} trials, {Location.objects.count():,} sites; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )


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
    import resource

    mine = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + workers.ru_utime + workers.ru_stime
