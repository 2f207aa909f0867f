"""How well search finds what patients mean (`make bench-relevance`).

Imports the real registry records in ../shared/data/ctgov/ into a fresh database (PostgreSQL
`bench_relevance` by default, or a SQLite file with --sqlite), asks the search page each query
in bench/relevance.toml as a visitor would, and compares its first ten results with the trials
a careful reader judged relevant. Prints, per query and overall:

- recall@10: relevant trials among the first 10 results ÷ min(10, number judged relevant);
- precision@10: relevant trials among the first 10 results ÷ results shown there (at most 10);
  a query that finds nothing scores 0;
- open first: whether the first result is a relevant trial people can join (recruiting, not
  yet recruiting or enrolling by invitation), counted over the queries where one is relevant.
"""

import argparse
import os
import re
import tempfile
import tomllib
from pathlib import Path
from statistics import mean

from bench.common import DEFAULT_RECORDS, BenchError, create_database, main, setup_django, site_env
from trials.nct import NCT_ID

JUDGEMENTS = Path(__file__).resolve().parent / "relevance.toml"
NAME = "bench_relevance"
TOP = 10
CARD = re.compile(rf'class="trial-card__title"><a href="/trials/({NCT_ID})/')


def run_benchmark(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true", help="use a SQLite file, not PostgreSQL")
    parser.add_argument("--records", default=str(DEFAULT_RECORDS), help="API v2 records")
    parser.add_argument("--judgements", default=str(JUDGEMENTS))
    parser.add_argument("--quiet", action="store_true", help="print the totals only")
    args = parser.parse_args(argv)
    if not Path(args.records).is_dir():
        raise BenchError(f"{args.records} is not a folder of API v2 records (--records).")
    with tempfile.TemporaryDirectory() as tmp:
        env = site_env(NAME, "locmemcache://", ALLOWED_HOSTS="testserver")
        if args.sqlite:
            env["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'relevance.sqlite3'}"
        else:
            create_database(NAME)
        os.environ.update(env)
        setup_django()
        run(args)


def run(args) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from trials import importer
    from trials.choices import Status
    from trials.models import Trial

    call_command("migrate", "--no-input", verbosity=0)
    counts = importer.import_paths([args.records])
    queries = tomllib.loads(Path(args.judgements).read_text())["query"]
    statuses = dict(Trial.objects.values_list("nct_id", "status"))
    open_now = set(Status.open_to_patients())
    client = Client()

    recalls, precisions, open_first, open_possible = [], [], 0, 0
    lines = []
    for query in queries:
        relevant = set(query["relevant"])
        response = client.get("/trials/", {"q": query["text"]})
        found = CARD.findall(response.content.decode())[:TOP]
        hits = [nct_id in relevant for nct_id in found]
        recall = sum(hits) / min(TOP, len(relevant))
        precision = sum(hits) / len(found) if found else 0.0
        recalls.append(recall)
        precisions.append(precision)
        can_open = any(statuses.get(nct_id) in open_now for nct_id in relevant)
        first_open = bool(found) and hits[0] and statuses.get(found[0]) in open_now
        if can_open:
            open_possible += 1
            open_first += first_open
        mark = ("yes" if first_open else "NO") if can_open else "-"
        lines.append(
            f"{query['text'][:28]:<28} {query['kind'][:18]:<18} {len(relevant):>4} "
            f"{len(found):>5} {recall:>6.2f} {precision:>6.2f} {mark:>5}"
        )
    print(
        f"{connection.vendor}: {counts.created} trials, {len(queries)} queries "
        f"({Path(args.judgements).name})"
    )
    if not args.quiet:
        print(f"{'query':<28} {'kind':<18} {'rel':>4} {'shown':>5} {'R@10':>6} {'P@10':>6} open1")
        print("\n".join(lines))
    print(f"recall@10    {mean(recalls):.3f}")
    print(f"precision@10 {mean(precisions):.3f}")
    print(f"open trial first: {open_first} of {open_possible} queries where one is relevant")


if __name__ == "__main__":
    main(run_benchmark)
