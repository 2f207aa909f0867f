"""A search that finds nothing answers with the closest term that finds something, and the
condition pages to browse."""

import pytest

from trials.models import ConditionGroup, Synonym, Trial
from trials.suggest import suggest

from .search_data import card_ids, make_trial

pytestmark = pytest.mark.django_db


@pytest.fixture
def headaches(db):
    make_trial("NCT00004001", brief_title="Nerve stimulation", conditions=["Migraine Disorders"])
    make_trial("NCT00004002", brief_title="Oxygen", conditions=["Cluster Headache"])
    make_trial("NCT00004003", brief_title="Inhaler", conditions=["Asthma"])
    ConditionGroup.objects.create(name="Brain and nerves")


def test_a_misspelled_word_shows_the_trials_for_the_closest_term(client, headaches):
    html = client.get("/trials/", {"q": "migrane"}).content.decode()
    assert "No trials match “migrane”. Showing trials for <strong>migraine</strong>" in html
    assert card_ids(html) == ["NCT00004001"]
    html = client.get("/trials/", {"q": "athsma"}).content.decode()
    assert card_ids(html) == ["NCT00004003"]
    html = client.get("/trials/", {"q": "clustr headach"}).content.decode()
    assert card_ids(html) == ["NCT00004002"]


def test_a_word_from_the_vocabulary_is_suggested_too(client, headaches):
    Synonym.objects.create(said="brittle bones", means="osteoporosis")
    make_trial("NCT00004011", brief_title="Bone density", conditions=["Osteoporosis"])
    assert suggest("britle bones", Trial.objects.published()) == "brittle bones"


def test_nothing_close_leaves_condition_pages_to_browse(client, headaches):
    html = client.get("/trials/", {"q": "xylophone"}).content.decode()
    assert card_ids(html) == []
    assert "Showing trials for" not in html
    assert "Browse trials by condition" in html
    assert '<a href="/conditions/brain-and-nerves/">Brain and nerves</a>' in html


def test_no_suggestion_when_the_search_finds_trials(client, headaches):
    html = client.get("/trials/", {"q": "migraine"}).content.decode()
    assert "Showing trials for" not in html and "Browse trials by condition" not in html
    assert card_ids(html) == ["NCT00004001"]


def test_a_suggestion_keeps_the_filters(client, headaches):
    html = client.get("/trials/", {"q": "migrane", "status": "recruiting"}).content.decode()
    assert card_ids(html) == []  # the migraine trial is not recruiting
    assert "Showing trials for" not in html


def test_a_long_or_hostile_query_gets_no_suggestion(client, headaches):
    assert suggest("m" * 150, Trial.objects.published()) is None
    html = client.get("/trials/", {"q": "<b>migrane</b>"}).content.decode()
    assert "<b>migrane</b>" not in html
