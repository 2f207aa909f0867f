"""Finding trials: full-text search, filters and distance, behind one QuerySet interface.

PostgreSQL does the real work (a weighted tsvector kept by a trigger, websearch_to_tsquery,
ts_rank, pg_trgm suggestions, a GiST index handing over the sites nearest a point); SQLite, the
development default, gets a plain substring match and a box through the same methods. Searches
by words or place are bounded (RESULT_LIMIT, NEAREST_SITES): see docs/search-performance.md.
"""

import datetime as dt
import math
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache

import zipcodes
from django.core.paginator import Paginator
from django.db import connection, models
from django.db.models import Count, F, Func, Q, Value, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower, RowNumber

from .choices import STALE_AFTER, Status
from .vocabulary import Vocabulary
from .wordsearch import is_postgresql, search_words

EARTH_RADIUS_MILES = 3958.8
# A search lists at most this many trials: past it, counting and ordering every match of a
# common word costs more than a page may (docs/search-performance.md); the page says so.
# Each costs a visit to its table row and its place in the ranking, so this bounds the work
# of every search: at 500,000 trials, 500 put a cold search's p95 near 70 ms, 300 near 40.
RESULT_LIMIT = 300
# A ZIP search reads this many sites, nearest first, straight off the globe index.
NEAREST_SITES = 1000
CARD_FIELDS = [
    "id",
    "nct_id",
    "headline",
    "generated_headline",
    "brief_title",
    "status",
    "phase",
    "last_updated_at",
    "first_submitted_on",
    "has_results",
    "status_verified_on",
    "completion_date",
]
MILES_PER_DEGREE_LATITUDE = 69.0


@dataclass(frozen=True)
class Place:
    """A US ZIP code's centroid."""

    zip_code: str
    city: str
    state: str
    latitude: float
    longitude: float

    def __str__(self) -> str:
        return f"{self.zip_code} ({self.city}, {self.state})"


@lru_cache(maxsize=4096)
def zip_centroid(zip_code: str) -> Place | None:
    """The ZIP code's centroid from the offline `zipcodes` data, or None if there is no such ZIP."""
    try:
        found = zipcodes.matching(zip_code)
    except (ValueError, TypeError):
        return None
    for row in found:
        if row.get("lat") and row.get("long"):
            return Place(
                row["zip_code"],
                row["city"].title(),
                row["state"],
                float(row["lat"]),
                float(row["long"]),
            )
    return None


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in Python, the same formula the database uses."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(min(1.0, a)))


def bounding_box(lat: float, lon: float, miles: float) -> tuple[float, float, float, float]:
    """(south, west, north, east) around the point, wide enough to hold every point in range."""
    dlat = miles / MILES_PER_DEGREE_LATITUDE
    cos_lat = max(math.cos(math.radians(lat)), 0.01)
    dlon = min(miles / (MILES_PER_DEGREE_LATITUDE * cos_lat), 180.0)
    return (
        max(lat - dlat, -90.0),
        max(lon - dlon, -180.0),
        min(lat + dlat, 90.0),
        min(lon + dlon, 180.0),
    )


class _PointInBox(Func):
    """point(lon, lat) <@ box(...): the form the GiST index on trials_location answers."""

    output_field = models.BooleanField()
    arg_joiner = ", "

    def __init__(self, latitude: str, longitude: str, box):
        south, west, north, east = (Value(float(v)) for v in box)
        super().__init__(F(longitude), F(latitude), west, south, east, north)

    def _parts(self, compiler):
        return [compiler.compile(e) for e in self.get_source_expressions()]

    @staticmethod
    def _join(template: str, parts: list) -> tuple[str, list]:
        return template.format(*(sql for sql, _ in parts)), [p for _, ps in parts for p in ps]

    def as_sql(self, compiler, connection, **extra_context):
        lon, lat, west, south, east, north = self._parts(compiler)
        return self._join(
            "point({}, {}) <@ box(point({}::float8, {}::float8), point({}::float8, {}::float8))",
            [lon, lat, west, south, east, north],
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        lon, lat, west, south, east, north = self._parts(compiler)
        return self._join(
            "({} BETWEEN {} AND {} AND {} BETWEEN {} AND {})", [lat, south, north, lon, west, east]
        )


def within_box(prefix: str, lat: float, lon: float, miles: float) -> _PointInBox:
    return _PointInBox(f"{prefix}latitude", f"{prefix}longitude", bounding_box(lat, lon, miles))


class TrialSearchMixin:
    """Search and filter methods for TrialQuerySet; each returns a QuerySet and they chain.

    This module imports no models: the queryset that uses the mixin names the model of the
    trials' sites (`_location_model()`) and the search vocabulary editors keep (`_vocabulary()`),
    and the functions below are handed the rows they read.
    """

    def search(self, q: str, vocabulary: Vocabulary | None = None):
        """Trials matching a query, annotated with `rank` (higher is better): plain words are
        read through `vocabulary` (by default the editors'), search-engine syntax as written
        (wordsearch.py)."""
        if vocabulary is None:
            return search_words(self, q, self._vocabulary)
        return search_words(self, q, lambda: vocabulary)

    def without_stale(self, today: dt.date | None = None):
        """Leave out trials that claim to be open on a status not confirmed for over a year,
        or past their completion date (see status_is_stale)."""
        today = today or dt.date.today()
        stale = Q(status__in=Status.open_to_patients()) & (
            Q(status_verified_on__lt=today - STALE_AFTER) | Q(completion_date__lt=today)
        )
        return self.exclude(stale)

    def with_status(self, statuses: list[str]):
        """Trials with one of these statuses.

        In a search by words on PostgreSQL, a choice among the open statuses ("recruiting") is
        read off each matching row: the ranking finds open trials through the word index of
        open trials alone (trials/ranking.py), and left to itself the planner would intersect
        the word index with the status indexes instead, which took 30 ms for "breast cancer"
        among 100,000 recruiting trials where reading the rows takes under 10.
        """
        if not statuses:
            return self
        if (
            is_postgresql()
            and "rank" in self.query.annotations
            and set(statuses) <= set(Status.open_to_patients())
        ):
            # Lower(status) is held by no index: the test is made on the row.
            lowered = [status.lower() for status in statuses]
            return self.alias(status_on_row=Lower("status")).filter(status_on_row__in=lowered)
        return self.filter(status__in=statuses)

    def in_phases(self, phases: list[str]):
        return self.filter(phase__in=phases) if phases else self

    def in_group(self, group):
        return self.filter(groups=group) if group else self

    def in_place(self, country: str = "", state: str = ""):
        """Trials with a site in the country (and state); names match whatever their case."""
        if not (country or state):
            return self
        sites = self._location_model().objects.filter(trial=models.OuterRef("pk"))
        if country:
            sites = sites.filter(country__iexact=country)
        if state:
            sites = sites.filter(state__iexact=state)
        return self.filter(models.Exists(sites))

    def eligible_at_age(self, age: int | None):
        if age is None:
            return self
        return self.filter(
            Q(minimum_age_years__isnull=True) | Q(minimum_age_years__lte=age),
            Q(maximum_age_years__isnull=True) | Q(maximum_age_years__gte=age),
        )

    def open_to_sex(self, sex: str | None):
        return self.filter(sex__in=["ALL", sex]) if sex else self

    def accepting_healthy_volunteers(self, accepting: bool = True):
        return self.filter(healthy_volunteers=True) if accepting else self

    def within_reach(self, nearby: "Nearby"):
        """Trials with one of the sites `nearby_trials` found (at most NEAREST_SITES of them)."""
        ids = list(nearby.distances)
        if is_postgresql():
            # One array parameter, unnested: planning a thousand-item IN list costs more than
            # running it.
            return self.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [ids]))
        return self.filter(pk__in=ids)

    def sorted_by(self, sort: str):
        """relevance (needs search), updated or newest; the indexes read in these orders."""
        if sort == "relevance" and "rank" in self.query.annotations:
            return self.order_by(
                F("rank").desc(), F("last_updated_at").desc(nulls_last=True), "-id"
            )
        if sort == "newest":
            return self.order_by(F("first_submitted_on").desc(nulls_last=True), "-id")
        return self.order_by(F("last_updated_at").desc(nulls_last=True), "-id")

    def for_cards(self):
        """Only what a result card shows: the wide registry columns stay in the table.

        Each trial also gets `first_site_id` and `site_count`, read off the location index
        (trial_id, position, id) without visiting the sites themselves.
        """
        sites = self._location_model().objects.filter(trial=models.OuterRef("pk")).order_by()
        return (
            self.only(*CARD_FIELDS)
            .annotate(
                first_site_id=models.Subquery(sites.order_by("position", "id").values("id")[:1]),
                site_count=models.Subquery(
                    sites.values("trial").annotate(n=Count("id")).values("n")[:1],
                    output_field=models.IntegerField(),
                ),
            )
            .prefetch_related("conditions")
        )


def attach_nearest_sites(
    locations,
    trials: list,
    place: Place | None = None,
    country: str = "",
    nearby: "Nearby | None" = None,
) -> None:
    """Give each card's trial `nearest_location` (with `distance` when a place is given), from
    `locations`, the sites (Location.objects).

    One query for the whole page, however many sites each trial has: the site a ZIP search
    found nearest, else the trial's first site, fetched by id; only a country search (which
    prefers a site in that country) ranks each trial's sites.
    """
    if not trials:
        return
    if country and place is None:
        sites = locations.filter(trial_id__in=[t.pk for t in trials]).order_by()
        order = [
            models.Case(models.When(country__iexact=country, then=0), default=1),
            F("position").asc(),
            F("id").asc(),
        ]
        sites = sites.annotate(
            nearness=Window(RowNumber(), partition_by=[F("trial_id")], order_by=order)
        ).filter(nearness=1)
        by_trial = {site.trial_id: site for site in sites}
    else:
        chosen = {
            trial.pk: (nearby.sites.get(trial.pk) if nearby is not None else None)
            or getattr(trial, "first_site_id", None)
            for trial in trials
        }
        found = locations.in_bulk([pk for pk in chosen.values() if pk is not None])
        by_trial = {trial_pk: found.get(site_pk) for trial_pk, site_pk in chosen.items()}
    for trial in trials:
        trial.nearest_location = by_trial.get(trial.pk)
        if nearby is not None:
            trial.distance = nearby.distances.get(trial.pk)


def _globe_point(lat: str, lon: str) -> str:
    """A point on the unit sphere as migration 0004's location_globe_idx spells it."""
    return (
        f"cube(ARRAY[cos(radians({lat})) * cos(radians({lon})), "
        f"cos(radians({lat})) * sin(radians({lon})), sin(radians({lat}))])"
    )


def _haversine_sql(lat: str, lon: str) -> str:
    """Miles from (%s, %s) to the row's coordinates, the same formula as haversine_miles."""
    return (
        f"{2 * EARTH_RADIUS_MILES} * asin(sqrt(least(1.0, "
        f"power(sin((radians({lat}) - radians(%s)) / 2), 2) + cos(radians(%s)) "
        f"* cos(radians({lat})) * power(sin((radians({lon}) - radians(%s)) / 2), 2))))"
    )


@dataclass(frozen=True)
class Nearby:
    """The trials with a site within reach of a place, by the miles to their nearest site."""

    distances: dict[int, float]
    complete: bool  # False when there were more sites within reach than were read
    sites: dict[int, int]  # trial id → id of its nearest site


def nearby_trials(
    locations, lat: float, lon: float, miles: float, sites: int | None = None
) -> Nearby:
    """Trials with a site within `miles`, from the `sites` sites of `locations` (Location.objects)
    nearest the point.

    On PostgreSQL the globe index hands over sites nearest first (a K-nearest-neighbour scan of
    the index alone), so the work is bounded by `sites`, however many sites lie in reach.
    """
    sites = sites or NEAREST_SITES
    if is_postgresql():
        table = connection.ops.quote_name(locations.model._meta.db_table)
        phi, lam = math.radians(lat), math.radians(lon)
        centre = [math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)]
        # Only our own names and expressions are formatted in; the values are parameters.
        miles_to = _haversine_sql("latitude", "longitude")
        sql = (
            f"SELECT trial_id, {miles_to}, id FROM {table} "  # noqa: S608
            "WHERE latitude IS NOT NULL AND longitude IS NOT NULL "
            f"ORDER BY {_globe_point('latitude', 'longitude')} "
            "<-> cube(ARRAY[%s, %s, %s]::float8[]) LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [lat, lat, lon, *centre, sites])
            found = cursor.fetchall()
    else:
        in_box = locations.filter(within_box("", lat, lon, miles))
        found = sorted(
            (
                (trial_id, haversine_miles(lat, lon, site_lat, site_lon), site_id)
                for trial_id, site_lat, site_lon, site_id in in_box.values_list(
                    "trial_id", "latitude", "longitude", "id"
                )
            ),
            key=lambda row: (row[1], row[2]),
        )[:sites]
    distances: dict[int, float] = {}
    nearest: dict[int, int] = {}
    for trial_id, distance, site_id in found:
        if distance <= miles and distance < distances.get(trial_id, math.inf):
            distances[trial_id] = distance
            nearest[trial_id] = site_id
    complete = len(found) < sites or found[-1][1] > miles
    return Nearby(distances, complete, nearest)


class ResultPaginator(Paginator):
    """Pages of at most `limit` results; `more` says whether there were more than it lists.

    A QuerySet is counted only up to limit + 1 rows; a list is taken as already limited.
    """

    def __init__(self, object_list, per_page: int, limit: int | None = None, more: bool = False):
        super().__init__(object_list, per_page)
        self.limit = limit or RESULT_LIMIT
        self.more = more

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, list):
            return len(self.object_list)
        found = self.object_list.order_by().values("pk")[: self.limit + 1].count()
        self.more = self.more or found > self.limit
        return min(found, self.limit)


@contextmanager
def _through_the_word_index(words: bool):
    """Have PostgreSQL find a word search's matches through the full-text index.

    For a word in one trial of eight ("diabetes": 64,000 of 500,000) the planner would rather
    walk the table, or an index in id order, until it has the 501 it needs: testing a row
    looks cheap to it. But each test unpacks that row's compressed search vector, and the
    3,600 rows walked took 80 ms, where the index's bitmap yields the 501 in 20–30 ms. So for
    this one query plain scans and plain index scans are ruled out, and the bitmap scans (of
    the full-text index, and of any filter's) are what is left.
    """
    if not (words and is_postgresql()):
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(_PLANNER, ["off", "off"])
        try:
            yield
        finally:
            cursor.execute(_PLANNER, ["on", "on"])


_PLANNER = (
    "SELECT set_config('enable_seqscan', %s, false), set_config('enable_indexscan', %s, false)"
)


def load_cards(model, ids: list[int]) -> list:
    """The trials with these ids, in this order, with what a result card shows."""
    by_id = {trial.pk: trial for trial in model.objects.filter(pk__in=ids).for_cards()}
    return [by_id[pk] for pk in ids if pk in by_id]
