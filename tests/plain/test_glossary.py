import re
import tomllib
from collections import Counter

import pytest

from plain import glossary
from plain.glossary import entries, is_abbreviation
from trials.readability import reading_grade

pytestmark = pytest.mark.django_db

REQUIRED = [
    "phase 1",
    "placebo",
    "randomized",
    "double-blind",
    "cohort",
    "ECOG performance status",
    "metastatic",
    "refractory",
    "relapse",
    "biopsy",
    "CAR T-cell therapy",
    "monoclonal antibody",
    "informed consent",
]


def test_the_glossary_explains_at_least_300_words_including_the_essentials():
    names = {entry.name for entry in entries()}
    assert len(names) >= 300
    assert not [name for name in REQUIRED if name not in names]


def test_the_data_file_is_well_formed():
    data = tomllib.loads(glossary.DATA.read_text(encoding="utf-8"))
    for term in data["term"]:
        assert set(term) <= {"name", "also", "means"}, term
        assert term["name"] == term["name"].strip() and term["name"], term
        assert all(form == form.strip() and form for form in term.get("also", [])), term
        means = term["means"]
        assert means == " ".join(means.split()), term["name"]
        assert means[0].isupper() and means.endswith("."), term["name"]
        sentences = re.findall(r"[.!?](?:\s|$)", means)
        assert 1 <= len(sentences) <= 2, term["name"]


def test_every_form_finds_one_entry_only():
    owners = Counter()
    for entry in entries():
        for form in entry.forms():
            owners[form if is_abbreviation(form) else form.casefold()] += 1
    assert [form for form, count in owners.items() if count > 1] == []


def test_anchors_are_unique():
    slugs = [entry.slug for entry in entries()]
    assert len(slugs) == len(set(slugs))
    assert all(slugs)


def test_explanations_read_at_grade_8_or_below_on_the_whole():
    grades = sorted(reading_grade(entry.means) for entry in entries())
    assert grades[len(grades) // 2] <= 6.5
    assert grades[int(len(grades) * 0.8)] <= 8
    assert grades[-1] <= 10


def test_variants_find_the_one_entry():
    forms = {entry.name: entry.forms() for entry in entries()}
    assert {"double blind", "double blinded"} <= forms["double-blind"]
    assert {"biopsies", "randomised"} <= forms["biopsy"] | forms["randomized"]
    assert "tumour" in forms["tumor"]


def test_the_page_lists_every_entry_under_its_letter(client):
    response = client.get("/glossary/")
    assert response.status_code == 200
    html = response.content.decode()
    for entry in entries():
        assert f'id="{entry.slug}"' in html
    assert '<a href="#letter-p">P</a>' in html
    section = html[html.index('id="letter-p"') : html.index('id="letter-q"')]
    assert 'id="placebo"' in section
    assert "<dfn>placebo</dfn>" in section
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_the_page_is_the_same_for_everyone_and_cached(client, django_assert_num_queries):
    first = client.get("/glossary/")
    with django_assert_num_queries(0):
        second = client.get("/glossary/")
    assert first.content == second.content
    assert client.post("/glossary/").status_code == 405


def test_every_page_links_the_glossary_from_its_footer(client):
    html = client.get("/").content.decode()
    footer = html[html.index('<footer class="site-footer">') :]
    assert 'href="/glossary/"' in footer
