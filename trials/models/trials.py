"""Trials as patients see them: registry facts, our plain-language reading, and how to find
them (TrialQuerySet, whose search methods are trials/search.py's)."""

import datetime as dt

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse

from plain import stopping

from .. import naming
from ..choices import (
    INTERVENTION_KINDS,
    DatePrecision,
    Phase,
    Sex,
    Status,
    StudyType,
    status_is_stale,
)
from ..eligibility import Eligibility
from ..masking import MasksRegistryText
from ..nct import NCT_ID_PATTERN, validate_nct_id
from ..search import TrialSearchMixin
from ..synonyms import current_vocabulary
from ..vocabulary import Vocabulary
from .conditions import Condition, ConditionGroup
from .locations import Location

GENERATED_NOTE = "Written automatically from the registry record."
NOT_CHECKED = "Our editors have not checked it yet."
GENERATED_PART_NAMES = {
    "headline": "the headline",
    "summary": "the summary",
    "reading": "“What this could mean”",
}


class TrialQuerySet(TrialSearchMixin, models.QuerySet):
    def _location_model(self):
        """The trials' sites, which the search methods' subqueries read."""
        return Location

    def _vocabulary(self) -> Vocabulary:
        """The search vocabulary as editors last left it, which word searches read."""
        return current_vocabulary()

    def published(self):
        return self.filter(is_published=True)

    def visible_to(self, user):
        """Drafts are for staff only."""
        return self if user.is_active and user.is_staff else self.published()

    def with_results(self, only: bool = True):
        """Trials that have posted results (every trial when `only` is false)."""
        return self.filter(has_results=True) if only else self

    def recently_updated(self):
        return self.order_by(models.F("last_updated_at").desc(nulls_last=True), "-id")

    def count_by_group(self) -> dict[int, int]:
        """{condition group id: number of these trials in it}, counted on the link table alone.

        Joining every trial row to count took 1.4 s at 500,000 trials; a semi-join against the
        ids (an index-only scan for published trials) takes a fifth of that.
        """
        links = Trial.groups.through.objects.filter(trial_id__in=self.values("pk"))
        return dict(
            links.order_by()
            .values_list("conditiongroup_id")
            .annotate(trials=models.Count("trial_id"))
        )

    def needing_review(self):
        """Trials whose registry record changed after the plain-language text was written."""
        return self.exclude(plain_language_version=None).filter(
            current_version__gt=models.F("plain_language_version")
        )


class Trial(MasksRegistryText, models.Model):
    nct_id = models.CharField("NCT ID", max_length=11, unique=True, validators=[validate_nct_id])
    is_published = models.BooleanField(
        "published", default=False, help_text="Only published trials are shown to the public."
    )

    # Our plain-language reading, written by editors; an import never touches these.
    headline = models.CharField(max_length=200, blank=True)
    plain_summary = models.TextField("summary", blank=True)
    active_substance = models.CharField(max_length=300, blank=True)
    could_lead_to = models.TextField("what this could lead to", blank=True)
    could_go_wrong = models.TextField("what could go wrong", blank=True)
    plain_results = models.TextField(
        "what the study found",
        blank=True,
        help_text="Our own words for the posted results; when empty, the page shows text "
        "written automatically from the numbers.",
    )
    plain_language_version = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The registry version the plain-language text was written against.",
    )

    # Written automatically from the registry's facts at each import (plain/writer.py), and
    # shown wherever an editor has not written the field above; never edited by hand.
    generated_headline = models.CharField(max_length=200, blank=True, editable=False)
    generated_summary = models.TextField(blank=True, editable=False)
    generated_active_substance = models.TextField(blank=True, editable=False)
    generated_could_lead_to = models.TextField(blank=True, editable=False)
    generated_could_go_wrong = models.TextField(blank=True, editable=False)

    # The registry's own words and facts.
    brief_title = models.CharField(max_length=500)
    official_title = models.TextField(blank=True)
    acronym = models.CharField(max_length=100, blank=True)
    registry_summary = models.TextField("registry summary", blank=True)
    detailed_description = models.TextField(blank=True)
    status = models.CharField(max_length=32, choices=Status, default=Status.UNKNOWN)
    why_stopped = models.TextField(
        blank=True, help_text="Why the study stopped, in the study team's words (masked)."
    )
    phase = models.CharField(max_length=16, choices=Phase, blank=True)
    study_type = models.CharField(max_length=20, choices=StudyType, blank=True)
    enrollment = models.PositiveIntegerField(null=True, blank=True)
    enrollment_is_estimate = models.BooleanField(default=False)
    sponsor = models.CharField(max_length=300, blank=True)
    collaborators = models.JSONField(default=list, blank=True)
    officials = models.JSONField(
        default=list, blank=True, help_text="Overall officials: name, role, affiliation."
    )
    interventions = models.JSONField(
        default=list, blank=True, help_text="Type, name, description and other names."
    )
    keywords = models.JSONField(default=list, blank=True)
    design = models.JSONField(
        default=dict,
        blank=True,
        help_text="Design codes: allocation, intervention model, purpose, masking, arm types.",
    )
    registrant_conditions = models.JSONField(
        default=list,
        blank=True,
        help_text="Condition terms exactly as the registrant entered them, in their order.",
    )
    mesh_terms = models.JSONField(
        default=list, blank=True, help_text="MeSH condition terms and ancestors from the registry."
    )
    conditions = models.ManyToManyField(Condition, related_name="trials", blank=True)
    groups = models.ManyToManyField(
        ConditionGroup, related_name="trials", blank=True, verbose_name="condition groups"
    )

    first_submitted_on = models.DateField(null=True, blank=True)
    status_verified_on = models.DateField(
        "status last verified",
        null=True,
        blank=True,
        help_text="The month the study team last confirmed the recruitment status.",
    )
    last_update_posted_on = models.DateField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    start_date_precision = models.CharField(max_length=5, choices=DatePrecision, blank=True)
    start_date_is_estimate = models.BooleanField(default=False)
    completion_date = models.DateField(null=True, blank=True)
    completion_date_precision = models.CharField(max_length=5, choices=DatePrecision, blank=True)
    completion_date_is_estimate = models.BooleanField(default=False)

    # Who can take part.
    eligibility_criteria = models.TextField(blank=True)
    sex = models.CharField(max_length=6, choices=Sex, default=Sex.ALL)
    minimum_age = models.CharField(max_length=30, blank=True, help_text="As the registry says it.")
    maximum_age = models.CharField(max_length=30, blank=True, help_text="As the registry says it.")
    minimum_age_years = models.FloatField(null=True, blank=True)
    maximum_age_years = models.FloatField(null=True, blank=True)
    healthy_volunteers = models.BooleanField(null=True, blank=True)

    # Whether the registry has posted results (stored in trials.results.models.TrialResults).
    has_results = models.BooleanField(default=False)

    # Our own record of the registry entry over time.
    first_seen_at = models.DateTimeField(null=True, blank=True)
    last_updated_at = models.DateTimeField(null=True, blank=True)
    update_count = models.PositiveIntegerField(
        default=0, help_text="Changes to the registry record we have recorded."
    )
    current_version = models.PositiveIntegerField(default=0)
    content_hash = models.CharField(
        max_length=64, blank=True, editable=False, help_text="SHA-256 of the facts we store."
    )
    source_hash = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="SHA-256 of the registry record as last received: the same bytes again are "
        "skipped without being read.",
    )
    registry_snapshot = models.JSONField(default=dict, blank=True, editable=False)

    # Search: PostgreSQL's trigger (migrations 0003 and 0014) weighs these columns into
    # search_vector; condition_names copies the linked conditions there, see
    # refresh_search_text().
    condition_names = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    # What names the trial, and what its texts say after "non", as ranking reads them
    # (trials/naming.py), written with the fields they are made from.
    own_names = models.TextField(blank=True, editable=False)
    filed_names = models.TextField(blank=True, editable=False)
    after_non = models.TextField(blank=True, editable=False)

    objects = TrialQuerySet.as_manager()

    class Meta:
        ordering = ["nct_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(nct_id__regex=NCT_ID_PATTERN), name="trial_nct_id_format"
            ),
            models.CheckConstraint(
                condition=Q(minimum_age_years__isnull=True)
                | Q(maximum_age_years__isnull=True)
                | Q(minimum_age_years__lte=models.F("maximum_age_years")),
                name="trial_age_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="trial_status_known"
            ),
            models.CheckConstraint(
                condition=Q(phase__in=[*Phase.values, ""]), name="trial_phase_known"
            ),
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="trial_sex_known"),
        ]
        indexes = [
            # The listings' own orders have partial indexes on PostgreSQL (migration 0004).
            models.Index(fields=["status"], name="trial_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.nct_id}: {self.title}"

    def save(self, *args, **kwargs):
        """Registry text is masked (MasksRegistryText) and the names ranking reads are written
        from it, whichever fields the save writes."""
        self.mask_contacts()
        self.refresh_names()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and naming.NAMING_FIELDS.intersection(update_fields):
            kwargs["update_fields"] = {*update_fields, *naming.NAME_COLUMNS}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("trials:detail", args=[self.nct_id])

    def refresh_names(self) -> None:
        """Set the NAME_COLUMNS from the fields they are made from (not saved)."""
        values = {field: getattr(self, field) for field in naming.NAMING_FIELDS}
        for column, text in naming.names_of(values).items():
            setattr(self, column, text)

    @property
    def title(self) -> str:
        """What we call the trial: our editors' headline, else the one written from the
        registry's facts, else the registry's brief title."""
        return self.headline or self.generated_headline or self.brief_title

    @property
    def summary(self) -> str:
        return self.plain_summary or self.generated_summary or self.registry_summary

    @property
    def summary_is_registrants(self) -> bool:
        return not (self.plain_summary or self.generated_summary) and bool(self.registry_summary)

    @property
    def reading(self) -> dict[str, str]:
        """“What this could mean”: the editors' when they wrote any of it, else the generated."""
        if self.active_substance or self.could_lead_to or self.could_go_wrong:
            return {
                "active_substance": self.active_substance,
                "could_lead_to": self.could_lead_to,
                "could_go_wrong": self.could_go_wrong,
            }
        return {
            "active_substance": self.generated_active_substance,
            "could_lead_to": self.generated_could_lead_to,
            "could_go_wrong": self.generated_could_go_wrong,
        }

    @property
    def has_plain_reading(self) -> bool:
        return any(self.reading.values())

    @property
    def generated_parts(self) -> list[str]:
        """The parts of our plain-language text shown as written automatically, not by an
        editor: some of "headline", "summary", "reading"."""
        parts = []
        if not self.headline and self.generated_headline:
            parts.append("headline")
        if not self.plain_summary and self.generated_summary:
            parts.append("summary")
        editors_reading = self.active_substance or self.could_lead_to or self.could_go_wrong
        if not editors_reading and (self.generated_could_lead_to or self.generated_could_go_wrong):
            parts.append("reading")
        return parts

    @property
    def generated_note(self) -> str:
        """The label on text written automatically: the page says which parts it covers."""
        parts = self.generated_parts
        if not parts:
            return ""
        if len(parts) == 3:
            return f"{GENERATED_NOTE} {NOT_CHECKED}"
        names = [GENERATED_PART_NAMES[part] for part in parts]
        named = " and ".join(names)
        verb, pronoun = ("was", "it") if len(names) == 1 else ("were", "them")
        return (
            f"{named[0].upper()}{named[1:]} {verb} written automatically from the registry "
            f"record. Our editors have not checked {pronoun} yet."
        )

    @property
    def stopped(self) -> "stopping.Stopped | None":
        """How and why the study stopped, when it is terminated, suspended or withdrawn."""
        return stopping.why_stopped(self.status, self.why_stopped)

    @property
    def registry_title(self) -> str:
        """The registry's title, shown as the official title beside our headline."""
        return self.official_title or self.brief_title

    @property
    def interventions_described(self) -> list[dict]:
        """The registrant's interventions with a kind in plain words, for the trial page."""
        return [
            {
                "kind": INTERVENTION_KINDS.get(item.get("type") or "", ""),
                "name": item.get("name") or "",
                "description": item.get("description") or "",
                "other_names": item.get("other_names") or [],
            }
            for item in self.interventions
            if isinstance(item, dict) and (item.get("name") or item.get("description"))
        ]

    @property
    def registry_changed_since_written(self) -> bool:
        return (
            self.plain_language_version is not None
            and self.current_version > self.plain_language_version
        )

    @property
    def registry_url(self) -> str:
        return f"https://clinicaltrials.gov/study/{self.nct_id}"

    @property
    def primary_group(self) -> "ConditionGroup | None":
        groups = list(self.groups.all())
        return groups[0] if groups else None

    @property
    def completion_has_passed(self) -> bool:
        return self.completion_date is not None and self.completion_date < dt.date.today()

    @property
    def status_is_stale(self) -> bool:
        return status_is_stale(
            self.status, self.status_verified_on, self.completion_date, dt.date.today()
        )

    @property
    def eligibility(self) -> "Eligibility":
        return Eligibility.from_text(self.eligibility_criteria)

    def refresh_search_text(self) -> None:
        """Copy the linked condition names into the row, so the database re-weighs the search and
        ranking reads them among the names the trial is filed under."""
        self.condition_names = " ".join(
            self.conditions.order_by("name").values_list("name", flat=True)
        )
        self.refresh_names()
        Trial.objects.filter(pk=self.pk).update(
            condition_names=self.condition_names,
            **{column: getattr(self, column) for column in naming.NAME_COLUMNS},
        )
