from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .search_data import BETHESDA, make_trial, site_at

pytestmark = pytest.mark.django_db

PARAMS = ["q", "status", "phase", "group", "country", "state", "zip", "distance", "age"]
PARAMS += ["sex", "healthy", "sort", "page", "unknown"]
NASTY = [
    "",
    "x" * 10_000,
    "'; DROP TABLE trials_trial; --",
    "a & | ! ( ) <-> :* b",
    '"unclosed',
    "-",
    "!!!",
    "NCT0",
    "<script>alert(1)</script>",
    "糖尿病 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ‮",
    "\x00",
    "%00",
    "-5",
    "999999",
    "1e9",
    "00000",
    "99999-",
    "nan",
    "inf",
    "recruiting",
    "phase2",
]
values = st.one_of(st.sampled_from(NASTY), st.text(max_size=300))


@pytest.fixture
def searchable(db):
    # Function-scoped: each hypothesis example only reads, so they can share the one trial.
    make_trial(
        "NCT00000990",
        headline="Asthma study",
        conditions=["Asthma"],
        groups=["Lungs"],
        sites=[site_at(BETHESDA, country="United States", state="Maryland")],
    )


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.sampled_from(PARAMS), values), max_size=6))
@pytest.mark.parametrize("path", ["/trials/", "/conditions/lungs/"])
def test_any_query_string_gets_a_page_or_a_friendly_400(client, searchable, path, params):
    response = client.get(f"{path}?{urlencode(params)}")
    assert response.status_code in (200, 302, 400)
    if response.status_code == 400:
        assert "Some of your search could not be used" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "q=" + "x" * 10_000,
        "zip=00000",
        "distance=-1&zip=20892",
        "page=999999",
        "q=%27%3B+DROP+TABLE",
        "q=a+%26+%7C+%21+%3C-%3E",
        "q=%00",
        "status=bogus&phase=bogus&group=bogus&sort=bogus",
    ],
)
def test_the_issues_examples(client, searchable, query):
    assert client.get(f"/trials/?{query}").status_code in (200, 400)
