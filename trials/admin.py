"""Admin for staff: editors write the plain-language text; registry facts come from imports."""

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db.models import Count, F
from django.urls import reverse
from django.utils.html import format_html

from .models import (
    Condition,
    ConditionGroup,
    Contact,
    Location,
    Synonym,
    Trial,
    TrialVersion,
)
from .readability import READING_GRADE_TARGET, reading_grade
from .signals import trials_changed

PLAIN_LANGUAGE_FIELDS = (
    "headline",
    "plain_summary",
    "active_substance",
    "could_lead_to",
    "could_go_wrong",
    "plain_results",
)
# Each editor's field, and the field holding the text written automatically in its place.
WRITTEN_AUTOMATICALLY = {
    "headline": "generated_headline",
    "plain_summary": "generated_summary",
    "active_substance": "generated_active_substance",
    "could_lead_to": "generated_could_lead_to",
    "could_go_wrong": "generated_could_go_wrong",
}
# ?start=automatic on a trial's change page fills the editor's fields with that text.
START_PARAMETER, START_AUTOMATIC = "start", "automatic"


class LocationInline(admin.StackedInline):
    model = Location
    extra = 0
    fields = (
        ("facility", "status"),
        ("city", "state", "postal_code", "country"),
        ("latitude", "longitude"),
        "position",
        "contacts_link",
    )
    readonly_fields = ("contacts_link",)
    show_change_link = True
    classes = ("collapse",)

    @admin.display(description="Contacts")
    def contacts_link(self, location):
        if not location.pk:
            return "Save the trial, then add this site's contacts from the site's own page."
        return format_html(
            '<a href="{}">Edit contacts at this site</a>',
            reverse("admin:trials_location_change", args=[location.pk]),
        )


class StudyContactInline(admin.TabularInline):
    """Study-level contacts: those not tied to one location."""

    model = Contact
    extra = 0
    fields = ("role", "name", "phone", "phone_extension", "email", "position")
    verbose_name = "study contact"
    verbose_name_plural = "study contacts"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(location=None)


class LocationContactInline(admin.TabularInline):
    model = Contact
    fk_name = "location"
    extra = 1
    fields = ("role", "name", "phone", "phone_extension", "email", "position")


class TrialVersionInline(admin.TabularInline):
    model = TrialVersion
    extra = 0
    fields = ("number", "kind", "seen_at", "registry_updated_on", "changes_in_words")
    readonly_fields = fields
    can_delete = False
    ordering = ("-number",)
    verbose_name_plural = "registry versions (read-only)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="What changed")
    def changes_in_words(self, version):
        return version.in_words()


def _update(queryset, **changes) -> int:
    """A bulk update, announced: it sends no model signals, and the trials it touched are read
    before it, since afterwards a filtered list (published, needing review) no longer holds
    them."""
    nct_ids = list(queryset.values_list("nct_id", flat=True))
    updated = queryset.update(**changes)
    trials_changed.send(sender=Trial, nct_ids=nct_ids)
    return updated


class NeedsReviewFilter(admin.SimpleListFilter):
    title = "plain-language text"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("changed", "Registry changed since written"),
            ("missing", "Not written yet"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "changed":
            return queryset.needing_review()
        if self.value() == "missing":
            return queryset.filter(plain_summary="")
        return queryset


@admin.register(Trial)
class TrialAdmin(admin.ModelAdmin):
    list_display = (
        "nct_id",
        "title",
        "status",
        "phase",
        "is_published",
        "needs_review",
        "update_count",
        "last_updated_at",
    )
    list_display_links = ("nct_id", "title")
    list_filter = ("is_published", NeedsReviewFilter, "status", "phase", "groups")
    search_fields = ("nct_id", "headline", "brief_title", "official_title", "acronym")
    list_per_page = 50
    date_hierarchy = "last_updated_at"
    filter_horizontal = ("conditions", "groups")
    readonly_fields = (
        "public_page",
        "automatic_text",
        "first_seen_at",
        "last_updated_at",
        "update_count",
        "current_version",
    )
    inlines = (StudyContactInline, LocationInline, TrialVersionInline)
    actions = ("publish", "unpublish", "mark_reviewed")
    fieldsets = (
        (None, {"fields": ("nct_id", "is_published", "public_page")}),
        (
            "Plain-language text",
            {
                "description": (
                    f"Written by our editors for patients. Aim for a reading grade of "
                    f"{READING_GRADE_TARGET} or below. Imports never change these fields."
                ),
                "fields": ("automatic_text", *PLAIN_LANGUAGE_FIELDS, "plain_language_version"),
            },
        ),
        (
            "From the registry",
            {
                "fields": (
                    "brief_title",
                    "official_title",
                    "acronym",
                    "registry_summary",
                    "detailed_description",
                    ("status", "status_verified_on", "phase", "study_type"),
                    "why_stopped",
                    ("enrollment", "enrollment_is_estimate"),
                    "sponsor",
                    "registrant_conditions",
                    "conditions",
                    "groups",
                    "keywords",
                    "interventions",
                    "has_results",
                ),
            },
        ),
        (
            "Who can take part",
            {
                "fields": (
                    ("sex", "healthy_volunteers"),
                    ("minimum_age", "minimum_age_years"),
                    ("maximum_age", "maximum_age_years"),
                    "eligibility_criteria",
                ),
            },
        ),
        (
            "Record",
            {
                "fields": ("first_seen_at", "last_updated_at", "update_count", "current_version"),
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        """Editors write our text; the registry's facts are the import's, changed only by it.

        Superusers keep every field editable, to add a trial by hand or correct a record.
        """
        readonly = list(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return readonly
        editable = {*PLAIN_LANGUAGE_FIELDS, "is_published"}
        fields = [name for name in flatten_fieldsets(self.fieldsets) if name not in editable]
        return readonly + [name for name in fields if name not in readonly]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        for name in PLAIN_LANGUAGE_FIELDS:
            field = form.base_fields.get(name)
            if field is None:
                continue
            text = getattr(obj, name, "") if obj else ""
            written = WRITTEN_AUTOMATICALLY.get(name)  # results are only ever an editor's
            automatic = getattr(obj, written, "") if obj and written else ""
            field.help_text = format_html(
                "{}{}", reading_grade_help(text), automatic_text_help(automatic)
            )
        if obj is not None and request.GET.get(START_PARAMETER) == START_AUTOMATIC:
            automatic = {name: getattr(obj, auto) for name, auto in WRITTEN_AUTOMATICALLY.items()}
            return starting_from(form, automatic)
        return form

    @admin.display(description="Written automatically")
    def automatic_text(self, trial):
        """The text the site shows until an editor writes: a starting point for our own."""
        if not trial.pk or not any(getattr(trial, f) for f in WRITTEN_AUTOMATICALLY.values()):
            return "Nothing yet: it is written from the registry record at each import."
        url = reverse("admin:trials_trial_change", args=[trial.pk])
        return format_html(
            '<a class="button" href="{}?{}={}">Fill the fields below with it</a> '
            "Each field shows it below, with its reading grade. Filling changes nothing "
            "until you press Save.",
            url,
            START_PARAMETER,
            START_AUTOMATIC,
        )

    @admin.display(description="Public page")
    def public_page(self, trial):
        if not trial.pk:
            return "Available after saving."
        label = "View on site" if trial.is_published else "Preview (draft, staff only)"
        return format_html('<a href="{}">{}</a>', trial.get_absolute_url(), label)

    @admin.display(boolean=True, description="Needs review")
    def needs_review(self, trial):
        return trial.registry_changed_since_written

    @admin.action(description="Publish selected trials")
    def publish(self, request, queryset):
        updated = _update(queryset, is_published=True)
        self.message_user(request, f"Published {updated} trial(s).")

    @admin.action(description="Unpublish selected trials (back to draft)")
    def unpublish(self, request, queryset):
        updated = _update(queryset, is_published=False)
        self.message_user(request, f"Moved {updated} trial(s) back to draft.")

    @admin.action(description="Mark plain-language text as reviewed against the latest version")
    def mark_reviewed(self, request, queryset):
        updated = _update(
            queryset.filter(current_version__gt=0), plain_language_version=F("current_version")
        )
        self.message_user(request, f"Marked {updated} trial(s) as reviewed.")

    def save_model(self, request, obj, form, change):
        # Writing the plain-language text pins the registry version it was written against.
        wrote_text = any(name in form.changed_data for name in PLAIN_LANGUAGE_FIELDS)
        if wrote_text and "plain_language_version" not in form.changed_data:
            obj.plain_language_version = obj.current_version
        super().save_model(request, obj, form, change)


def starting_from(form_class, values: dict[str, str]):
    """The change form with the editor's empty or written fields filled with `values` (the
    form's first showing only: what is posted back is the editor's)."""

    class StartingForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if not self.is_bound:
                self.initial.update({name: text for name, text in values.items() if text})

    return StartingForm


def automatic_text_help(text: str) -> str:
    if not text:
        return ""
    grade = reading_grade(text)
    graded = f" (reading grade {grade:.1f})" if grade is not None else ""
    return format_html(
        '<span class="automatic-text"><br>Written automatically{}: “{}”</span>', graded, text
    )


def reading_grade_help(text: str) -> str:
    grade = reading_grade(text)
    if grade is None:
        return f"Reading grade: shown once there is text. Target: grade {READING_GRADE_TARGET}."
    verdict = "on target" if grade <= READING_GRADE_TARGET else "too hard: use shorter words"
    return (
        f"Reading grade {grade:.1f} (US school grade; target {READING_GRADE_TARGET} "
        f"or below): {verdict}."
    )


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("facility", "city", "state", "country", "trial")
    search_fields = ("facility", "city", "trial__nct_id")
    list_select_related = ("trial",)
    raw_id_fields = ("trial",)
    inlines = (LocationContactInline,)

    def save_formset(self, request, form, formset, change):
        # A site's contacts belong to the site's trial too.
        for contact in formset.save(commit=False):
            contact.trial_id = form.instance.trial_id
            contact.save()
        for contact in formset.deleted_objects:
            contact.delete()
        formset.save_m2m()


class TrialCountColumn:
    """A sortable "Trials" column: how many trials each row is linked to (by `trials`)."""

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(trial_count=Count("trials"))

    @admin.display(description="Trials", ordering="trial_count")
    def trial_count(self, row):
        return row.trial_count


@admin.register(Condition)
class ConditionAdmin(TrialCountColumn, admin.ModelAdmin):
    list_display = ("name", "mesh_id", "trial_count")
    search_fields = ("name", "mesh_id")
    filter_horizontal = ("groups",)


@admin.register(ConditionGroup)
class ConditionGroupAdmin(TrialCountColumn, admin.ModelAdmin):
    list_display = ("name", "slug", "trial_count")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    """The search vocabulary: a saved synonym is searchable at once (trials/synonyms.py)."""

    list_display = ("said", "kind", "finds", "both_ways", "match_case")
    list_filter = ("kind", "both_ways")
    search_fields = ("said", "means")
    fields = ("said", "means", "not_meant", "kind", "both_ways", "match_case")

    @admin.display(description="What records say")
    def finds(self, synonym):
        return ", ".join(synonym.terms())


@admin.register(TrialVersion)
class TrialVersionAdmin(admin.ModelAdmin):
    list_display = ("trial", "number", "kind", "seen_at", "registry_updated_on")
    list_filter = ("kind",)
    search_fields = ("trial__nct_id",)
    list_select_related = ("trial",)
    readonly_fields = ("trial", "number", "kind", "seen_at", "registry_updated_on", "in_words")
    exclude = ("changes",)

    @admin.display(description="What changed")
    def in_words(self, version):
        return version.in_words()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
