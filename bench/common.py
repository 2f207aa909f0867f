# ruff: noqa: S603 - a developer tool: fixed commands
"""What the benchmarks share: the PostgreSQL server they build databases on, the settings they
run the site with, Django set up inside a script, and a clean stop with a message."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import psycopg

PROJECT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
# The real ClinicalTrials.gov API v2 records the benchmarks load (--records to use others).
DEFAULT_RECORDS = PROJECT.parent / "shared" / "data" / "ctgov"


class BenchError(Exception):
    """Why a benchmark cannot go on, in a sentence."""


def main(run, argv=None) -> None:
    """Run a benchmark's `run(argv)`, ending with its message (and status 1) if it fails."""
    try:
        run(sys.argv[1:] if argv is None else argv)
    except BenchError as error:
        sys.exit(f"error: {error}")


def setup_django() -> None:
    """Set the site up in this process, with the settings its environment gives."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if str(PROJECT) not in sys.path:
        sys.path.insert(0, str(PROJECT))
    django.setup()


def site_env(database: str, cache_url: str, **extra: str) -> dict[str, str]:
    """The environment that runs the site on a benchmark's own database, production-like."""
    return {
        **os.environ,
        "DATABASE_URL": f"{PG}/{database}".replace("postgresql://", "postgres://"),
        "CACHE_URL": cache_url,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-a-secret"),
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def create_database(name: str) -> None:
    """A fresh, empty database `name`, dropping any left from an earlier run."""
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_exists(name: str) -> bool:
    with psycopg.connect(f"{PG}/postgres") as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def run_in(env: dict[str, str], *args: str, check: bool = True) -> bool:
    """Run `python <args>` in the project folder with this environment; stop if it fails, or
    with `check=False` say whether it succeeded."""
    done = subprocess.run([sys.executable, *args], env=env, cwd=PROJECT, check=check)
    return done.returncode == 0


def free_port(ports: str) -> str:
    """The first port of a range like 8105-8110 that nothing listens on."""
    first, _, last = ports.partition("-")
    for port in range(int(first), int(last or first) + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return str(port)
    raise BenchError(f"No free port in {ports} for gunicorn.")
