from functools import cached_property
from urllib.parse import urlencode

from django import forms
from django.http import QueryDict

from .choices import Phase, Sex, Status
from .models import ConditionGroup, Location
from .search import Nearby, Place, nearby_trials, zip_centroid

DEFAULT_DISTANCE = 50
MAX_DISTANCE = 3000
# Query parameters that were once called otherwise: a link with the old name still works.
RENAMED_PARAMETERS = {"category": "group"}


def url_value(value: str) -> str:
    """The registry's value as our URLs spell it: NOT_YET_RECRUITING is not-yet-recruiting."""
    return value.lower().replace("_", "-")


class RegistryChoiceField(forms.TypedMultipleChoiceField):
    """Repeatable checkboxes whose URL values are the registry's, lower case with hyphens."""

    def __init__(self, choices_enum, **kwargs):
        by_url = {url_value(value): value for value in choices_enum.values}
        super().__init__(
            choices=[(url_value(v), label) for v, label in choices_enum.choices],
            coerce=by_url.__getitem__,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            **kwargs,
        )


class TrialSearchForm(forms.Form):
    """The search and filters on /trials/ and each condition page, read from the query string."""

    SORTS = [
        ("relevance", "Best match"),
        ("nearest", "Nearest first"),
        ("updated", "Recently updated"),
        ("newest", "Newest"),
    ]
    SEXES = [("", "Any"), ("female", "Female"), ("male", "Male")]

    q = forms.CharField(
        label="Condition, treatment or NCT ID",
        max_length=200,
        required=False,
        error_messages={"max_length": "Please shorten your search to %(limit_value)d characters."},
    )
    status = RegistryChoiceField(Status, label="Recruitment status")
    phase = RegistryChoiceField(Phase, label="Phase")
    group = forms.ModelChoiceField(
        ConditionGroup.objects.all(),
        to_field_name="slug",
        label="Condition group",
        required=False,
        empty_label="Any condition",
        error_messages={"invalid_choice": "We don’t know that condition group."},
    )
    country = forms.CharField(label="Country", max_length=100, required=False)
    state = forms.CharField(label="State or region", max_length=100, required=False)
    zip = forms.CharField(
        label="US ZIP code",
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    distance = forms.IntegerField(
        label="Within (miles)",
        min_value=1,
        max_value=MAX_DISTANCE,
        required=False,
        error_messages={
            "invalid": "Distance is a number of miles, like 50.",
            "min_value": "Distance must be at least 1 mile.",
            "max_value": f"Distance can be at most {MAX_DISTANCE} miles.",
        },
    )
    age = forms.IntegerField(
        label="Age (years)",
        min_value=0,
        max_value=120,
        required=False,
        error_messages={
            "invalid": "Age is a whole number of years, like 45.",
            "min_value": "Age can’t be negative.",
            "max_value": "Age must be 120 or less.",
        },
    )
    sex = forms.TypedChoiceField(
        label="Sex",
        choices=SEXES,
        required=False,
        coerce=lambda v: {"female": Sex.FEMALE, "male": Sex.MALE}.get(v),
        empty_value=None,
        error_messages={"invalid_choice": "Sex can be female or male (or leave it empty)."},
    )
    healthy = forms.BooleanField(label="Accepts healthy volunteers", required=False)
    results = forms.BooleanField(label="Has results posted", required=False)
    hide_stale = forms.BooleanField(
        label="Leave out trials that may no longer be open",
        help_text="Trials that say they are open, but whose team has not confirmed it for over "
        "a year or whose planned end date has passed.",
        required=False,
    )
    sort = forms.ChoiceField(label="Sort by", choices=SORTS, required=False)

    def __init__(self, *args, group: ConditionGroup | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_group = group
        if group is not None:
            del self.fields["group"]
        for name in ("status", "phase", "sort"):
            self.fields[name].error_messages["invalid_choice"] = (
                f"We don’t know the {self.fields[name].label.lower()} “%(value)s”; "
                "it has been left out."
            )

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())

    def clean_country(self) -> str:
        return " ".join(self.cleaned_data["country"].split())

    def clean_state(self) -> str:
        return " ".join(self.cleaned_data["state"].split())

    def clean_zip(self) -> Place | None:
        value = self.cleaned_data["zip"].strip()
        if not value:
            return None
        place = zip_centroid(value[:5]) if value[:5].isdigit() else None
        if place is None or (len(value) > 5 and not value[5:].lstrip("-").isdigit()):
            raise forms.ValidationError(
                "We don’t know the ZIP code “%(zip)s”. Check it, or search by state instead.",
                params={"zip": value},
            )
        return place

    @property
    def sort_order(self) -> str:
        data = self.cleaned_data
        sort = data.get("sort")
        if sort == "relevance" and data.get("q") or sort == "nearest" and data.get("zip"):
            return sort
        if sort in ("updated", "newest"):
            return sort
        return "relevance" if data.get("q") else "nearest" if data.get("zip") else "updated"

    @cached_property
    def chosen(self) -> dict[str, list[str]]:
        """The checked boxes, as their URL values (the filters template draws the inputs)."""
        return {name: self.data.getlist(name) for name in ("status", "phase")}

    @property
    def has_filters(self) -> bool:
        """Whether anything but the words and the sort narrows the search (keeps filters open)."""
        return any(self.data.get(name) for name in self.fields if name not in ("q", "sort"))

    @property
    def miles(self) -> int:
        return self.cleaned_data.get("distance") or DEFAULT_DISTANCE

    def filter(self, trials, q: str | None = None):
        """Apply the words (`q` in place of the form's) and every valid filter but the place
        (see `nearby`); invalid ones were reported and are left out."""
        data = self.cleaned_data
        if data.get("hide_stale"):
            trials = trials.without_stale()
        return (
            trials.search(data.get("q") or "" if q is None else q)
            .with_status(data.get("status") or [])
            .in_phases(data.get("phase") or [])
            .in_group(self.fixed_group or data.get("group"))
            .in_place(data.get("country") or "", data.get("state") or "")
            .eligible_at_age(data.get("age"))
            .open_to_sex(data.get("sex"))
            .accepting_healthy_volunteers(bool(data.get("healthy")))
            .with_results(bool(data.get("results")))
        )

    def nearby(self) -> Nearby | None:
        """The trials within reach of the ZIP code, when one was given (looked up once)."""
        place = self.cleaned_data.get("zip")
        if place is None:
            return None
        if getattr(self, "_nearby", None) is None:
            self._nearby = nearby_trials(
                Location.objects, place.latitude, place.longitude, self.miles
            )
        return self._nearby

    def loosening(self) -> list[tuple[str, str]]:
        """(advice, query string) pairs for an empty result: each drops one thing narrowing it."""
        data = self.cleaned_data
        advice = []
        labels = {
            "q": "Search for fewer or more general words",
            "status": "Include every recruitment status",
            "phase": "Include every phase",
            "group": "Look in every condition group",
            "country": "Search every country",
            "state": "Search every state",
            "age": "Leave out the age",
            "sex": "Leave out sex",
            "healthy": "Include trials that don’t take healthy volunteers",
            "results": "Include trials without posted results",
            "hide_stale": "Include trials whose open status may be out of date",
        }
        for name, text in labels.items():
            if name in self.fields and data.get(name):
                advice.append((text, self.query_string(without={name})))
        if data.get("zip"):
            wider = min(self.miles * 4, MAX_DISTANCE)
            if wider > self.miles:
                advice.append(
                    (f"Look within {wider} miles", self.query_string(replace={"distance": wider}))
                )
            without_zip = self.query_string(without={"zip", "distance"})
            advice.append(("Leave out the ZIP code", without_zip))
        return advice

    def query_string(self, without: set[str] = frozenset(), replace: dict | None = None) -> str:
        """The current search as URL parameters (without the page), to link from it."""
        replace = replace or {}
        pairs = []
        for name in self.fields:
            if name in without:
                continue
            if name in replace:
                pairs.append((name, replace[name]))
                continue
            pairs += [(name, v) for v in self.data.getlist(name) if v != ""]
        return urlencode(pairs)


def search_key(query) -> list[tuple[str, str]]:
    """What a query string asks of a listing, as its cached copy's key: the search form's fields
    only (other parameters change nothing on the page), each as the form reads it (the last
    value of a single field, every value of a repeatable one), in a fixed order. Not validated
    here: an invalid search is answered with a 400, which is never kept. Old names of renamed
    parameters count too: such a link is answered with a redirect, never with a kept page."""
    pairs = []
    for name, field in TrialSearchForm.base_fields.items():
        values = query.getlist(name)
        single = not isinstance(field, forms.MultipleChoiceField)
        pairs += sorted((name, value) for value in (values[-1:] if single else values))
    for name in RENAMED_PARAMETERS:
        pairs += sorted((name, value) for value in query.getlist(name))
    return pairs


def with_current_names(query: QueryDict) -> QueryDict | None:
    """The query with each renamed parameter under its current name (where both names are
    given, the current one's values are kept), every other parameter as it was; None when the
    query uses no old name."""
    if not any(old in query for old in RENAMED_PARAMETERS):
        return None
    renamed = QueryDict(mutable=True)
    for name, values in query.lists():
        current = RENAMED_PARAMETERS.get(name)
        if current is None:
            renamed.setlist(name, [*renamed.getlist(name), *values])
        elif current not in query:
            renamed.setlist(current, values)
    return renamed
