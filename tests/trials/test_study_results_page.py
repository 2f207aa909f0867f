"""“What the study found” on the trial page, over every shared record with posted results."""

import html as htmlmod
import json
import re
import statistics

import pytest

from plain.results import summarise
from trials import importer
from trials.models import Trial
from trials.readability import READING_GRADE_TARGET, reading_grade
from trials.results.mapping import map_results, registry_words

from .ctgov import SHARED, write
from .search_data import card_ids

pytestmark = pytest.mark.django_db

WITH_RESULTS = sorted(p for p in SHARED.glob("NCT*.json") if '"resultsSection"' in p.read_text())
WITHOUT_RESULTS = [SHARED / f"{n}.json" for n in ("NCT05584540", "NCT04040387", "NCT05365607")]
SERIOUS = re.compile(
    r'<li><span class="side-effects__group">(?P<group>[^<]*)</span>: '
    r'<span class="side-effects__count">(?P<affected>\d+) of (?P<at_risk>\d+) '
)


def main(client, nct_id: str) -> str:
    response = client.get(f"/trials/{nct_id}/")
    assert response.status_code == 200
    text = response.content.decode()
    return text[text.index("<main") : text.index("</main>")]


def section(html: str) -> str:
    start = html.index('<section aria-labelledby="what-the-study-found"')
    return html[start : html.index("</section>", start)]


def test_every_shared_record_with_results_shows_what_it_found(client):
    counts = importer.import_paths(WITH_RESULTS + WITHOUT_RESULTS)
    assert (counts.created, counts.failed) == (len(WITH_RESULTS) + len(WITHOUT_RESULTS), 0)
    problems = []
    for path in WITH_RESULTS:
        record = json.loads(path.read_text())
        html = section(main(client, path.stem))
        outcomes = record["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
        for outcome in outcomes:
            if outcome["type"] == "PRIMARY" and outcome.get("reportingStatus") != "NOT_POSTED":
                title = htmlmod.escape(registry_words(outcome["title"]), quote=True)
                if f"<h4>{title}</h4>" not in html:
                    problems.append(f"{path.stem}: primary outcome {outcome['title']!r} missing")
        groups = record["resultsSection"]["adverseEventsModule"]["eventGroups"]
        expected = [
            (g["title"], g["seriousNumAffected"], g["seriousNumAtRisk"])
            for g in groups
            if g.get("seriousNumAtRisk")
        ]
        shown = [
            (htmlmod.unescape(m["group"]), int(m["affected"]), int(m["at_risk"]))
            for m in SERIOUS.finditer(html)
        ]
        if shown != expected:
            problems.append(f"{path.stem}: serious side effects {shown} != {expected}")
        if "Read the full results on ClinicalTrials.gov" not in html:
            problems.append(f"{path.stem}: no link to the full results")
    assert not problems, "\n".join(problems)


def test_trials_without_results_show_nothing_of_it(client):
    importer.import_paths(WITHOUT_RESULTS)
    for path in WITHOUT_RESULTS:
        html = main(client, path.stem)
        assert "What the study found" not in html
        assert "side-effects" not in html


def test_the_section_reads_as_a_lay_summary_in_order(client):
    importer.import_paths([SHARED / "NCT02945046.json"])
    html = section(main(client, "NCT02945046"))
    order = [
        "Written automatically from the results posted on ClinicalTrials.gov",
        ">Who took part<",
        "169 people took part.",
        "128 of 169 people (76%) finished the study.",
        ">What each group was given<",
        ">The main results<",
        "the study reported a p-value of 0.9093.",
        "It estimated a difference of -0.1, with a 95% confidence interval of -2.72 to 2.42.",
        ">Side effects<",
        ">Serious side effects<",
        "5 of 59 people (8%)",
        ">Why the study stopped early<",
        ">What the numbers mean<",
        'href="/glossary/#confidence-interval">Confidence interval</a>',
        'href="/glossary/#p-value">P-value</a>',
        "Read the full results on ClinicalTrials.gov",
    ]
    positions = [html.find(marker) for marker in order]
    assert -1 not in positions, [m for m, p in zip(order, positions, strict=True) if p < 0]
    assert positions == sorted(positions)
    assert 'href="https://clinicaltrials.gov/study/NCT02945046?tab=results"' in html


def test_an_editors_words_win_over_the_written_ones(client):
    importer.import_paths([SHARED / "NCT03608150.json"])
    Trial.objects.filter(nct_id="NCT03608150").update(
        plain_results="Children who used the headset saw a little better after 12 weeks."
    )
    html = section(main(client, "NCT03608150"))
    assert "Written by our editors" in html
    assert "Children who used the headset saw a little better" in html
    assert "Written automatically" not in html
    assert "Read the full results on ClinicalTrials.gov" in html


def test_no_contact_details_reach_the_page(client, tmp_path):
    record = json.loads((SHARED / "NCT00329836.json").read_text())
    point = record["resultsSection"]["moreInfoModule"]["pointOfContact"]
    record["resultsSection"]["moreInfoModule"]["limitationsAndCaveats"] = {
        "description": "Small study. Questions: study.team@example.org or 215-555-0147."
    }
    importer.import_paths([write(tmp_path, "a.json", record)])
    html = main(client, "NCT00329836")
    assert "Small study." in html
    for value in (point["email"], point["phone"], "study.team@example.org", "215-555-0147"):
        assert value not in html


def test_results_text_is_escaped(client, tmp_path):
    record = json.loads((SHARED / "NCT00329836.json").read_text())
    outcome = record["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"][0]
    outcome["title"] = "<script>alert(1)</script>Allodynia"
    importer.import_paths([write(tmp_path, "a.json", record)])
    html = main(client, "NCT00329836")
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Allodynia" in html


def test_the_written_sentences_read_at_grade_8_or_below():
    grades = []
    for path in WITH_RESULTS:
        record = json.loads(path.read_text())
        status = record["protocolSection"]["statusModule"]["overallStatus"]
        for sentence in summarise(map_results(record), status=status).sentences():
            grade = reading_grade(sentence)
            if grade is not None:
                grades.append(grade)
    assert len(grades) > 500
    assert statistics.median(grades) <= READING_GRADE_TARGET
    # Long lists of values are lists, a line each, not one long sentence.
    assert sorted(grades)[int(0.9 * (len(grades) - 1))] <= READING_GRADE_TARGET + 1


def test_many_values_are_listed_a_line_each_under_the_group(client):
    importer.import_paths([SHARED / "NCT03107052.json"])
    html = section(main(client, "NCT03107052"))
    assert (
        "<li>In the Fremanezumab 225 mg Monthly group (144 people):<ul>"
        "<li>Any AEs: 87 of 144 people (60%)</li><li>Treatment-related AEs: 26 of 144 people (18%)"
    ) in html
    assert (
        '<div class="study-results__left">People left for these reasons:<ul>'
        "<li>121 gave the reason “Study terminated due to futility”</li>"
        "<li>34 found the treatment did not work well enough</li>"
    ) in html
    assert (
        "<li>Nasopharyngitis<ul><li>16 of 144 people (11%) in the Fremanezumab 225 mg Monthly "
        "group</li>"
    ) in html


def test_the_page_reads_results_in_one_query_more(client, django_assert_max_num_queries):
    importer.import_paths([SHARED / "NCT03608150.json", SHARED / "NCT05584540.json"])
    main(client, "NCT05584540")  # warm up anything loaded once per process
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(20) as without:
        main(client, "NCT05584540")
    cache.clear()
    with django_assert_max_num_queries(20) as with_results:
        main(client, "NCT03608150")
    assert len(with_results.captured_queries) == len(without.captured_queries) + 1


def test_the_has_results_filter_and_the_card_mark(client):
    importer.import_paths([SHARED / "NCT03608150.json", SHARED / "NCT01406860.json"])
    importer.import_paths(WITHOUT_RESULTS)
    listing = client.get("/trials/?results=on").content.decode()
    shown = card_ids(listing)
    assert sorted(shown) == ["NCT01406860", "NCT03608150"]
    assert 'id="id_results" checked' in listing
    assert listing.count("Results posted</span>") == 2

    everything = client.get("/trials/").content.decode()
    cards = re.findall(r'<article class="trial-card">.*?</article>', everything, re.S)
    assert len(cards) == 5
    marked = [card for card in cards if "Results posted" in card]
    assert len(marked) == 2 and all("NCT03608150" in c or "NCT01406860" in c for c in marked)

    words = client.get("/trials/?q=amblyopia&results=on").content.decode()
    assert card_ids(words) == ["NCT03608150"]
    none = client.get("/trials/?q=zzzzunknownword&results=on").content.decode()
    assert "Include trials without posted results" in none


def test_a_study_no_one_finished_says_so():
    record = json.loads((SHARED / "NCT06094296.json").read_text())
    lay = summarise(map_results(record), status="TERMINATED")
    assert lay.participants[:2] == ["1 person took part.", "No one finished the study."]
    assert lay.stopped_early.startswith("The study stopped early.")


def test_editors_write_what_the_study_found_in_the_admin(admin_client):
    importer.import_paths([SHARED / "NCT03608150.json"])
    trial = Trial.objects.get(nct_id="NCT03608150")
    response = admin_client.get(f"/admin/trials/trial/{trial.pk}/change/")
    assert response.status_code == 200
    assert 'name="plain_results"' in response.content.decode()
    assert "What the study found" in response.content.decode()
