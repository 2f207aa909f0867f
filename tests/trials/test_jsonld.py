import json
import re

import pytest

from trials.seo import json_for_script

from .conftest import SITE_EMAIL, SITE_PHONE, STUDY_EMAIL, STUDY_PHONE

pytestmark = pytest.mark.django_db


def jsonld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def test_the_trial_page_describes_a_medical_trial(client, example_trial):
    [data] = jsonld(client.get("/trials/NCT07509034/").content.decode())
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "MedicalTrial"
    assert data["identifier"] == "NCT07509034"
    assert data["name"] == "Engineered immune cells take aim at deadly lung cancer"
    assert data["description"].startswith("This early-phase trial")
    assert data["status"] == "https://schema.org/Recruiting"
    assert data["phase"] == "Phase 1"
    assert data["healthCondition"] == [
        {
            "@type": "MedicalCondition",
            "name": "Small Cell Lung Carcinoma",
            "alternateName": "small cell lung cancer",
        }
    ]
    assert data["sponsor"] == {"@type": "Organization", "name": "National Cancer Institute (NCI)"}
    [site] = data["studyLocation"]
    assert site["name"] == "National Institutes of Health Clinical Center"
    assert site["address"]["addressLocality"] == "Bethesda"
    assert site["geo"]["latitude"] == 38.99


def test_it_holds_no_contact_details(client, example_trial):
    html = client.get("/trials/NCT07509034/").content.decode()
    [data] = jsonld(html)
    text = json.dumps(data)
    for secret in (STUDY_PHONE, STUDY_EMAIL, SITE_PHONE, SITE_EMAIL, "Dr. Study", "telephone"):
        assert secret not in text
    assert "email" not in text.lower()


def test_registry_text_cannot_break_out_of_the_block(client, example_trial):
    example_trial.headline = '</script><script>alert(1)</script><!-- & "quotes"'
    example_trial.save()
    html = client.get("/trials/NCT07509034/").content.decode()
    assert "</script><script>alert(1)" not in html
    [data] = jsonld(html)
    assert data["name"] == '</script><script>alert(1)</script><!-- & "quotes"'


def test_json_for_script_escapes_markup_characters():
    assert json_for_script({"a": "<b>&</b>"}) == '{"a":"\\u003cb\\u003e\\u0026\\u003c/b\\u003e"}'
