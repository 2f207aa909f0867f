import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/trials/", "/terms/", "/privacy/", "/disclaimer/"])
def test_every_page_links_the_information_pages_from_its_footer(client, example_trial, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    footer = html[html.index("<footer") :]
    for link in (
        '<a href="/terms/">Terms of use</a>',
        '<a href="/privacy/">Privacy</a>',
        '<a href="/disclaimer/">Disclaimer</a>',
    ):
        assert link in footer
    assert html.count("<h1") == 1
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html


def test_the_home_page_offers_search_groups_and_recent_trials(client, example_trial):
    html = client.get("/").content.decode()
    assert 'role="search"' in html and 'name="q"' in html
    assert 'href="/conditions/solid-tumors/"' in html
    assert "Engineered immune cells take aim at deadly lung cancer" in html


def test_the_list_is_paginated(client, example_trial):
    from trials.models import Trial

    Trial.objects.bulk_create(
        Trial(nct_id=f"NCT1{n:07d}", brief_title=f"Trial {n}", is_published=True) for n in range(45)
    )
    first = client.get("/trials/").content.decode()
    assert "46 trials" in first and "Page 1 of 3" in first
    last = client.get("/trials/?page=3").content.decode()
    assert "Page 3 of 3" in last
    assert client.get("/trials/?page=999999").status_code == 200
    assert client.get("/trials/?page=abc").status_code == 200


def test_drafts_are_not_listed(client, example_trial):
    example_trial.is_published = False
    example_trial.save()
    assert "Engineered immune cells" not in client.get("/trials/").content.decode()
    assert "Engineered immune cells" not in client.get("/").content.decode()


def test_responses_carry_a_strict_content_security_policy(client, example_trial):
    policy = client.get("/trials/NCT07509034/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


@pytest.mark.parametrize("path", ["/updates/", "/trials/NCT07509034/contact/"])
def test_reloading_a_form_address_explains_itself(client, example_trial, path):
    response = client.get(path)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    html = response.content.decode()
    assert "<h1>Nothing to show at this address</h1>" in html
    assert 'href="/trials/"' in html


def test_a_failed_csrf_check_explains_what_to_do(example_trial):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/updates/", {"email": "a@example.org"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>Please try again</h1>" in html and "Nothing was saved" in html
