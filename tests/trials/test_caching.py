import gzip
import os
import re
import threading
import zlib

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection, transaction
from django.middleware.csrf import CSRF_ALLOWED_CHARS, _unmask_cipher_token
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from trials import csrf, pagecache
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


GZIP = {"Accept-Encoding": "gzip, deflate, br"}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_browsers_get_the_same_page_gzipped_with_their_own_token(example_trial):
    plain = html(Client())
    for _ in range(2):  # a render, then a hit
        visitor = Client(enforce_csrf_checks=True)
        response = visitor.get(URL, headers=GZIP)
        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"]
        page = gzip.decompress(response.content).decode()
        assert TOKEN.sub("", page) == TOKEN.sub("", plain)
        assert pagecache.CSRF_PLACEHOLDER not in page
        token = TOKEN.search(page)[1]
        signed_up = visitor.post(
            "/updates/",
            {
                "csrfmiddlewaretoken": token,
                "email": "reader@example.org",
                "follow": "trial",
                "trial": "NCT07509034",
                "consent": "on",
            },
        )
        assert signed_up.status_code in (200, 302)  # the token is this visitor's: no 403


def test_each_response_masks_the_visitors_secret_afresh(example_trial):
    visitor = Client(enforce_csrf_checks=True)
    tokens = set()
    for headers in (GZIP, GZIP, GZIP, {}):  # a render, then hits; gzipped, then plain
        response = visitor.get(URL, headers=headers)
        secret = response.cookies["csrftoken"].value  # set, then renewed on every page
        body = response.content
        page = (gzip.decompress(body) if headers else body).decode()
        token = TOKEN.search(page)[1]
        assert len(token) == 64 and _unmask_cipher_token(token) == secret
        if headers:
            # A stored block: the token lies in the stream as it is, compressed with nothing.
            assert token.encode() in body
        tokens.add(token)
    assert len(tokens) == 4


def test_a_visitors_secret_outlives_the_pages_they_open(example_trial):
    # A form opened in one tab still posts after the visitor has opened more pages.
    visitor = Client(enforce_csrf_checks=True)
    first = gzip.decompress(visitor.get(URL, headers=GZIP).content).decode()
    secret = visitor.cookies["csrftoken"].value
    for _ in range(2):
        visitor.get(URL, headers=GZIP)
        assert visitor.cookies["csrftoken"].value == secret
    signed_up = visitor.post(
        "/updates/",
        {
            "csrfmiddlewaretoken": TOKEN.search(first)[1],
            "email": "reader@example.org",
            "follow": "trial",
            "trial": "NCT07509034",
            "consent": "on",
        },
    )
    assert signed_up.status_code in (200, 302)


@pytest.mark.parametrize("accept", ["", "br", "identity", "gzip;q=0, br", "*;q=0"])
def test_clients_that_refuse_gzip_get_plain_html(client, example_trial, accept):
    client.get(URL)
    response = client.get(URL, headers={"Accept-Encoding": accept})
    assert not response.has_header("Content-Encoding")
    assert "Accept-Encoding" in response["Vary"]
    assert "Engineered immune cells" in response.content.decode()


def test_listings_are_gzipped_too_and_carry_no_token(client, db):
    make_trial("NCT00000404", headline="Gout study")
    for _ in range(2):
        response = client.get("/trials/?q=gout", headers=GZIP)
        assert response["Content-Encoding"] == "gzip"
        page = gzip.decompress(response.content).decode()
        assert "Gout study" in page and "csrfmiddlewaretoken" not in page


def test_a_change_made_by_another_process_is_seen_at_once(client, example_trial):
    # This process keeps its own copy of the page; another process (an import, the admin on
    # another server) only replaces the shared token. The copy must not be served after that.
    html(client)
    Trial.objects.filter(pk=example_trial.pk).update(headline="Changed elsewhere")
    pagecache.local_pages.clear()
    html(client)  # the shared cache's copy is copied into this process again
    assert "Changed elsewhere" not in html(client)  # nothing said it changed yet
    cache.set(pagecache.trial_token("NCT07509034"), 12345, timeout=None)
    assert "Changed elsewhere" in html(client)


def test_emptying_the_shared_cache_empties_every_copy(client, example_trial):
    html(client)
    Trial.objects.filter(pk=example_trial.pk).update(headline="Changed while cached")
    cache.clear()
    assert "Changed while cached" in html(client)


def test_with_a_cache_that_keeps_nothing_every_page_is_fresh(client, example_trial, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    html(client)
    Trial.objects.filter(pk=example_trial.pk).update(headline="Fresh every time")
    page = html(client)
    assert "Fresh every time" in page and pagecache.CSRF_PLACEHOLDER not in page


def test_local_copies_stay_within_their_budget():
    pages = pagecache._LocalPages(max_bytes=100)
    small = pagecache.CompressedPage.from_html(b"a" * 10, "text/html")
    pages.put("one", (1,), small)
    pages.put("two", (1,), small)
    assert pages.get("one") is not None  # now the most recently used
    for n in range(20):
        pages.put(f"more{n}", (1,), small)
    assert pages.get("one") is None
    assert pages._bytes <= 100
    huge = pagecache.CompressedPage.from_html(os.urandom(500), "text/html")
    pages.put("huge", (1,), huge)
    assert pages.get("huge") is None


@given(
    st.lists(st.binary(max_size=3000), min_size=1, max_size=4),
    st.binary(min_size=1, max_size=100),
)
def test_a_page_cut_at_its_placeholders_inflates_to_the_page_with_the_token(parts, token):
    page = pagecache._PLACEHOLDER_BYTES.join(parts)
    compressed = pagecache.CompressedPage.from_html(page, "text/html")
    expected = page.replace(pagecache._PLACEHOLDER_BYTES, token)
    assert gzip.decompress(compressed.gzip(token)) == expected  # checks the CRC and length too
    assert compressed.html(token) == expected


@given(st.lists(st.binary(max_size=3000), min_size=1, max_size=5), st.data())
def test_the_checksum_kept_for_tokens_of_the_usual_length_is_zlibs(parts, data):
    page = pagecache._PLACEHOLDER_BYTES.join(parts)
    length = data.draw(st.integers(min_value=1, max_value=100))
    token = data.draw(st.binary(min_size=length, max_size=length))
    compressed = pagecache.CompressedPage.from_html(page, "text/html", token_length=length)
    expected = page.replace(pagecache._PLACEHOLDER_BYTES, token)
    assert compressed.checksum(token) == zlib.crc32(expected)
    assert gzip.decompress(compressed.gzip(token)) == expected


@given(st.binary(max_size=2000), st.binary(max_size=2000))
def test_checksums_combine_as_zlib_computes_them(a, b):
    assert pagecache.crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


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


def test_new_csrf_secrets_are_drawn_from_djangos_whole_alphabet():
    secrets = [csrf.new_secret().decode() for _ in range(500)]
    assert len(set(secrets)) == 500
    assert all(len(secret) == 32 for secret in secrets)
    assert set("".join(secrets)) == set(CSRF_ALLOWED_CHARS)  # 16,000 draws reach all 62


@given(st.text(alphabet=CSRF_ALLOWED_CHARS, min_size=32, max_size=32))
def test_masked_tokens_unmask_to_the_secret_as_django_reads_them(secret):
    token = csrf.mask(secret.encode()).decode()
    assert len(token) == 64 and _unmask_cipher_token(token) == secret


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
