"""The plain-language text written from registry records (`make bench-plain`).

Over every record in --records (the real ClinicalTrials.gov records by default): how many
trials get a headline, a summary and “What this could mean”; how hard the summaries are to read
(Flesch-Kincaid US school grade: median, 90th percentile, share at grade 8 or below); how many
sentences the summaries have; the longest sentence; the share of trials whose MeSH condition
terms all have an everyday name in our table; the reading grade of the lines “What the study
found” writes from posted results (each line graded as the page shows it, the registry's
quoted titles left out); and the time to write the text for 1,000 trials (the importer does
this for each record it stores). No database is needed.
"""

import argparse
import collections
import json
import statistics
import time
from pathlib import Path

from .common import DEFAULT_RECORDS, BenchError, main, setup_django


def run(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.plain", description=__doc__)
    parser.add_argument("--records", default=str(DEFAULT_RECORDS), help="Folder of NCT*.json.")
    parser.add_argument("--rounds", type=int, default=5, help="Timed rounds (the median counts).")
    options = parser.parse_args(argv)
    paths = sorted(Path(options.records).glob("NCT*.json"))
    if not paths:
        raise BenchError(f"No NCT*.json records in {options.records} (--records).")
    setup_django()
    measure(paths, options.rounds)


def measure(paths: list[Path], rounds: int) -> None:
    from plain.facts import design_from_record, facts_from_mapping
    from plain.names import has_everyday_name
    from plain.results import summarise
    from plain.writer import sentences as sentences_of
    from plain.writer import write, written_fields
    from trials.importer import map_study
    from trials.importer.records import RecordError
    from trials.readability import reading_grade
    from trials.results.mapping import map_results

    mapped = []
    for path in paths:
        record = json.loads(path.read_text())
        try:
            mapped.append((record, map_study(record)))
        except RecordError as error:
            print(f"skipped {path.name}: {error}")
    texts = [
        write(facts_from_mapping(study.facts, design_from_record(record), study.locations))
        for record, study in mapped
    ]

    def timed() -> float:
        start = time.perf_counter()
        for record, study in mapped:
            written_fields(record, study.facts, study.locations)
        return time.perf_counter() - start

    seconds = statistics.median(timed() for _ in range(rounds))
    per_thousand_ms = seconds / len(mapped) * 1000 * 1000

    total = len(texts)
    grades = sorted(reading_grade(t.summary) for t in texts if t.summary)
    sentences = [
        sentence
        for t in texts
        for part in (t.summary, t.could_lead_to, t.could_go_wrong)
        for sentence in sentences_of(part)
    ]
    longest = max(sentences, key=lambda s: len(s.split()))
    summary_sentences = [len(sentences_of(t.summary)) for t in texts if t.summary]
    found_grades = sorted(
        grade
        for record, study in mapped
        if study.results is not None
        for line in summarise(map_results(record), status=study.facts["status"]).sentences()
        if (grade := reading_grade(line)) is not None
    )
    with_mesh = [
        [m["term"] for m in study.facts["mesh_terms"] if m.get("type") != "ancestor"]
        for _, study in mapped
    ]
    with_mesh = [terms for terms in with_mesh if terms]
    named = sum(all(has_everyday_name(term) for term in terms) for terms in with_mesh)

    def share(count: int, of: int) -> str:
        return f"{count / of:.1%} ({count} of {of})" if of else "n/a"

    print(f"records: {total}")
    print(f"with a generated headline: {share(sum(bool(t.headline) for t in texts), total)}")
    print(f"with a generated summary: {share(sum(bool(t.summary) for t in texts), total)}")
    reading = sum(bool(t.could_lead_to and t.could_go_wrong) for t in texts)
    print(f"with “What this could mean”: {share(reading, total)}")
    substance = sum(bool(t.active_substance) for t in texts)
    print(f"  of them naming an active substance: {share(substance, total)}")
    easy = share(sum(g <= 8 for g in grades), len(grades))
    print(
        f"summary reading grade (Flesch-Kincaid): median {statistics.median(grades):.1f}, "
        f"90th percentile {grades[int(0.9 * (len(grades) - 1))]:.1f}, "
        f"highest {grades[-1]:.1f}, at grade 8 or below {easy}"
    )
    fitting = sum(3 <= n <= 5 for n in summary_sentences)
    print(
        f"sentences per summary: median {statistics.median(summary_sentences):.0f}, "
        f"most {max(summary_sentences)}, three to five {share(fitting, len(summary_sentences))}"
    )
    counted = collections.Counter(summary_sentences)
    print("  " + ", ".join(f"{n}: {counted[n]}" for n in sorted(counted)))
    print(f"longest sentence: {len(longest.split())} words: “{longest}”")
    headline = max((len(t.headline) for t in texts), default=0)
    print(f"longest headline: {headline} characters")
    print(
        f"trials whose MeSH terms all have an everyday name: {share(named, len(with_mesh))}"
        f"; {total - len(with_mesh)} trials have no MeSH terms"
    )
    if found_grades:
        with_results = sum(study.results is not None for _, study in mapped)
        print(
            f"“What the study found” ({with_results} trials, {len(found_grades)} lines): reading "
            f"grade median {statistics.median(found_grades):.1f}, 90th percentile "
            f"{found_grades[int(0.9 * (len(found_grades) - 1))]:.1f}"
        )
    print(
        f"time to write: {per_thousand_ms:.0f} ms per 1,000 trials "
        f"({per_thousand_ms / 1000:.2f} ms a trial; median of {rounds} rounds)"
    )


if __name__ == "__main__":
    main(run)
