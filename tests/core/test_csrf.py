"""Forms are protected by the headers browsers send (core/csrf.py), not by tokens."""

import pytest
from django.test import Client

from subscriptions.models import Subscriber
from tests.subscriptions.helpers import run_tasks

pytestmark = pytest.mark.django_db

SIGN_UP = {"email": "ada@example.org", "follow": "group", "group": "solid-tumors"}


@pytest.fixture
def group(db):
    from trials.models import ConditionGroup

    return ConditionGroup.objects.create(name="Solid tumors")


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """Post the sign-up form with these headers, then let the worker store what it was given."""

    def post(headers: dict):
        client = Client(enforce_csrf_checks=True, headers=headers)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/updates/", {**SIGN_UP, "consent": "on"})
        run_tasks()
        return response

    return post


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},  # typed or bookmarked by the person
        {"Origin": "http://testserver"},  # a browser without Fetch Metadata
        {"Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1:8000"},  # CSRF_TRUSTED_ORIGINS
    ],
)
def test_a_form_posted_from_this_site_is_accepted(group, post, headers):
    response = post(headers)
    assert response.status_code == 200
    assert Subscriber.objects.filter(email="ada@example.org").exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://other.testserver"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "null"},
        {"Origin": "https://evil.example"},
        {"Origin": "https://testserver"},  # another scheme is another origin
        {"Origin": "null"},
        {},  # no browser posts a form without saying where it came from
    ],
)
def test_a_form_posted_from_elsewhere_is_refused_and_nothing_is_saved(group, post, headers):
    response = post(headers)
    assert response.status_code == 403
    assert "<h1>Please try again</h1>" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_the_one_click_unsubscribe_takes_posts_from_anywhere(db):
    # RFC 8058: mail providers POST it from their servers; the signed link authorises.
    client = Client(enforce_csrf_checks=True, headers={"Sec-Fetch-Site": "cross-site"})
    response = client.post("/updates/unsubscribe/not-a-real-token/")
    assert response.status_code == 404  # the link is checked, not where the post came from


def test_reading_pages_is_never_refused(db):
    client = Client(enforce_csrf_checks=True, headers={"Sec-Fetch-Site": "cross-site"})
    assert client.get("/conditions/").status_code == 200
    assert client.head("/conditions/").status_code == 200
