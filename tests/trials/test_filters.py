import re

import pytest

from trials.search import haversine_miles

from .search_data import BETHESDA, BOSTON, LOS_ANGELES, card_ids, make_trial, site_at

pytestmark = pytest.mark.django_db


def ids(client, query: str, status: int = 200) -> list[str]:
    response = client.get(f"/trials/?{query}")
    assert response.status_code == status, response.content.decode()[:2000]
    return card_ids(response.content.decode())


@pytest.fixture
def trials(db):
    make_trial(
        "NCT00000101",
        status="RECRUITING",
        phase="PHASE2",
        groups=["Heart"],
        minimum_age_years=18,
        maximum_age_years=65,
        sex="FEMALE",
        healthy_volunteers=True,
        first_submitted_on="2024-01-01",
        last_updated_at="2026-01-03T00:00:00Z",
        sites=[site_at(BETHESDA, city="Bethesda", state="Maryland", country="United States")],
    )
    make_trial(
        "NCT00000102",
        status="NOT_YET_RECRUITING",
        phase="PHASE3",
        groups=["Lungs"],
        minimum_age_years=50,
        sex="ALL",
        healthy_volunteers=False,
        first_submitted_on="2025-01-01",
        last_updated_at="2026-01-01T00:00:00Z",
        sites=[
            site_at(LOS_ANGELES, city="Los Angeles", state="California", country="United States"),
            site_at(BOSTON, city="Boston", state="Massachusetts", country="United States"),
        ],
    )
    make_trial(
        "NCT00000103",
        status="COMPLETED",
        phase="PHASE2",
        sex="MALE",
        first_submitted_on="2023-01-01",
        last_updated_at="2026-01-02T00:00:00Z",
        sites=[{"city": "Toronto", "state": "Ontario", "country": "Canada"}],
    )


def test_without_filters_it_lists_recently_updated_first(client, trials):
    assert ids(client, "") == ["NCT00000101", "NCT00000103", "NCT00000102"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=recruiting", ["NCT00000101"]),
        ("status=not-yet-recruiting", ["NCT00000102"]),
        ("status=recruiting&status=completed", ["NCT00000101", "NCT00000103"]),
        ("phase=phase2", ["NCT00000101", "NCT00000103"]),
        ("group=lungs", ["NCT00000102"]),
        ("country=canada", ["NCT00000103"]),
        ("country=United+States&state=massachusetts", ["NCT00000102"]),
        ("state=Maryland", ["NCT00000101"]),
        ("age=30", ["NCT00000101", "NCT00000103"]),
        ("age=65", ["NCT00000101", "NCT00000103", "NCT00000102"]),
        ("age=70", ["NCT00000103", "NCT00000102"]),
        ("sex=female", ["NCT00000101", "NCT00000102"]),
        ("sex=male", ["NCT00000103", "NCT00000102"]),
        ("healthy=on", ["NCT00000101"]),
        ("sort=newest", ["NCT00000102", "NCT00000101", "NCT00000103"]),
        ("phase=phase2&sex=male", ["NCT00000103"]),
        (
            "status=recruiting&status=not-yet-recruiting&age=55&sex=female",
            ["NCT00000101", "NCT00000102"],
        ),
        ("country=United+States&phase=phase3&healthy=on", []),
    ],
)
def test_each_filter_alone_and_combined(client, trials, query, expected):
    assert ids(client, query) == expected


def test_filters_combine_with_search(client, trials):
    make_trial("NCT00000104", headline="Asthma inhaler", status="RECRUITING")
    make_trial("NCT00000105", headline="Asthma diet", status="COMPLETED")
    assert ids(client, "q=asthma&status=recruiting") == ["NCT00000104"]


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ("", ["NCT00000111", "NCT00000112", "NCT00000113", "NCT00000114", "NCT00000115"]),
        ("status=recruiting", ["NCT00000111"]),
        ("status=recruiting&status=not-yet-recruiting", ["NCT00000111", "NCT00000112"]),
        ("status=completed", ["NCT00000114"]),
        ("status=completed&status=terminated", ["NCT00000114", "NCT00000115"]),
        ("status=enrolling-by-invitation&status=completed", ["NCT00000113", "NCT00000114"]),
    ],
)
def test_a_word_search_lists_the_chosen_statuses_open_or_closed(client, db, statuses, expected):
    for n, status in enumerate(
        ["RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "COMPLETED", "TERMINATED"]
    ):
        make_trial(f"NCT{111 + n:08d}", headline="Asthma study", status=status)
    make_trial("NCT00000116", headline="Gout study", status="RECRUITING")
    assert sorted(ids(client, f"q=asthma&{statuses}")) == expected


def test_distances_match_hand_computed_haversine(client, trials):
    # Bethesda (38.99, -77.10) to Boston (42.3601, -71.0589): about 397 miles, worked by hand:
    # dlat = 3.3701°, dlon = 6.0411°; a = sin²(dlat/2) + cos(38.99°)cos(42.36°)sin²(dlon/2)
    #   = 0.000865 + 0.7772 × 0.7391 × 0.002777 = 0.002460; d = 2 × 3958.8 × asin(√a) = 392.9.
    assert haversine_miles(*BETHESDA, *BOSTON) == pytest.approx(392.9, abs=0.5)
    assert haversine_miles(*BOSTON, *LOS_ANGELES) == pytest.approx(2591, abs=2)  # as quoted
    # ZIP 20892 (Bethesda, NIH) has its centroid at 39.0024, -77.1034.
    html = client.get("/trials/?zip=20892&distance=500").content.decode()
    near = haversine_miles(39.0024, -77.1034, *BETHESDA)
    boston = haversine_miles(39.0024, -77.1034, *BOSTON)
    assert f"{near:.1f} miles" in html
    assert f"{boston:.1f} miles" in html
    assert "Nearest site: Boston" in html  # not Los Angeles, the trial's first site
    assert ids(client, "zip=20892&distance=500") == ["NCT00000101", "NCT00000102"]


@pytest.mark.parametrize(
    ("miles", "expected"),
    [(1, ["NCT00000101"]), (380, ["NCT00000101"]), (420, ["NCT00000101", "NCT00000102"])],
)
def test_the_distance_is_a_radius_not_a_box(client, trials, miles, expected):
    assert ids(client, f"zip=20892&distance={miles}") == expected


def test_nearest_sorts_by_distance_and_ignores_sites_without_coordinates(client, trials):
    # From Boston's 02108: NCT00000102's Boston site is nearer than NCT00000101's Bethesda one.
    assert ids(client, "zip=02108&distance=1000&sort=nearest") == ["NCT00000102", "NCT00000101"]
    assert ids(client, "zip=02108&distance=1000&sort=updated") == ["NCT00000101", "NCT00000102"]


def test_the_default_distance_is_50_miles(client, trials):
    html = client.get("/trials/?zip=20892").content.decode()
    assert "within 50 miles of 20892 (Bethesda, MD)" in html
    assert ids(client, "zip=20892") == ["NCT00000101"]


def test_results_show_status_phase_conditions_and_nearest_site(client, trials):
    make_trial(
        "NCT00000106",
        headline="Card facts",
        status="RECRUITING",
        phase="PHASE1",
        conditions=["Gout"],
        sites=[site_at(BOSTON, facility="Mass General", city="Boston")] * 3,
    )
    html = client.get("/trials/?q=card").content.decode()
    card = html[html.index('class="trial-card"') :]
    for fact in ("Card facts", "Recruiting", "Phase 1", "Gout", "Site: Mass General, Boston"):
        assert fact in card
    assert "and 2 more sites" in card


def test_an_empty_result_says_what_to_loosen(client, trials):
    response = client.get("/trials/?q=asthma&status=completed&zip=20892&distance=10&age=40")
    html = response.content.decode()
    assert "No trials match this search" in html
    for advice in (
        "Include every recruitment status",
        "Look within 40 miles",
        "Leave out the ZIP code",
        "Leave out the age",
        "Search for fewer or more general words",
    ):
        assert advice in html
    link = re.search(r'href="\?([^"]+)">Leave out the age', html)[1]
    assert "age=" not in link and "status=completed" in link


def test_every_filter_stays_in_the_pagination_links(client, db):
    for n in range(25):
        make_trial(f"NCT{n + 500:08d}", headline="Gout study", status="RECRUITING")
    html = client.get("/trials/?q=gout&status=recruiting&sort=newest").content.decode()
    assert 'href="?q=gout&amp;status=recruiting&amp;sort=newest&amp;page=2"' in html
    assert len(ids(client, "q=gout&status=recruiting&sort=newest&page=2")) == 5


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=open-ish", "We don’t know the recruitment status “open-ish”"),
        ("phase=phase9", "We don’t know the phase “phase9”"),
        ("group=nope", "We don’t know that condition group."),
        ("zip=00000", "We don’t know the ZIP code “00000”"),
        ("zip=abcde", "We don’t know the ZIP code “abcde”"),
        ("distance=-5&zip=20892", "Distance must be at least 1 mile."),
        ("distance=far", "Distance is a number of miles"),
        ("age=-1", "Age can’t be negative."),
        ("age=old", "Age is a whole number of years"),
        ("sex=other", "Sex can be female or male"),
        ("sort=random", "We don’t know the sort by “random”"),
        (f"q={'a' * 201}", "Please shorten your search to 200 characters."),
    ],
)
def test_bad_values_get_a_clear_message_and_a_400(client, trials, query, message):
    response = client.get(f"/trials/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_bad_value_leaves_the_good_filters_working(client, trials):
    assert ids(client, "status=recruiting&phase=phase9", status=400) == ["NCT00000101"]


def test_the_form_labels_every_field_and_groups_checkboxes(client, trials):
    html = client.get("/trials/").content.decode()
    for name in (
        "q",
        "zip",
        "distance",
        "country",
        "state",
        "age",
        "sex",
        "healthy",
        "sort",
        "group",
    ):
        field_id = re.search(
            rf'name="{name}"[^>]*id="([^"]+)"|id="([^"]+)"[^>]*name="{name}"', html
        )
        assert field_id, name
        assert f'for="{field_id[1] or field_id[2]}"' in html, name
    assert "<legend>Recruitment status</legend>" in html and "<legend>Phase</legend>" in html
    assert 'value="not-yet-recruiting"' in html
    assert "<script" not in html.split("</head>")[1]


def test_past_the_nearest_sites_read_the_page_says_there_may_be_more(client, trials, monkeypatch):
    monkeypatch.setattr("trials.search.NEAREST_SITES", 1)
    html = client.get("/trials/?zip=02108&distance=1000&sort=nearest").content.decode()
    assert "At least 1 trial within 1000 miles of 02108" in html
    assert "There are more study sites within 1000 miles than we look through at once" in html
    assert ids(client, "zip=02108&distance=1000&sort=nearest") == ["NCT00000102"]  # nearest


def test_a_zip_search_with_every_site_read_is_exact(client, trials):
    html = client.get("/trials/?zip=02108&distance=1000").content.decode()
    assert "2 trials within 1000 miles of 02108" in html
    assert "At least" not in html and "more study sites" not in html


def test_a_field_with_a_bad_value_is_marked_invalid(client, trials):
    html = client.get("/trials/", {"zip": "99999", "age": "old"}).content.decode()
    assert 'name="zip" aria-invalid="true"' in html
    assert 'name="age" aria-invalid="true"' in html
    assert 'name="distance" aria-invalid="true"' not in html
