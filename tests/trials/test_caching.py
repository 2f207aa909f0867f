import datetime as dt
import gzip
import threading

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client

from core import pagecache
from subscriptions.models import Subscriber
from tests.subscriptions.helpers import run_tasks
from trials.models import Condition, ConditionGroup, Contact, Location, Trial
from trials.signals import trials_changed

from .search_data import make_trial

pytestmark = pytest.mark.django_db

URL = "/trials/NCT07509034/"
GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def html(client, url=URL) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_view_is_the_same_bytes_served_without_queries(
    client, example_trial, django_assert_num_queries
):
    first = html(client)
    with django_assert_num_queries(0):
        second = html(Client())  # another visitor
    assert first == second


def test_cached_pages_set_no_cookie_and_carry_no_token(example_trial):
    for _ in range(2):  # a render, then a hit
        response = Client().get(URL)
        assert not response.cookies
        assert "csrfmiddlewaretoken" not in response.content.decode()


def test_the_form_on_a_cached_page_signs_people_up_as_a_browser_posts_it(
    example_trial, django_capture_on_commit_callbacks
):
    html(Client())
    browser = Client(enforce_csrf_checks=True, headers={"Sec-Fetch-Site": "same-origin"})
    page = html(browser)
    assert '<form method="post" action="/updates/"' in page
    data = {"email": "reader@example.org", "follow": "trial", "trial": "NCT07509034"}
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post("/updates/", {**data, "consent": "on"})
    assert response.status_code == 200
    run_tasks()  # the worker stores the sign-up
    assert Subscriber.objects.filter(email="reader@example.org").exists()


def test_a_kept_page_carries_the_headers_of_a_fresh_one(client, example_trial):
    # A hit is served before most middleware runs: what they add is kept with the page.
    fresh, kept = client.get(URL, headers=GZIP), client.get(URL, headers=GZIP)
    assert "Content-Security-Policy" in fresh and "X-Frame-Options" in fresh
    for name in ("Content-Security-Policy", "X-Frame-Options", "Content-Type", "Referrer-Policy"):
        assert kept[name] == fresh[name]
    assert kept["Content-Length"] == str(len(kept.content))


def test_a_host_the_site_does_not_serve_is_refused_for_kept_pages_too(client, example_trial):
    html(client)
    assert client.get(URL, headers={"Host": "attacker.example"}).status_code == 400


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
            t.locations.update(facility="Brand New Site")
            and trials_changed.send(sender=Trial, nct_ids=[t.nct_id])
        ),
        lambda t: [loc.delete() for loc in t.locations.all()] and t.headline,
        lambda t: Contact.objects.filter(trial=t).first().delete(),
        lambda t: t.conditions.add(Condition.objects.create(name="Brand New Condition")),
        lambda t: (
            Condition.objects.filter(trials=t).update(name="x")
            and Condition.objects.get(trials=t).save()
        ),
        lambda t: t.groups.clear(),
        lambda t: ConditionGroup.objects.filter(trials=t).first().delete(),
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


def test_staff_see_drafts_fresh_in_private_and_never_fill_the_cache(client, example_trial):
    staff = User.objects.create_user("editor", is_staff=True)
    client.force_login(staff)
    example_trial.is_published = False
    example_trial.save()
    response = client.get(URL)
    assert "Draft: only staff can see this page." in response.content.decode()
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    assert Client().get(URL).status_code == 404


def test_search_results_follow_changes_at_once(client, db):
    make_trial("NCT00000401", headline="Gout study")
    assert "Gout study" in html(client, "/trials/?q=gout")
    Trial.objects.get(nct_id="NCT00000401").delete()
    assert "Gout study" not in html(client, "/trials/?q=gout")
    make_trial("NCT00000402", headline="Second gout study")
    assert "Second gout study" in html(client, "/trials/?q=gout")


def test_the_same_search_however_spelled_shares_one_cached_page(
    client, db, django_assert_num_queries
):
    make_trial("NCT00000403", headline="Gout study", status="RECRUITING")
    html(client, "/trials/?q=gout&status=recruiting")
    with django_assert_num_queries(0):
        for url in [
            "/trials/?status=recruiting&q=gout",
            "/trials/?page=1&status=recruiting&q=gout",
            "/trials/?q=gout&status=recruiting&utm_source=mail&fbclid=x",
            "/trials/?q=flu&q=gout&status=recruiting",  # the form reads the last value
        ]:
            assert "Gout study" in html(client, url)
    assert "Gout study" not in html(client, "/trials/?q=gout&q=flu&status=recruiting")


def test_parameters_no_page_reads_never_store_a_page_each(client, example_trial, monkeypatch):
    stored = []
    keep = cache.set
    monkeypatch.setattr(cache, "set", lambda key, *a, **k: stored.append(key) or keep(key, *a, **k))
    for url in ["/trials/", URL, "/conditions/", "/"]:
        for n in range(5):
            html(client, f"{url}?utm_junk={n}")
    assert len(stored) == 4  # one page each


def test_page_numbers_past_any_list_share_one_key(client, db, django_assert_num_queries):
    make_trial("NCT00000405", headline="Gout study")
    html(client, "/trials/?page=26")
    with django_assert_num_queries(0):
        for page in ("27", "1000", "99999999999999999999"):
            assert "Gout study" in html(client, f"/trials/?page={page}")


def test_an_invalid_search_is_answered_each_time_and_never_kept(client, db, monkeypatch):
    stored = []
    monkeypatch.setattr(cache, "set", lambda key, *a, **k: stored.append(key))
    for _ in range(2):
        assert client.get("/trials/?age=old").status_code == 400
    # The versions pages are kept under may be made (a file cache adds through set), no page.
    assert [key for key in stored if not key.startswith(pagecache.VERSION_PREFIX)] == []


def test_browsers_get_the_page_gzipped_others_plain(example_trial):
    plain = html(Client())
    for _ in range(2):  # a render, then a hit
        response = Client().get(URL, headers=GZIP)
        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"]
        assert gzip.decompress(response.content).decode() == plain


@pytest.mark.parametrize("accept", ["", "br", "identity", "gzip;q=0, br", "*;q=0"])
def test_clients_that_refuse_gzip_get_plain_html(client, example_trial, accept):
    client.get(URL, headers=GZIP)
    response = client.get(URL, headers={"Accept-Encoding": accept})
    assert not response.has_header("Content-Encoding")
    assert "Accept-Encoding" in response["Vary"]
    assert "Engineered immune cells" in response.content.decode()


def test_shared_caches_may_keep_pages_but_must_ask_first(client, example_trial, settings):
    settings.PAGE_STALE_IF_ERROR_SECONDS = 7200
    for _ in range(2):
        response = client.get(URL, headers=GZIP)
        # Ask before each use; serve the copy only while the site answers with an error.
        assert set(response["Cache-Control"].split(", ")) == {
            "public",
            "max-age=0",
            "stale-if-error=7200",
        }
        assert {"Accept-Encoding", "Cookie"} <= set(response["Vary"].split(", "))
        assert response["ETag"].startswith('W/"')


def test_a_conditional_get_answers_304_until_the_page_changes(client, example_trial):
    etag = client.get(URL, headers=GZIP)["ETag"]
    again = client.get(URL, headers={**GZIP, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    example_trial.headline = "A brand new headline"
    example_trial.save()
    changed = client.get(URL, headers={**GZIP, "If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "A brand new headline" in gzip.decompress(changed.content).decode()


def test_a_change_made_by_another_process_is_seen_at_once(client, example_trial):
    # This process keeps its own copy of the page. Another process (an import, the admin on
    # another server) changes the rows and gives the trial's version a new value in the shared
    # cache; this process's copy must not be served after that.
    html(client)
    Trial.objects.filter(pk=example_trial.pk).update(headline="Changed elsewhere")
    assert "Changed elsewhere" not in html(client)  # nothing said it changed yet
    cache.set(pagecache.VERSION_PREFIX + "trial:NCT07509034", 12345, timeout=None)
    assert "Changed elsewhere" in html(client)


def test_a_page_past_its_lifetime_is_made_again(client, example_trial, settings):
    settings.PAGE_CACHE_SECONDS = 60
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC), tick=False) as clock:
        html(client)
        Trial.objects.filter(pk=example_trial.pk).update(headline="Changed unannounced")
        clock.shift(59)
        assert "Changed unannounced" not in html(client)
        clock.shift(2)
        assert "Changed unannounced" in html(client)


def test_emptying_the_shared_cache_empties_every_copy(client, example_trial):
    html(client)
    Trial.objects.filter(pk=example_trial.pk).update(headline="Changed while cached")
    cache.clear()
    assert "Changed while cached" in html(client)


def test_with_a_cache_that_keeps_nothing_every_page_is_fresh(client, example_trial, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    html(client)
    Trial.objects.filter(pk=example_trial.pk).update(headline="Fresh every time")
    assert "Fresh every time" in html(client)


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip, deflate, br", True),
        ("GZIP;q=0.5", True),
        ("x-gzip", True),
        ("*", True),
        ("br, *;q=0.1", True),
        ("", False),
        ("br, zstd", False),
        ("gzip;q=0", False),
        ("gzip;q=0.000, *", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accept_encoding_is_read_with_its_weights(header, accepted):
    assert pagecache.accepts_gzip(header) is accepted


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a second connection reading mid-transaction"
)
def test_a_page_rendered_while_a_change_commits_is_not_served_after_it(example_trial):
    html(Client())
    seen = []

    def another_request():  # its own database connection: the change is not visible yet
        try:
            seen.append(html(Client()))
        finally:
            connection.close()

    with transaction.atomic():
        example_trial.headline = "Committed change"
        example_trial.save()
        request = threading.Thread(target=another_request)
        request.start()
        request.join()
    assert len(seen) == 1 and "Committed change" not in seen[0]
    assert "Committed change" in html(Client())
