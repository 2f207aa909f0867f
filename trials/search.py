"""Finding trials: full-text search, filters and distance, behind one QuerySet interface.

PostgreSQL does the real work (a weighted tsvector kept by a trigger, websearch_to_tsquery,
ts_rank, pg_trgm suggestions, a GiST index on each site's point); SQLite, the development
default, gets a plain substring match through the same methods.
"""

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import zipcodes
from django.db import connection, models
from django.db.models import Count, F, Func, Min, Q, Value, Window
from django.db.models.functions import ASin, Cos, Power, Radians, RowNumber, Sin, Sqrt

EARTH_RADIUS_MILES = 3958.8
MILES_PER_DEGREE_LATITUDE = 69.0
SEARCH_CONFIG = "english"
SQLITE_SEARCH_FIELDS = [
    "headline",
    "brief_title",
    "official_title",
    "acronym",
    "plain_summary",
    "registry_summary",
    "condition_names",
    "registrant_conditions",
    "mesh_terms",
    "interventions",
    "keywords",
    "sponsor",
    "nct_id",
]


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


def haversine(latitude: str, longitude: str, lat: float, lon: float) -> Func:
    """The distance in miles from (lat, lon) to the row's coordinates, as a SQL expression."""
    lat1, lon1 = Radians(Value(lat)), Radians(Value(lon))
    lat2, lon2 = Radians(F(latitude)), Radians(F(longitude))
    a = Power(Sin((lat2 - lat1) / 2), 2) + Cos(lat1) * Cos(lat2) * Power(Sin((lon2 - lon1) / 2), 2)
    return Value(2 * EARTH_RADIUS_MILES) * ASin(Sqrt(a))


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


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def _sqlite_terms(q: str) -> tuple[list[str], list[str]]:
    """Words a simple match must find, and `-words` it must not: quotes and OR are ignored."""
    words = [w for w in re.findall(r"-?[\w']+", q) if w.lower() != "or"]
    wanted = [w for w in words if not w.startswith("-")]
    unwanted = [w.lstrip("-") for w in words if w.startswith("-") and w.lstrip("-")]
    return wanted, unwanted


def _in_any_field(term: str) -> Q:
    found = Q()
    for field in SQLITE_SEARCH_FIELDS:
        found |= Q(**{f"{field}__icontains": term})
    return found


class TrialSearchMixin:
    """Search and filter methods for TrialQuerySet; each returns a QuerySet and they chain."""

    def search(self, q: str):
        """Trials matching a search-engine style query, annotated with `rank` (higher is better)."""
        q = q.strip()
        if not q:
            return self
        if is_postgresql():
            from django.contrib.postgres.search import SearchQuery, SearchRank

            query = SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
            # Normalisation 1 divides by log(length): long summaries don't drown short records.
            return self.filter(search_vector=query).annotate(
                rank=SearchRank(F("search_vector"), query, normalization=Value(1))
            )
        wanted, unwanted = _sqlite_terms(q)
        if not wanted:
            return self.none()
        matched = self
        for term in wanted:
            matched = matched.filter(_in_any_field(term))
        for term in unwanted:
            matched = matched.exclude(_in_any_field(term))
        return matched.annotate(rank=Value(1.0, output_field=models.FloatField()))

    def with_status(self, statuses: list[str]):
        return self.filter(status__in=statuses) if statuses else self

    def in_phases(self, phases: list[str]):
        return self.filter(phase__in=phases) if phases else self

    def in_category(self, category):
        return self.filter(categories=category) if category else self

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

    def near(self, lat: float, lon: float, miles: float):
        """Trials with a site within `miles`, annotated with `distance` to the nearest such site."""
        return (
            self.filter(within_box("locations__", lat, lon, miles))
            .annotate(
                distance=Min(haversine("locations__latitude", "locations__longitude", lat, lon))
            )
            .filter(distance__lte=miles)
        )

    def sorted_by(self, sort: str):
        """relevance (needs search), nearest (needs near), updated or newest."""
        annotations = self.query.annotations
        if sort == "relevance" and "rank" in annotations:
            return self.order_by(
                F("rank").desc(), F("last_updated_at").desc(nulls_last=True), "-id"
            )
        if sort == "nearest" and "distance" in annotations:
            return self.order_by("distance", "-id")
        if sort == "newest":
            return self.order_by(F("first_submitted_on").desc(nulls_last=True), "-id")
        return self.order_by(F("last_updated_at").desc(nulls_last=True), "-id")

    def _location_model(self):
        return self.model._meta.get_field("locations").related_model


def attach_nearest_sites(trials: list, place: Place | None = None, country: str = "") -> None:
    """Give each trial `nearest_location` (with `distance` when a place is given) and `site_count`.

    One query for the whole page, however many sites each trial has.
    """
    if not trials:
        return
    Location = trials[0]._meta.get_field("locations").related_model
    sites = Location.objects.filter(trial_id__in=[t.pk for t in trials])
    order = []
    if place is not None:
        sites = sites.annotate(
            distance=haversine("latitude", "longitude", place.latitude, place.longitude)
        )
        order.append(F("distance").asc(nulls_last=True))
    if country:
        order.append(models.Case(models.When(country__iexact=country, then=0), default=1))
    order += [F("position").asc(), F("id").asc()]
    sites = sites.annotate(
        nearness=Window(RowNumber(), partition_by=[F("trial_id")], order_by=order),
        site_count=Window(Count("id"), partition_by=[F("trial_id")]),
    ).filter(nearness=1)
    by_trial = {site.trial_id: site for site in sites}
    for trial in trials:
        trial.nearest_location = by_trial.get(trial.pk)
        trial.site_count = getattr(trial.nearest_location, "site_count", 0)


def suggest_condition(q: str) -> str | None:
    """A condition name close to a misspelled query (“Did you mean …”), PostgreSQL only."""
    q = q.strip()
    if not is_postgresql() or not q or len(q) > 100:
        return None
    from django.contrib.postgres.search import TrigramWordSimilarity

    from .models import Condition

    best = (
        Condition.objects.filter(name__trigram_word_similar=q)
        .annotate(similarity=TrigramWordSimilarity(q, "name"))
        .order_by("-similarity", models.functions.Length("name"))
        .values_list("name", flat=True)
        .first()
    )
    if best is None or best.lower() == q.lower():
        return None
    return best
