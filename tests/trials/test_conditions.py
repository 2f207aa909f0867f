import re

import pytest
from django.test import Client

from subscriptions.models import Subscriber
from tests.subscriptions.helpers import run_tasks
from trials.models import ConditionGroup

from .search_data import make_trial

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups(db):
    make_trial("NCT00000201", headline="Tumor A", groups=["Solid tumors"], phase="PHASE1")
    make_trial("NCT00000202", headline="Tumor B", groups=["Solid tumors"], phase="PHASE2")
    make_trial("NCT00000203", headline="Draft", groups=["Solid tumors"], is_published=False)
    make_trial("NCT00000204", headline="Heart A", groups=["Heart"])
    ConditionGroup.objects.create(name="Skin")


def test_the_index_lists_every_group_with_its_published_trials(client, groups):
    html = client.get("/conditions/").content.decode()
    found = re.findall(
        r'<a href="/conditions/([\w-]+)/">([^<]+)</a> <span class="count">([^<]+)', html
    )
    assert found == [
        ("heart", "Heart", "1 trial"),
        ("skin", "Skin", "0 trials"),
        ("solid-tumors", "Solid tumors", "2 trials"),
    ]


def test_a_group_lists_its_published_trials_with_the_same_filters(client, groups):
    html = client.get("/conditions/solid-tumors/").content.decode()
    assert "Tumor A" in html and "Tumor B" in html
    assert "Draft" not in html and "Heart A" not in html
    html = client.get("/conditions/solid-tumors/?phase=phase2").content.decode()
    assert "Tumor B" in html and "Tumor A" not in html
    assert '<select name="group"' not in html  # the group is the page's own


def test_a_group_offers_updates_with_a_working_form(
    client, groups, django_capture_on_commit_callbacks
):
    html = client.get("/conditions/solid-tumors/").content.decode()
    assert "Get updates when new studies for Solid tumors are added" in html
    assert '<form method="post" action="/updates/"' in html
    assert 'name="group" value="solid-tumors"' in html
    # Posted from this page, as a browser posts it (no token: core/csrf.py), it signs up.
    browser = Client(enforce_csrf_checks=True, headers={"Sec-Fetch-Site": "same-origin"})
    data = {"email": "ada@example.org", "follow": "group", "group": "solid-tumors"}
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post("/updates/", {**data, "consent": "on"})
    assert response.status_code == 200
    run_tasks()  # the worker stores the sign-up
    assert Subscriber.objects.filter(email="ada@example.org").exists()


def test_an_empty_group_says_so_and_still_offers_updates(client, groups):
    html = client.get("/conditions/skin/").content.decode()
    assert "No published trials in this group yet" in html
    assert "Get updates when new studies for Skin are added" in html


def test_a_bad_filter_on_a_group_page_is_a_400_with_a_message(client, groups):
    response = client.get("/conditions/solid-tumors/?age=abc")
    assert response.status_code == 400
    assert "Age is a whole number of years" in response.content.decode()


def test_an_unknown_group_is_a_404(client, groups):
    assert client.get("/conditions/nope/").status_code == 404


def test_the_group_page_links_its_feeds(client, groups):
    html = client.get("/conditions/solid-tumors/").content.decode()
    assert '<link rel="alternate" type="application/rss+xml"' in html
    assert 'href="/conditions/solid-tumors/new.rss"' in html
    assert 'href="/conditions/solid-tumors/new.atom"' in html


def test_group_page_queries_do_not_grow_with_its_trials(client, db, django_assert_max_num_queries):
    make_trial("NCT00000210", groups=["Lungs"], conditions=["Asthma"])
    with django_assert_max_num_queries(8):
        small = client.get("/conditions/lungs/").content.decode()
    for n in range(211, 240):
        make_trial(
            f"NCT{n:08d}",
            groups=["Lungs"],
            conditions=["Asthma", f"Condition {n}"],
            sites=[{"city": f"City {s}"} for s in range(5)],
        )
    with django_assert_max_num_queries(8):
        big = client.get("/conditions/lungs/?page=1").content.decode()
    assert small.count('class="trial-card"') == 1 and big.count('class="trial-card"') == 20
