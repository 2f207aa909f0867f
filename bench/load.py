# ruff: noqa: S603, S608 - a developer tool: fixed commands, SQL of our own
"""Patients browsing under load, with everything up and with Redis stopped (`make bench-load`).

Builds (or, with --reuse, keeps) a PostgreSQL database of --size trials as `make bench-search`
does, serves it with gunicorn as in production (3 workers) on a Redis of the benchmark's own,
and runs locust (bench/locustfile.py) with --users simulated patients for --minutes, twice:

- "up": everything up;
- "redis-stop": the same, with Redis stopped halfway through and started again (empty) at
  three quarters.

For each run it prints requests per second, p50/p95/p99 per page type and the error count
(responses of 400 and over, and failed connections), overall and per phase.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg

from bench.common import (
    DEFAULT_RECORDS,
    PROJECT,
    BenchError,
    free_port,
    main,
    run_in,
    site_env,
)
from bench.search import percentile, prepare, wait_for

PAGES = ["home", "search", "trial", "history", "condition index", "condition"]


def run(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--size", type=int, default=100_000, help="Trials in the database.")
    parser.add_argument("--users", type=int, default=50, help="Simulated patients.")
    parser.add_argument("--minutes", type=float, default=10, help="Length of each run.")
    parser.add_argument("--runs", default="up,redis-stop", help="Which runs, in order.")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers.")
    parser.add_argument("--records", default=str(DEFAULT_RECORDS))
    parser.add_argument("--reuse", action="store_true", help="Keep an existing database.")
    options = parser.parse_args(argv)
    if not shutil.which("redis-server"):
        raise BenchError("redis-server is not installed (apt-get install -y redis-server).")
    name = f"bench_search_{options.size}"  # the same database `make bench-search` builds
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        redis = Redis(tmp)
        env = site_env(name, redis.url, ALLOWED_HOSTS="127.0.0.1,localhost")
        run_in(dict(os.environ), "manage.py", "collectstatic", "--no-input", "-v0")
        started = time.monotonic()
        prepare(name, options.size, Path(options.records), env, options.reuse)
        print(f"== {options.size:,} trials ({name}, ready in {time.monotonic() - started:.0f} s)")
        sample = tmp / "sample.json"
        sample.write_text(json.dumps(pick_sample(env["DATABASE_URL"])))
        for kind in [r for r in options.runs.split(",") if r]:
            redis.start()
            try:
                load_run(kind, options, env, sample, redis, tmp)
            finally:
                redis.stop()


def pick_sample(url: str) -> dict:
    with psycopg.connect(url) as conn:
        trials = [
            row[0]
            for row in conn.execute(
                "SELECT nct_id FROM trials_trial WHERE is_published ORDER BY random() LIMIT 5000"
            )
        ]
        groups = [row[0] for row in conn.execute("SELECT slug FROM trials_conditiongroup")]
    if not trials or not groups:
        raise BenchError("The database holds no published trials or condition groups.")
    return {"trials": trials, "groups": groups}


def load_run(kind, options, env, sample: Path, redis: "Redis", tmp: Path) -> None:
    port = free_port(os.environ.get("BENCH_PORTS", "8111-8119"))
    base = f"http://127.0.0.1:{port}"
    log = tmp / f"{kind}.tsv"
    seconds = int(options.minutes * 60)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi"]
        + ["-w", str(options.workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        env=env,
        cwd=PROJECT,
        stderr=(tmp / f"{kind}-gunicorn.log").open("w"),
    )
    phases = [("all", 0, seconds)]
    try:
        wait_for(f"{base}/health/live/")
        locust = subprocess.Popen(
            [str(Path(sys.executable).parent / "locust"), "-f", "bench/locustfile.py"]
            + ["--headless", "--users", str(options.users), "--spawn-rate", "10"]
            + ["--run-time", f"{seconds}s", "--host", base, "--only-summary"]
            + ["--loglevel", "WARNING", "--stop-timeout", "5"],
            env={**env, "BENCH_LOAD_LOG": str(log), "BENCH_LOAD_SAMPLE": str(sample)},
            cwd=PROJECT,
            stdout=subprocess.DEVNULL,
            stderr=(tmp / f"{kind}-locust.log").open("w"),
        )
        began = time.time()
        if kind == "redis-stop":
            stop, back = seconds // 2, seconds * 3 // 4
            phases += [
                ("before", 0, stop),
                ("Redis stopped", stop, back),
                ("after restart", back, seconds),
            ]
            threading.Timer(stop, redis.stop).start()
            threading.Timer(back, redis.start).start()
        locust.wait(timeout=seconds + 120)
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(kind, options, log, began, phases, tmp / f"{kind}-gunicorn.log")


def report(kind, options, log: Path, began: float, phases, server_log: Path) -> None:
    rows = []
    for line in log.read_text().splitlines():
        at, name, status, ms = line.split("\t")
        rows.append((float(at) - began, name, int(status), float(ms)))
    print(
        f"\n-- run “{kind}”: {options.users} patients, {options.minutes:g} min, gunicorn "
        f"{options.workers} workers, on this machine's 2 shared cores --"
    )
    for phase, start, end in phases:
        chosen = [r for r in rows if start <= r[0] < end]
        if not chosen:
            continue
        errors = sum(1 for r in chosen if r[2] >= 400 or r[2] == 0)
        server_errors = sum(1 for r in chosen if r[2] >= 500)
        print(
            f"{phase} ({start:.0f}-{end:.0f} s): {len(chosen) / max(1, end - start):.1f} req/s, "
            f"{len(chosen)} requests, {errors} errors ({server_errors} 5xx)"
        )
        print(f"  {'page':<16}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
        for page in PAGES:
            times = [r[3] for r in chosen if r[1] == page]
            if not times:
                continue
            failed = sum(1 for r in chosen if r[1] == page and (r[2] >= 400 or r[2] == 0))
            print(
                f"  {page:<16}{len(times):>9}{percentile(times, 50):>9.0f}"
                f"{percentile(times, 95):>9.0f}{percentile(times, 99):>9.0f}{failed:>8}"
            )
    warnings = [line for line in server_log.read_text().splitlines() if "cache" in line.lower()]
    if warnings:
        print(f"  server log, lines about the cache ({len(warnings)}):")
        for line in warnings[:6]:
            print(f"    {line[:160]}")


class Redis:
    """A redis-server of the benchmark's own, on a free port, that it stops and starts."""

    def __init__(self, tmp: Path):
        self.port = free_port(os.environ.get("BENCH_REDIS_PORTS", "6390-6399"))
        self.dir = tmp
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", self.port, "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
        )
        time.sleep(0.5)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


if __name__ == "__main__":
    main(run)
