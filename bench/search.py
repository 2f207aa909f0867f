# ruff: noqa: S603, S607, S608 - a developer tool: fixed commands, SQL built from our own names
"""Build PostgreSQL databases of registry size and time the finding pages (`make bench-search`).

How the data is made: the real ClinicalTrials.gov records in --records are loaded once through
trials.importer, then multiplied in SQL with INSERT … SELECT over generate_series: each copy
gets a new NCT ID, a status drawn at random (weighted like the registry: mostly completed, a
fifth recruiting), jittered dates, and its sites' coordinates moved by up to ±0.05° (about 3
miles). Copies keep
their source's text, conditions, condition groups, sites and study-level contacts, so the search
vector is copied too (the trigger is paused while copying).
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from .common import (
    DEFAULT_RECORDS,
    PG,
    PROJECT,
    BenchError,
    create_database,
    database_exists,
    free_port,
    main,
    run_in,
    setup_django,
    site_env,
)

REDIS = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/7")
KEYWORDS = ["diabetes", "breast cancer", "asthma", "hypertension", "depression", "hiv", "stroke"]
# What browsers send: every page is timed as a browser would receive it.
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"
ZIPS = ["10001", "60601", "94110", "77030", "02115", "20892", "98101", "33136"]
STATUS_WEIGHTS = [
    ("COMPLETED", 45),
    ("RECRUITING", 20),
    ("UNKNOWN", 12),
    ("NOT_YET_RECRUITING", 6),
    ("ACTIVE_NOT_RECRUITING", 6),
    ("TERMINATED", 6),
    ("WITHDRAWN", 3),
    ("ENROLLING_BY_INVITATION", 2),
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,500000")
    parser.add_argument("--records", default=str(DEFAULT_RECORDS))
    parser.add_argument("--requests", type=int, default=40, help="Timed requests per page.")
    parser.add_argument("--wrk-seconds", type=int, default=4, help="Seconds per wrk run.")
    parser.add_argument("--wrk-rounds", type=int, default=3, help="Turns each page takes.")
    parser.add_argument(
        "--reuse", action="store_true", help="Keep an existing database (migrated first)."
    )
    parser.add_argument(
        "--pages-only", action="store_true", help="Only the cached pages' throughput."
    )
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--load-records", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.measure:
        setup_django()
        measure(options.requests)
        return
    if options.load_records:
        setup_django()
        print(f"loaded {load_records(Path(options.load_records))} real records")
        return
    # Production settings serve hashed static names: the manifest must exist.
    run_in(dict(os.environ), "manage.py", "collectstatic", "--no-input", "-v0")
    for size in [int(s) for s in options.sizes.split(",") if s]:
        name = f"bench_search_{size}"
        env = site_env(name, REDIS, ALLOWED_HOSTS="127.0.0.1,localhost,testserver")
        started = time.monotonic()
        prepare(name, size, Path(options.records), env, options.reuse)
        built = time.monotonic() - started
        print(f"\n== {size:,} trials ({name}, built in {built:.0f} s) ==", flush=True)
        if not options.pages_only:
            run_in(env, "-m", "bench.search", "--measure", "--requests", str(options.requests))
        throughput(env, options.wrk_seconds, options.wrk_rounds)


# Building -------------------------------------------------------------------------------


def prepare(name: str, size: int, records: Path, env: dict, reuse: bool) -> None:
    """Build the database, or bring one kept from an earlier run (`reuse`) to the current
    schema, with its statistics brought up to date after the rows a migration rewrote (only
    then: a vacuum just before measuring slows the first minutes of requests)."""
    if not (reuse and database_exists(name)):
        build(name, size, records, env)
        return
    if run_in(env, "manage.py", "migrate", "--check", "-v0", check=False):
        return  # nothing to apply
    run_in(env, "manage.py", "migrate", "-v0")
    with psycopg.connect(f"{PG}/{name}", autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def build(name: str, size: int, records: Path, env: dict) -> None:
    create_database(name)
    run_in(env, "manage.py", "migrate", "-v0")
    run_in(env, "-m", "bench.search", "--load-records", str(records))
    with psycopg.connect(f"{PG}/{name}", autocommit=True) as conn:
        multiply(conn, size)


# Measuring (runs inside the bench database's settings) ----------------------------------


def measure(requests: int) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from trials.models import Trial

    rng = random.Random(4)
    client = Client()
    nct_ids = list(Trial.objects.published().order_by("?").values_list("nct_id", flat=True)[:500])
    n = requests
    pages = {
        "list page": lambda i: f"/trials/?page={1 + i % 5}",
        "keyword search": lambda i: f"/trials/?q={KEYWORDS[i % len(KEYWORDS)]}",
        "keyword + 2 filters": lambda i: (
            f"/trials/?q={KEYWORDS[i % len(KEYWORDS)]}&status=recruiting&age={30 + i % 40}"
        ),
        "ZIP within 50 miles": lambda i: f"/trials/?zip={ZIPS[i % len(ZIPS)]}&distance=50",
        "trial page": lambda i: f"/trials/{rng.choice(nct_ids)}/",
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM trials_location")
        locations = cursor.fetchone()[0]
    print(
        f"{Trial.objects.count():,} trials, {locations:,} sites; {n} requests per page "
        "through django.test.Client (cold: cache emptied before each; warm: repeated), after "
        f"{len(KEYWORDS)} untimed ones (a process's first use of a page, and the database's "
        "first read of a word's rows since the last benchmark filled its buffers)"
    )
    print(f"{'page':<22}{'cold p50':>10}{'cold p95':>10}{'warm p50':>10}{'warm p95':>10}")
    for label, url in pages.items():
        for i in range(len(KEYWORDS)):
            cache.clear()
            timed(client, url(i))
        cold, warm = [], []
        for i in range(n):
            cache.clear()
            path = url(i)
            cold.append(timed(client, path))
            warm.append(timed(client, path))
        print(
            f"{label:<22}"
            + "".join(
                f"{percentile(values, p):>8.1f}ms" for values in (cold, warm) for p in (50, 95)
            )
        )
    sys.stdout.flush()


# Throughput ------------------------------------------------------------------------------


# What a cached page must serve, with gzip, against /robots.txt in the same run.
GOALS = {"trial page": 0.7, "list": 0.5, "search": 0.5}
REVALIDATED = "trial page, revalidated (304)"


def throughput(env: dict, seconds: int, rounds: int) -> None:
    """Cached pages against /robots.txt in one gunicorn run: the trial page with the most
    sites, the list and a search, with gzip and without, and the trial page asked again with
    its ETag (what a proxy or CDN revalidating gets)."""
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install -y wrk): no throughput run.")
        return
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        nct_id, sites = conn.execute(
            "SELECT t.nct_id, count(*) FROM trials_trial t JOIN trials_location l "
            "ON l.trial_id = t.id WHERE t.is_published GROUP BY t.id "
            "ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    port = free_port(os.environ.get("BENCH_PORTS", "8105-8110"))
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "-w", "2"]
        + ["-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        env=env,
        cwd=PROJECT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/robots.txt")
        targets = {
            "/robots.txt": "/robots.txt",
            f"trial page ({sites} sites)": f"/trials/{nct_id}/",
            "list": "/trials/",
            "search (q=breast cancer)": "/trials/?q=breast+cancer&status=recruiting",
        }
        for path in targets.values():
            subprocess.run(["curl", "-sf", "-o", "/dev/null", base + path], check=True)
        etag = etag_of(f"{base}/trials/{nct_id}/")
        # The machine is shared: rates drift from one second to the next, so the pages take
        # turns, round after round, and each is compared with /robots.txt in its own round.
        ratios: dict[tuple[str, str], list[float]] = {}
        rates: dict[tuple[str, str], list[float]] = {}
        for _ in range(rounds):
            for encodings in (BROWSER_ENCODINGS, ""):
                measured = {
                    label: wrk(base + path, seconds, encodings) for label, path in targets.items()
                }
                if encodings and etag:
                    url = base + f"/trials/{nct_id}/"
                    measured[REVALIDATED] = wrk(url, seconds, encodings, f"If-None-Match: {etag}")
                for label, rate in measured.items():
                    rates.setdefault((label, encodings), []).append(rate)
                    ratios.setdefault((label, encodings), []).append(rate / measured["/robots.txt"])
        print(
            f"gunicorn (2 workers) + wrk ({rounds} rounds of {seconds} s per page, 2 threads, "
            "8 connections), medians; with Accept-Encoding: "
            f"{BROWSER_ENCODINGS} (as browsers send) / without:"
        )
        for label in [label for label in [*targets, REVALIDATED] if (label, "") in rates or etag]:
            row = f"  {label:<30}"
            for e in (BROWSER_ENCODINGS, ""):
                if (label, e) in rates:
                    row += f"{statistics.median(rates[label, e]):>9.0f} req/s "
                    row += f"{statistics.median(ratios[label, e]):.2f}×"
            goal = GOALS.get(label.split(" (")[0])
            if goal:
                met = statistics.median(ratios[label, BROWSER_ENCODINGS]) >= goal
                row += f"   goal {goal}× with gzip: {'met' if met else 'MISSED'}"
            print(row)
    finally:
        server.terminate()
        server.wait(timeout=20)


def etag_of(url: str) -> str:
    """The page's ETag, or "" if it has none."""
    command = [
        "curl",
        "-sf",
        "-o",
        "/dev/null",
        "-D",
        "-",
        "-H",
        f"Accept-Encoding: {BROWSER_ENCODINGS}",
    ]
    head = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    for line in head.splitlines():
        name, _, value = line.partition(":")
        if name.lower() == "etag":
            return value.strip()
    return ""  # pages served without validators: no revalidation to time


def timed(client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path, headers={"Accept-Encoding": BROWSER_ENCODINGS})
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code not in (200, 302):
        raise BenchError(f"{path} answered {response.status_code}")
    return elapsed


def wait_for(url: str) -> None:
    for _ in range(100):
        if subprocess.run(["curl", "-sf", "-o", "/dev/null", url], check=False).returncode == 0:
            return
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer {url}")


def wrk(url: str, seconds: int, encodings: str = BROWSER_ENCODINGS, *headers: str) -> float:
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", url]
    if encodings:
        command += ["-H", f"Accept-Encoding: {encodings}"]
    for header in headers:
        command += ["-H", header]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise BenchError(f"wrk printed no rate:\n{out}")


def multiply(conn, size: int) -> None:
    """Copy the loaded real trials until there are `size`, in SQL."""
    (base,) = conn.execute("SELECT count(*) FROM trials_trial").fetchone()
    if base == 0:
        raise BenchError("No records were loaded.")
    copies = max(0, size - base)
    print(f"multiplying {base} real trials into {size:,} …", flush=True)
    columns = [
        row[0]
        for row in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'trials_trial' "
            "AND column_name NOT IN ('id', 'nct_id', 'status', 'last_updated_at', "
            "'first_submitted_on', 'first_seen_at') ORDER BY ordinal_position"
        )
    ]
    statuses = (
        "ARRAY["
        + ",".join(f"'{status}'" for status, weight in STATUS_WEIGHTS for _ in range(weight))
        + "]"
    )
    cols = ", ".join(columns)
    src_cols = ", ".join(f"s.{c}" for c in columns)
    conn.execute("ALTER TABLE trials_trial DISABLE TRIGGER trials_trial_search_vector_insert")
    conn.execute(
        "CREATE TEMP TABLE src AS "
        "SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM trials_trial"
    )
    chunk = 50_000
    done = 0
    while done < copies:
        n = min(chunk, copies - done)
        conn.execute(
            f"""
            CREATE TEMP TABLE batch AS
            SELECT g AS n, (SELECT id FROM src WHERE k = g % {base}) AS src_id
            FROM generate_series({done}, {done + n - 1}) AS g;
            INSERT INTO trials_trial (nct_id, status, last_updated_at, first_submitted_on,
                                      first_seen_at, {cols})
            SELECT 'NCT' || lpad((60000000 + b.n)::text, 8, '0'),
                   ({statuses})[1 + floor(random() * 100)::int],
                   s.last_updated_at - random() * interval '900 days',
                   s.first_submitted_on - (random() * 2000)::int,
                   s.first_seen_at - random() * interval '900 days',
                   {src_cols}
            FROM batch b JOIN trials_trial s ON s.id = b.src_id;
            CREATE TEMP TABLE new_ids AS
            SELECT t.id AS new_id, b.src_id FROM batch b
            JOIN trials_trial t ON t.nct_id = 'NCT' || lpad((60000000 + b.n)::text, 8, '0');
            INSERT INTO trials_location (trial_id, position, facility, city, state, postal_code,
                                         country, status, latitude, longitude)
            SELECT m.new_id, l.position, l.facility, l.city, l.state, l.postal_code, l.country,
                   l.status,
                   CASE WHEN l.latitude IS NULL THEN NULL
                        ELSE greatest(-90, least(90, l.latitude + (random() - 0.5) * 0.1)) END,
                   CASE WHEN l.longitude IS NULL THEN NULL
                        ELSE greatest(-180, least(180, l.longitude + (random() - 0.5) * 0.1)) END
            FROM new_ids m JOIN trials_location l ON l.trial_id = m.src_id;
            INSERT INTO trials_contact (trial_id, location_id, position, role, name, phone,
                                        phone_extension, email)
            SELECT m.new_id, NULL, c.position, c.role, c.name, c.phone, c.phone_extension, c.email
            FROM new_ids m JOIN trials_contact c ON c.trial_id = m.src_id AND c.location_id IS NULL;
            INSERT INTO trials_trial_conditions (trial_id, condition_id)
            SELECT m.new_id, c.condition_id FROM new_ids m
            JOIN trials_trial_conditions c ON c.trial_id = m.src_id;
            INSERT INTO trials_trial_groups (trial_id, conditiongroup_id)
            SELECT m.new_id, c.conditiongroup_id FROM new_ids m
            JOIN trials_trial_groups c ON c.trial_id = m.src_id;
            DROP TABLE batch; DROP TABLE new_ids;
            """
        )
        done += n
        print(f"  {base + done:,} trials", flush=True)
    conn.execute("ALTER TABLE trials_trial ENABLE TRIGGER trials_trial_search_vector_insert")
    conn.execute("VACUUM ANALYZE")


def load_records(folder: Path) -> int:
    """Load the real API v2 records through the importer, all published."""
    from trials import importer
    from trials.models import Trial

    counts = importer.import_paths(sorted(folder.glob("*.json")))
    if counts.failures:
        raise BenchError(f"{counts.failed} records failed, first: {counts.failures[0]}")
    Trial.objects.update(is_published=True)
    return Trial.objects.count()


if __name__ == "__main__":
    main(run)
