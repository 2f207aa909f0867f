"""Conditions are shown by the names patients use; the medical and registrant terms stay too."""

import re

import pytest

from trials.models import Condition, Trial

pytestmark = pytest.mark.django_db


def main(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_the_trial_page_names_conditions_in_everyday_words(client, example_trial):
    html = main(client, "/trials/NCT07509034/")
    section = html[html.find(">Conditions<") : html.find("As listed by the trial registrant")]
    assert "Small cell lung cancer" in section
    assert "(medical name: Small Cell Lung Carcinoma)" in section


def test_the_medical_name_is_not_repeated_when_it_is_the_everyday_name(client, example_trial):
    example_trial.conditions.set([Condition.objects.create(name="Asthma")])
    html = main(client, "/trials/NCT07509034/")
    section = html[html.find(">Conditions<") : html.find("As listed by the trial registrant")]
    assert re.search(r"<li>Asthma</li>", section)
    assert "(medical name" not in section


def test_cards_list_conditions_in_everyday_words(client, example_trial, solid_tumors):
    disc = Condition.objects.create(name="Intervertebral Disc Displacement")
    example_trial.conditions.add(disc)
    for path in ("/trials/", f"/conditions/{solid_tumors.slug}/", "/"):
        html = main(client, path)
        card = html[html.find('class="trial-card__conditions"') :]
        card = card[: card.find("</p>")]
        assert "Slipped (herniated) disc" in card, path
        assert "Small cell lung cancer" in card, path
        assert "Intervertebral" not in card, path


def test_a_term_the_table_lacks_is_named_by_the_rule_and_escaped(client, example_trial):
    hostile = Condition.objects.create(name="Carcinoma, <script>alert(1)</script> Cell")
    renal = Condition.objects.create(name="Carcinoma, Renal Cell")
    example_trial.conditions.set([hostile, renal])
    html = main(client, "/trials/NCT07509034/")
    assert "Renal cell cancer" in html
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


def test_the_registrants_terms_are_kept_as_entered(client, example_trial):
    html = main(client, "/trials/NCT07509034/")
    terms = html[html.find("As listed by the trial registrant") :]
    assert "<li>small cell lung carcinoma</li>" in terms
    assert Trial.objects.get().registrant_conditions[2] == "small cell lung carcinoma"
