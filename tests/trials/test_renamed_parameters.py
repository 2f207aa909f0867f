"""Search links shared, bookmarked or kept in a cache from before condition groups took their
name say `category=<slug>`: they still lead where they led, through a permanent redirect."""

from urllib.parse import parse_qsl, urlsplit

import pytest

from .search_data import make_trial

pytestmark = pytest.mark.django_db


@pytest.fixture
def trials(db):
    make_trial("NCT00000101", status="RECRUITING", groups=["Heart"])
    make_trial("NCT00000102", status="RECRUITING", groups=["Lungs"])
    make_trial("NCT00000103", status="COMPLETED", groups=["Lungs"])


def redirected(client, url: str) -> tuple[str, list[tuple[str, str]]]:
    response = client.get(url)
    assert response.status_code == 301, response.content.decode()[:500]
    target = urlsplit(response["Location"])
    return target.path, parse_qsl(target.query, keep_blank_values=True)


def test_an_old_link_is_sent_for_good_to_the_new_name_with_every_other_parameter(client, trials):
    path, params = redirected(client, "/trials/?q=heart&category=lungs&status=recruiting&page=2")
    assert path == "/trials/"
    assert sorted(params) == [
        ("group", "lungs"),
        ("page", "2"),
        ("q", "heart"),
        ("status", "recruiting"),
    ]


def test_repeated_and_unknown_parameters_come_along_in_their_order(client, trials):
    _, params = redirected(client, "/trials/?status=recruiting&category=lungs&status=completed&x=1")
    assert params == [
        ("status", "recruiting"),
        ("status", "completed"),
        ("group", "lungs"),
        ("x", "1"),
    ]


def test_where_both_names_are_given_the_new_one_counts(client, trials):
    assert redirected(client, "/trials/?category=heart&group=lungs") == (
        "/trials/",
        [("group", "lungs")],
    )


def test_the_redirect_leads_to_the_same_trials_the_old_link_found(client, trials):
    response = client.get("/trials/?category=lungs&status=recruiting", follow=True)
    assert response.redirect_chain == [("/trials/?group=lungs&status=recruiting", 301)]
    html = response.content.decode()
    assert "NCT00000102" in html
    assert "NCT00000101" not in html and "NCT00000103" not in html


@pytest.mark.parametrize("value", ["nope", "%00", "a" * 3000, "%E2%80%A8", "lungs%22%3E%3Cb%3E"])
def test_a_bad_old_value_gets_the_same_clear_answer_as_a_bad_new_one(client, trials, value):
    old = client.get(f"/trials/?category={value}", follow=True)
    assert [status for _, status in old.redirect_chain] == [301]
    new = client.get(f"/trials/?group={value}")
    assert old.status_code == new.status_code == 400
    assert old.content == new.content
    message = "Null characters are not allowed." if value == "%00" else "We don’t know that"
    assert message in new.content.decode()


def test_an_empty_old_value_means_every_group(client, trials):
    response = client.get("/trials/?category=", follow=True)
    assert response.redirect_chain == [("/trials/?group=", 301)]
    assert response.status_code == 200
    assert "NCT00000101" in response.content.decode()


def test_on_a_condition_group_page_too(client, trials):
    path, params = redirected(client, "/conditions/lungs/?category=heart&status=recruiting")
    assert path == "/conditions/lungs/"
    assert params == [("group", "heart"), ("status", "recruiting")]


def test_a_kept_copy_of_the_list_never_answers_an_old_link(client, trials):
    assert client.get("/trials/").status_code == 200  # now kept in the page cache
    assert client.get("/trials/").status_code == 200
    response = client.get("/trials/?category=lungs")
    assert response.status_code == 301
    assert response["Location"] == "/trials/?group=lungs"


def test_a_page_without_old_names_is_not_redirected(client, trials):
    assert client.get("/trials/?group=lungs&status=recruiting").status_code == 200
    assert client.get("/conditions/lungs/?status=recruiting").status_code == 200
