"""The registrant's words on a trial page link their first glossary word to the glossary."""

import re

import pytest

from trials.models import Trial

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
LINK = re.compile(r'<a class="glossary-link" href="/glossary/#([^"]+)">')


def main(client, nct_id):
    response = client.get(f"/trials/{nct_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


@pytest.fixture
def registry_trial(db):
    return Trial.objects.create(
        nct_id="NCT00000011",
        is_published=True,
        brief_title="A Double-Blind Placebo Study",
        registry_summary="A randomized, double-blind study of a placebo and a biopsy.",
        eligibility_criteria=(
            "Inclusion Criteria:\n\n* ECOG performance status 0-1\n* Prior biopsy\n\n"
            "Exclusion Criteria:\n\n* Pregnant or breastfeeding\n* Placebo allergy"
        ),
        interventions=[
            {
                "type": "DRUG",
                "name": "Placebo",
                "description": "A placebo tablet taken orally once a day.",
                "other_names": [],
            }
        ],
    )


def test_first_uses_link_to_the_glossary_once_each(client, registry_trial):
    html = main(client, registry_trial.nct_id)
    anchors = LINK.findall(html)
    assert anchors[:4] == ["randomized", "double-blind", "placebo", "biopsy"]
    assert len(anchors) == len(set(anchors))
    assert {"ecog-performance-status", "breastfeeding", "orally"} <= set(anchors)
    assert '<span class="visually-hidden"> (glossary)</span>' in html


def test_the_title_and_intervention_names_are_not_linked(client, registry_trial):
    html = main(client, registry_trial.nct_id)
    title = html[html.index("<h1") : html.index("</h1>")]
    assert "glossary-link" not in title
    assert "<h3>Placebo</h3>" in html


def test_interventions_show_in_the_registrants_words(client, registry_trial):
    html = main(client, registry_trial.nct_id)
    section = html[html.index('id="treatments-and-tests"') :]
    assert "Drug" in section
    assert "tablet taken" in section


def test_an_editors_summary_is_not_linked(client, example_trial):
    html = main(client, example_trial.nct_id)
    ours = html[html.index('id="summary"') : html.index("In the registrant’s words")]
    assert "This early-phase trial tests" in ours
    assert "glossary-link" not in ours


def test_hostile_registry_text_stays_escaped_around_links(client, db):
    Trial.objects.create(
        nct_id="NCT00000012",
        is_published=True,
        brief_title=XSS,
        registry_summary=f"{XSS} placebo {XSS}",
        eligibility_criteria=f"Inclusion Criteria:\n* {XSS} biopsy\n* {XSS}",
        interventions=[{"type": "DRUG", "name": XSS, "description": f"{XSS} orally"}],
    )
    html = main(client, "NCT00000012")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html
    assert LINK.findall(html) == ["placebo", "orally", "biopsy"]  # in page order


def test_the_registrants_summary_beside_ours_is_linked_too(client, registry_trial):
    registry_trial.plain_summary = "This study tests a dummy pill against nothing."
    registry_trial.save()
    html = main(client, registry_trial.nct_id)
    summary = html[html.index('id="summary"') : html.index("</section>")]
    ours = summary[: summary.index("In the registrant’s words")]
    theirs = summary[summary.index("In the registrant’s words") :]
    assert "glossary-link" not in ours
    assert LINK.findall(theirs) == ["randomized", "double-blind", "placebo", "biopsy"]
