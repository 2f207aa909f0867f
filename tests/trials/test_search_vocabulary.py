"""Search reads what patients type through the vocabulary: everyday words, abbreviations both
ways, British spellings and the MeSH tree. These run on PostgreSQL and on SQLite alike
(DATABASE_URL=sqlite://:memory: make test)."""

import pytest
from django.contrib.auth.models import Group, User

from trials.models import Synonym, Trial
from trials.synonyms import _names_said, current_vocabulary
from trials.vocabulary import Term, Vocabulary

from .search_data import found, make_trial

pytestmark = pytest.mark.django_db


def test_everyday_words_find_the_records_words(client, vocabulary):
    make_trial(
        "NCT00001001",
        brief_title="Surgery compared",
        conditions=["Intervertebral Disc Displacement"],
    )
    make_trial(
        "NCT00001002",
        brief_title="Exercise after surgery",
        registrant_conditions=["Lumbar Disc Herniation"],
    )
    make_trial(
        "NCT00001003", brief_title="Disc wear", conditions=["Intervertebral Disc Degeneration"]
    )
    make_trial("NCT00001004", brief_title="Venetoclax", conditions=["Leukemia, Myeloid, Acute"])
    make_trial("NCT00001005", brief_title="Rituximab", conditions=["Lymphoma, Follicular"])
    assert sorted(found(client, "slipped disc")) == ["NCT00001001", "NCT00001002"]
    assert sorted(found(client, "blood cancer")) == ["NCT00001004", "NCT00001005"]


def test_abbreviations_find_the_full_name_and_the_full_name_finds_them(client, vocabulary):
    make_trial("NCT00001011", brief_title="Chemotherapy for acute myeloid leukemia")
    make_trial("NCT00001012", brief_title="Cells against relapsed AML")
    make_trial("NCT00001013", brief_title="Chronic lymphocytic leukemia registry")
    assert sorted(found(client, "AML")) == ["NCT00001011", "NCT00001012"]
    assert sorted(found(client, "acute myeloid leukemia")) == ["NCT00001011", "NCT00001012"]


def test_an_abbreviation_that_is_also_a_word_counts_only_in_capitals(client, vocabulary):
    make_trial("NCT00001021", brief_title="Ponatinib in acute lymphoblastic leukemia")
    make_trial("NCT00001022", brief_title="All patients with asthma")
    assert found(client, "ALL") == ["NCT00001021"]
    assert found(client, "all asthma") == ["NCT00001022"]


def test_british_and_american_spellings_find_each_other(client, vocabulary):
    make_trial("NCT00001031", brief_title="Childhood leukemia", conditions=["Leukemia"])
    make_trial(
        "NCT00001032",
        brief_title="Leukaemia observatory",
        registrant_conditions=["Chronic Lymphoid Leukaemia"],
    )
    make_trial("NCT00001033", brief_title="Brain tumor imaging")
    both = ["NCT00001031", "NCT00001032"]
    assert sorted(found(client, "leukaemia")) == both
    assert sorted(found(client, "leukemia")) == both
    assert found(client, "brain tumour") == ["NCT00001033"]
    assert found(client, "paediatric leukaemia") == ["NCT00001031"]


def test_a_parent_term_finds_trials_filed_under_its_children(client, vocabulary):
    # The registry lists each MeSH term's ancestors with it: asthma is a lung disease.
    make_trial(
        "NCT00001041",
        brief_title="Inhaler study",
        conditions=["Asthma"],
        mesh_terms=[
            {"id": "D001249", "term": "Asthma"},
            {"id": "D001982", "term": "Bronchial Diseases", "type": "ancestor"},
            {"id": "D008171", "term": "Lung Diseases", "type": "ancestor"},
        ],
    )
    make_trial("NCT00001042", brief_title="Knee pain", conditions=["Osteoarthritis"])
    assert found(client, "lung diseases") == ["NCT00001041"]
    assert found(client, "lung disease") == ["NCT00001041"]


def test_everyday_condition_names_are_part_of_the_vocabulary(client, db):
    make_trial("NCT00001051", brief_title="Nerve block", conditions=["Neuralgia, Postherpetic"])
    assert found(client, "nerve pain after shingles") == ["NCT00001051"]
    assert _names_said("slipped (herniated) disc") == ["slipped disc", "herniated disc"]
    assert _names_said("acute myeloid leukemia (AML)") == ["acute myeloid leukemia", "AML"]
    assert _names_said("melanoma (a skin cancer)") == ["melanoma"]


def test_an_editors_new_synonym_is_searchable_at_once(client, db):
    make_trial("NCT00001061", brief_title="Bone density", conditions=["Osteoporosis"])
    current_vocabulary()  # read (and cached) before the editor's change
    assert found(client, "brittle bones") == []  # this empty page is cached too
    editor = User.objects.create_user("editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    response = client.post(
        "/admin/trials/synonym/add/",
        {"said": "brittle bones", "means": "osteoporosis\nbone loss", "kind": "EVERYDAY"},
    )
    assert response.status_code == 302
    client.logout()
    assert found(client, "brittle bones") == ["NCT00001061"]
    Synonym.objects.filter(said="brittle bones").delete()
    assert found(client, "brittle bones") == []


def test_an_emptied_cache_costs_a_read_of_the_table_not_a_rebuild(db, monkeypatch):
    from django.core.cache import cache

    from trials import synonyms

    first = current_vocabulary()
    cache.clear()  # as after Redis restarts
    built = []
    monkeypatch.setattr(synonyms, "Vocabulary", lambda terms: built.append(terms) or first)
    assert current_vocabulary() is first
    assert built == []  # same terms: the vocabulary this process has serves
    Synonym.objects.create(said="brittle bones", means="osteoporosis", kind="EVERYDAY")
    current_vocabulary()
    assert len(built) == 1  # an editor's change is built in


def test_the_admin_says_what_a_synonym_lacks(admin_client, db):
    response = admin_client.post(
        "/admin/trials/synonym/add/",
        {"said": "oesophageal cancer", "means": "esophageal cancer", "kind": "SPELLING"},
    )
    assert response.status_code == 200
    assert "A spelling variant is one word spelled another way" in response.content.decode()
    response = admin_client.post(
        "/admin/trials/synonym/add/", {"said": "?!", "means": "x", "kind": "EVERYDAY"}
    )
    assert "Type at least one word or abbreviation." in response.content.decode()
    assert not Synonym.objects.filter(said__in=["oesophageal cancer", "?!"]).exists()


def test_search_syntax_is_taken_as_written(client, vocabulary):
    make_trial("NCT00001071", brief_title="Relapsed AML")
    make_trial("NCT00001072", brief_title="Acute myeloid leukemia in older people")
    assert found(client, '"AML"') == ["NCT00001071"]


def test_the_vocabulary_reads_phrases_longest_first():
    vocabulary = Vocabulary(
        [
            Term("SCLC", ("small cell lung cancer",), "ABBREVIATION", both_ways=True),
            Term("NSCLC", ("non-small cell lung cancer",), "ABBREVIATION", both_ways=True),
            Term("tumour", ("tumor",), "SPELLING", both_ways=True),
        ]
    )
    assert vocabulary.expand("non-small cell lung cancer") == [
        [("non", "small", "cell", "lung", "cancer"), ("nsclc",)]
    ]
    assert vocabulary.expand("small cell lung cancer relapse") == [
        [("small", "cell", "lung", "cancer"), ("sclc",)],
        [("relapse",)],
    ]
    assert vocabulary.expand("tumours") == [[("tumors",)]]
    assert vocabulary.spellings("tumor") == ["tumor", "tumour"]


def test_hostile_queries_are_harmless(client, vocabulary):
    make_trial("NCT00001081", brief_title="Asthma")
    for q in ["') | !(", "a & b | !c <-> d", "<script>alert(1)</script>", "🙂🙂", "x" * 200, "&&&"]:
        response = client.get("/trials/", {"q": q})
        assert response.status_code == 200
        assert "<script>alert(1)" not in response.content.decode()
    assert Trial.objects.search("asthma:*").count() == 1
