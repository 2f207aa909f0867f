import importlib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from trials import importer
from trials.models import Condition, Location, Trial
from trials.search import haversine_miles, nearby_trials

from .ctgov import SHARED
from .search_data import BETHESDA, BOSTON, LOS_ANGELES, card_ids, make_trial, site_at

pytestmark = pytest.mark.django_db

# The weighted fields, stemming, "Did you mean" and the index plans are PostgreSQL's; SQLite (for
# trying the site out) has a simpler match behind the same interface, with quotes, minus and a
# rank that puts titles and conditions first.
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text search"
)


def titles(client, query: str) -> list[str]:
    response = client.get(f"/trials/?{query}")
    assert response.status_code == 200
    return re.findall(
        r'class="trial-card__title"><a href="[^"]+">([^<]+)</a>', response.content.decode()
    )


@pytest.fixture
def asthma_trials(db):
    make_trial(
        "NCT00000010",
        headline="Inhaled steroid for children with asthma",
        conditions=["Asthma"],
        registry_summary="A trial of an inhaled steroid.",
    )
    make_trial(
        "NCT00000011",
        headline="Exercise and breathing",
        registry_summary="People with asthma and healthy adults exercise on a bike.",
    )
    make_trial("NCT00000012", headline="Heart failure clinic visits", conditions=["Heart Failure"])


def test_a_condition_search_finds_the_trials_listing_it_best_first(client, asthma_trials):
    assert titles(client, "q=asthma") == [
        "Inhaled steroid for children with asthma",  # condition and headline
        "Exercise and breathing",  # only mentioned in the summary
    ]


def test_it_searches_registrant_terms_mesh_terms_interventions_sponsor_and_keywords(client, db):
    make_trial("NCT00000020", headline="A", registrant_conditions=["Sickle cell anemia"])
    make_trial("NCT00000021", headline="B", mesh_terms=[{"id": "D003920", "term": "Diabetes"}])
    make_trial("NCT00000022", headline="C", interventions=[{"type": "DRUG", "name": "Metformin"}])
    make_trial("NCT00000023", headline="D", sponsor="Mayo Clinic")
    make_trial("NCT00000024", headline="E", keywords=["telehealth"])
    assert titles(client, "q=sickle+cell") == ["A"]
    assert titles(client, "q=diabetes") == ["B"]
    assert titles(client, "q=metformin") == ["C"]
    assert titles(client, "q=mayo") == ["D"]
    assert titles(client, "q=telehealth") == ["E"]


@postgresql_only
def test_it_leaves_intervention_descriptions_and_ids_out_of_the_search(client, db):
    make_trial(
        "NCT00000025",
        headline="Pill study",
        interventions=[
            {"type": "DRUG", "name": "Aspirin", "description": "Taken with orange juice"}
        ],
        mesh_terms=[{"id": "D001241", "term": "Pain"}],
    )
    assert titles(client, "q=aspirin") == ["Pill study"]
    assert titles(client, "q=orange+juice") == []
    assert titles(client, "q=D001241") == []


def test_it_understands_quotes_and_minus(client, db):
    make_trial("NCT00000030", headline="Lung cancer screening", registry_summary="For smokers.")
    make_trial("NCT00000031", headline="Cancer of the lung after surgery")
    make_trial("NCT00000032", headline="Cancer in the lung of non-smokers")
    assert set(titles(client, "q=lung+cancer")) == {
        "Lung cancer screening",
        "Cancer of the lung after surgery",
        "Cancer in the lung of non-smokers",
    }
    assert titles(client, 'q="lung+cancer"+-smokers') == []
    assert titles(client, 'q="lung+cancer"') == ["Lung cancer screening"]
    assert set(titles(client, "q=lung+cancer+-surgery")) == {
        "Lung cancer screening",
        "Cancer in the lung of non-smokers",
    }


def test_edits_are_searchable_at_once(client, db):
    trial = make_trial("NCT00000040", headline="Walking study")
    assert titles(client, "q=migraine") == []
    trial.registry_summary = "For people with migraine."
    trial.save()
    assert titles(client, "q=migraine") == ["Walking study"]
    Trial.objects.filter(pk=trial.pk).update(registry_summary="", keywords=["headache"])
    assert Trial.objects.search("migraine").count() == 0
    assert Trial.objects.search("headache").count() == 1


def test_linked_condition_names_are_searchable_and_follow_changes(db):
    trial = make_trial("NCT00000041", headline="A study")
    psoriasis = Condition.objects.create(name="Psoriasis")
    trial.conditions.add(psoriasis)
    assert list(Trial.objects.search("psoriasis")) == [trial]
    psoriasis.name = "Eczema"
    psoriasis.save()
    assert list(Trial.objects.search("eczema")) == [trial]
    assert list(Trial.objects.search("psoriasis")) == []
    trial.conditions.clear()
    assert list(Trial.objects.search("eczema")) == []
    psoriasis.trials.add(trial)
    assert list(Trial.objects.search("eczema")) == [trial]
    psoriasis.trials.clear()
    assert list(Trial.objects.search("eczema")) == []


def test_drafts_are_never_found(client, db):
    make_trial("NCT00000042", headline="Hidden asthma study", is_published=False)
    assert titles(client, "q=asthma") == []


def test_an_nct_id_goes_straight_to_the_trial(client, example_trial):
    for q in ("NCT07509034", "nct07509034", "  Nct07509034 "):
        response = client.get("/trials/", {"q": q})
        assert response.status_code == 302
        assert response["Location"] == "/trials/NCT07509034/"


def test_an_unknown_nct_id_is_searched_and_found_empty(client, example_trial):
    response = client.get("/trials/", {"q": "NCT99999999"})
    assert response.status_code == 200
    assert "No trials match this search" in response.content.decode()


def test_a_draft_nct_id_does_not_redirect_the_public(client, example_trial):
    example_trial.is_published = False
    example_trial.save()
    assert client.get("/trials/", {"q": "NCT07509034"}).status_code == 200


def test_a_misspelled_condition_shows_the_trials_of_the_closest_term(client, asthma_trials):
    html = client.get("/trials/", {"q": "asthmaa"}).content.decode()
    assert "No trials match “asthmaa”. Showing trials for <strong>asthma</strong>" in html
    assert titles(client, "q=asthmaa") == titles(client, "q=asthma")
    html = client.get("/trials/", {"q": "hart failur"}).content.decode()
    assert "Showing trials for <strong>heart failure</strong>" in html
    assert titles(client, "q=hart+failur") == ["Heart failure clinic visits"]


def test_no_suggestion_when_the_search_finds_trials(client, asthma_trials):
    html = client.get("/trials/", {"q": "asthma"}).content.decode()
    assert "Showing trials for" not in html and "asthma" in html


def test_the_sqlite_match_keeps_the_same_interface(db, settings, monkeypatch):
    make_trial("NCT00000050", headline="Knee pain", conditions=["Osteoarthritis"])
    make_trial("NCT00000051", headline="Hip pain")
    monkeypatch.setattr("trials.wordsearch.is_postgresql", lambda: False)
    found = Trial.objects.search("osteoarthritis pain")
    assert [t.nct_id for t in found] == ["NCT00000050"]
    assert [t.nct_id for t in Trial.objects.search('"pain" -knee')] == ["NCT00000051"]
    assert list(Trial.objects.search("---")) == []
    make_trial("NCT00000052", headline="CAR-T cells for small cell lung cancer")
    make_trial("NCT00000053", headline="Non-small cell lung cancer")
    make_trial("NCT00000054", headline="Asthma")
    assert [t.nct_id for t in Trial.objects.search("lung cancer -non-small")] == ["NCT00000052"]
    assert [t.nct_id for t in Trial.objects.search("CAR-T")] == ["NCT00000052"]
    either = {t.nct_id for t in Trial.objects.search("asthma OR osteoarthritis")}
    assert either == {"NCT00000050", "NCT00000054"}


@pytest.mark.parametrize("query", ["", "q=cancer", "zip=20892&distance=100", "sort=newest"])
def test_list_queries_do_not_grow_with_page_size_or_sites(
    client, db, query, django_assert_max_num_queries
):
    def add(start: int, count: int, sites: int):
        for n in range(start, start + count):
            make_trial(
                f"NCT{n:08d}",
                headline=f"Cancer study {n}",
                conditions=["Cancer", f"Condition {n}"],
                groups=["Solid tumors"],
                sites=[site_at(BETHESDA, city=f"City {s}") for s in range(sites)],
            )

    add(100, 2, 1)
    # A word search reads the open trials first, then the rest (one more); on PostgreSQL two
    # more around it set and reset the planner's options.
    words = "q=" in query
    cap = 6 + (1 if words else 0) + (2 if words and connection.vendor == "postgresql" else 0)
    with django_assert_max_num_queries(cap):
        small = client.get(f"/trials/?{query}").content.decode()
    assert small.count('class="trial-card"') == 2
    add(200, 25, 30)
    client.get("/robots.txt")
    with django_assert_max_num_queries(cap):
        big = client.get(f"/trials/?{query}&page=1").content.decode()
    assert big.count('class="trial-card"') == 20
    assert Location.objects.count() == 2 + 25 * 30


def test_past_the_limit_the_page_says_there_are_more_and_lists_the_limit(client, db, monkeypatch):
    monkeypatch.setattr("trials.search.RESULT_LIMIT", 3)
    for n in range(5):
        make_trial(f"NCT0000070{n}", headline=f"Gout study {n}")
    html = client.get("/trials/?q=gout").content.decode()
    assert "More than 3 trials matching “gout”" in html
    assert "We list the first 3 we find" in html
    assert len(card_ids(html)) == 3
    plain = client.get("/trials/").content.decode()  # no words: counted up to the limit too
    assert "More than 3 trials" in plain and len(card_ids(plain)) == 3


def test_within_the_limit_the_count_is_exact_and_says_nothing_more(client, db, monkeypatch):
    monkeypatch.setattr("trials.search.RESULT_LIMIT", 3)
    for n in range(3):
        make_trial(f"NCT0000071{n}", headline=f"Gout study {n}")
    html = client.get("/trials/?q=gout").content.decode()
    assert "3 trials matching “gout”" in html and "More than" not in html
    assert "We list the first" not in html


def test_pages_of_a_search_follow_each_other_without_gaps_or_repeats(client, db):
    for n in range(45):
        make_trial(
            f"NCT{800 + n:08d}",
            headline=f"Gout study {n}",
            last_updated_at=f"2026-01-{1 + n % 28:02d}T00:00:00Z",
        )
    seen = []
    for page in (1, 2, 3):
        seen += card_ids(client.get(f"/trials/?q=gout&sort=updated&page={page}").content.decode())
    assert len(seen) == 45 == len(set(seen))
    updated = dict(Trial.objects.values_list("nct_id", "last_updated_at"))
    assert [updated[n] for n in seen] == sorted((updated[n] for n in seen), reverse=True)


def test_relevance_orders_the_found_matches_best_first(client, db):
    make_trial("NCT00000720", headline="Other", registry_summary="Mentions gout once.")
    make_trial("NCT00000721", headline="Gout", conditions=["Gout"])
    make_trial("NCT00000722", headline="Gout and gout", registrant_conditions=["Gout"])
    found = card_ids(client.get("/trials/?q=gout").content.decode())
    assert found[-1] == "NCT00000720"  # only in the summary: last
    assert set(found[:2]) == {"NCT00000721", "NCT00000722"}


def plan(sql: str, params) -> str:
    with connection.cursor() as cursor:  # inside the test's transaction: SET LOCAL ends with it
        # Small test tables: ask for an index wherever one fits (and for its order).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgresql_only
def test_the_queries_are_the_shapes_the_indexes_answer(db):
    """The expression indexes of migration 0004 match the queries as the code spells them."""
    make_trial("NCT00000730", headline="Gout", status="RECRUITING", sites=[site_at(BETHESDA)])
    listed = Trial.objects.published().sorted_by("updated").for_cards()[:20]
    assert "trial_listed_updated_idx" in plan(*listed.query.sql_with_params())
    newest = Trial.objects.published().sorted_by("newest").for_cards()[:20]
    assert "trial_listed_newest_idx" in plan(*newest.query.sql_with_params())
    with CaptureQueriesContext(connection) as executed:
        nearby_trials(Location.objects, *BETHESDA, 50)
    assert "location_globe_idx" in plan(executed.captured_queries[0]["sql"], None)


@postgresql_only
def test_a_word_search_reads_only_the_statuses_chosen_and_tests_open_ones_on_the_row(client, db):
    """A query that cannot match (closed trials, when only recruiting ones are wanted) would
    still read every match of the words to find that out; and a choice among open statuses
    is read off the rows the open trials' word index finds, not intersected with a status
    index (docs/search-performance.md)."""
    make_trial("NCT00000760", headline="Gout study", status="RECRUITING")
    make_trial("NCT00000761", headline="Gout study", status="COMPLETED")

    def reads(query: str) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/trials/?q=gout&{query}")
        return [q["sql"] for q in queries if "to_tsquery" in q["sql"]]

    (recruiting,) = reads("status=recruiting")
    assert 'LOWER("trials_trial"."status") IN (\'recruiting\')' in recruiting
    assert 'NOT ("trials_trial"."status" IN' not in recruiting
    (completed,) = reads("status=completed")
    assert 'NOT ("trials_trial"."status" IN' in completed
    assert "LOWER(" not in completed  # closed statuses go through the index that holds them
    assert len(reads("")) == 2  # open trials, then the rest


@postgresql_only
def test_open_trials_are_searched_through_their_own_word_index(client, db):
    """Migration 0017's index holds the open trials' words alone, for the statuses the ranking
    reads first, so a search among open trials intersects no status lists."""
    from trials.choices import Status

    module = importlib.import_module("trials.migrations.0017_open_trials_search_index")
    assert "(" + ", ".join(f"'{s}'" for s in Status.open_to_patients()) + ")" == module.OPEN
    make_trial("NCT00000750", headline="Gout study", status="RECRUITING")
    with CaptureQueriesContext(connection) as queries:
        client.get("/trials/?q=gout")
    first = next(q["sql"] for q in queries if "to_tsquery" in q["sql"])
    with connection.cursor() as cursor:
        # Which index a table this small is read through is the planner's guess: with the
        # others gone (until the test's transaction ends), the query must fit this one.
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'trials_trial' "
            "AND indexname <> 'trial_open_search_idx' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        others = [name for (name,) in cursor.fetchall()]
        cursor.execute("DROP INDEX " + ", ".join(f'"{name}"' for name in others))
    assert "trial_open_search_idx" in plan(first, None)
    recruiting = Trial.objects.published().filter(status="RECRUITING").search("gout").order_by()
    assert "trial_open_search_idx" in plan(*recruiting.query.sql_with_params())


def test_nearby_trials_are_the_hand_computed_distances(db):
    here = make_trial("NCT00000740", sites=[site_at(BETHESDA), site_at(BOSTON)])
    make_trial("NCT00000741", sites=[site_at(LOS_ANGELES)])
    make_trial("NCT00000742", sites=[{"city": "Nowhere"}])  # no coordinates
    found = nearby_trials(Location.objects, 39.0024, -77.1034, 500)
    assert found.distances == {
        here.pk: pytest.approx(haversine_miles(39.0024, -77.1034, *BETHESDA), abs=1e-6)
    }
    assert found.complete
    few = nearby_trials(Location.objects, 39.0024, -77.1034, 3000, sites=2)
    assert not few.complete and set(few.distances) == {here.pk}  # both nearest sites are its


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_a_word_search_reads_its_matches_through_the_word_index(client, db):
    make_trial("NCT00000801", headline="Gout study")
    with CaptureQueriesContext(connection) as queries:
        assert "Gout study" in client.get("/trials/?q=gout").content.decode()
    sqls = [query["sql"] for query in queries]
    # The open trials, then the rest: both read between switching the walks off and on again.
    reads = [n for n, sql in enumerate(sqls) if "to_tsquery" in sql]
    assert len(reads) == 2 and reads[1] == reads[0] + 1
    assert "'off'" in sqls[reads[0] - 1] and "'on'" in sqls[reads[1] + 1]  # for these alone
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "on"
        cursor.execute(sqls[reads[0] - 1])
        plans = []
        for at in reads:
            cursor.execute("EXPLAIN " + sqls[at])
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
        cursor.execute(sqls[reads[1] + 1])
    # Which index a table this small is read through is the planner's guess; at 500,000 trials
    # it is the full-text index (docs/search-performance.md). Never a walk of the table.
    for plan in plans:
        assert "Bitmap Heap Scan on trials_trial" in plan and "Seq Scan" not in plan


def test_a_trial_is_found_by_the_headline_written_from_its_facts(client, db):
    make_trial(
        "NCT00000060",
        brief_title="CBT-I delivered digitally",
        generated_headline="An app to help with insomnia",
    )
    make_trial("NCT00000061", brief_title="Sleep hygiene leaflet")
    assert [t.nct_id for t in Trial.objects.search("insomnia")] == ["NCT00000060"]
    assert titles(client, "q=app+insomnia") == ["An app to help with insomnia"]
    # An import rewrites it with update(), past save(): the search follows.
    Trial.objects.filter(nct_id="NCT00000060").update(generated_headline="A sleep course online")
    assert list(Trial.objects.search("insomnia")) == []
    assert [t.nct_id for t in Trial.objects.search("course")] == ["NCT00000060"]


def test_the_simple_match_finds_the_written_headline_too(db, monkeypatch):
    make_trial(
        "NCT00000062",
        brief_title="CBT-I delivered digitally",
        generated_headline="An app to help with insomnia",
    )
    make_trial("NCT00000063", brief_title="Insomnia diary", generated_headline="Watching sleep")
    monkeypatch.setattr("trials.wordsearch.is_postgresql", lambda: False)
    assert [t.nct_id for t in Trial.objects.search("app insomnia")] == ["NCT00000062"]
    assert [t.nct_id for t in Trial.objects.search('"help with insomnia"')] == ["NCT00000062"]


def test_an_imported_trial_is_found_by_the_words_on_its_card(client, db):
    importer.import_paths([SHARED / "NCT04040387.json"])
    trial = Trial.objects.get(nct_id="NCT04040387")
    headline = trial.generated_headline
    assert headline.lower() not in f"{trial.brief_title} {trial.official_title}".lower()
    response = client.get("/trials/", {"q": f'"{headline}"'})
    assert escape(headline) in response.content.decode()
    assert [t.nct_id for t in Trial.objects.search(f'"{headline}"')] == ["NCT04040387"]
