import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from trials import pagecache
from trials.models import Condition, ConditionCategory, Contact, Location, Trial

from .search_data import make_trial

pytestmark = pytest.mark.django_db

URL = "/trials/NCT07509034/"


def html(client, url=URL) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_view_is_served_from_the_cache_without_queries(
    client, example_trial, django_assert_num_queries
):
    first = html(client)
    with django_assert_num_queries(0):
        second = html(client)
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')  # masked anew each time
    assert token.sub("", first) == token.sub("", second)


def test_an_edit_shows_at_once(client, example_trial):
    html(client)
    example_trial.headline = "A brand new headline"
    example_trial.save()
    assert "A brand new headline" in html(client)


@pytest.mark.parametrize(
    "change",
    [
        lambda t: Location.objects.create(trial=t, facility="Brand New Site"),
        lambda t: (
            t.locations.update(facility="Brand New Site") and pagecache.forget_trial(t.nct_id)
        ),
        lambda t: [loc.delete() for loc in t.locations.all()] and t.headline,
        lambda t: Contact.objects.filter(trial=t).first().delete(),
        lambda t: t.conditions.add(Condition.objects.create(name="Brand New Condition")),
        lambda t: (
            Condition.objects.filter(trials=t).update(name="x")
            or Condition.objects.get(trials=t).save()
        ),
        lambda t: t.categories.clear(),
        lambda t: ConditionCategory.objects.filter(trials=t).first().delete(),
    ],
)
def test_changes_to_the_parts_of_a_trial_show_at_once(client, example_trial, change):
    before = html(client)
    change(example_trial)
    assert html(client) != before


def test_unpublishing_hides_the_cached_page(client, example_trial):
    html(client)
    example_trial.is_published = False
    example_trial.save()
    assert client.get(URL).status_code == 404


def test_each_visitor_gets_their_own_csrf_token(example_trial):
    first, second = Client(), Client()
    a, b = html(first), html(second)
    assert pagecache.CSRF_PLACEHOLDER not in a and pagecache.CSRF_PLACEHOLDER not in b
    token_a = a.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    token_b = b.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert token_a != token_b
    assert first.cookies["csrftoken"].value and second.cookies["csrftoken"].value


def test_the_cached_form_still_signs_people_up(example_trial):
    warm = Client(enforce_csrf_checks=True)
    html(warm)
    visitor = Client(enforce_csrf_checks=True)
    page = html(visitor)
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = visitor.post(
        "/updates/",
        {
            "csrfmiddlewaretoken": token,
            "email": "reader@example.org",
            "follow": "trial",
            "trial": "NCT07509034",
            "category": "solid-tumors",
            "consent": "on",
        },
    )
    assert response.status_code in (200, 302)  # not a 403 CSRF failure


def test_staff_see_drafts_fresh_and_never_fill_the_cache(client, example_trial):
    staff = User.objects.create_user("editor", is_staff=True)
    client.force_login(staff)
    example_trial.is_published = False
    example_trial.save()
    assert "Draft: only staff can see this page." in html(client)
    assert Client().get(URL).status_code == 404


def test_search_results_follow_changes_at_once(client, db):
    make_trial("NCT00000401", headline="Gout study")
    assert "Gout study" in html(client, "/trials/?q=gout")
    Trial.objects.get(nct_id="NCT00000401").delete()
    assert "Gout study" not in html(client, "/trials/?q=gout")
    make_trial("NCT00000402", headline="Second gout study")
    assert "Second gout study" in html(client, "/trials/?q=gout")


def test_the_same_search_in_another_order_shares_the_cache(client, db, django_assert_num_queries):
    make_trial("NCT00000403", headline="Gout study", status="RECRUITING")
    html(client, "/trials/?q=gout&status=recruiting")
    with django_assert_num_queries(0):
        html(client, "/trials/?status=recruiting&q=gout")
