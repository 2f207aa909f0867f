"""The registry record of a trial over time: one row for each state of it we saw."""

from django.db import models
from django.db.models import Q

from ..changes import as_sentences, describe_version
from ..masking import MasksRegistryText
from .trials import Trial


class TrialVersion(MasksRegistryText, models.Model):
    """One recorded state of a trial's registry record: its arrival, or a change to it.

    These rows are durable: the alert sender picks up new ones after the import has finished.
    """

    class Kind(models.TextChoices):
        NEW = "NEW", "New trial"
        CHANGED = "CHANGED", "Changed"

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=Kind)
    seen_at = models.DateTimeField(help_text="When we saw this version.")
    registry_updated_on = models.DateField(
        null=True, blank=True, help_text="The registry's last-update date for this version."
    )
    changes = models.JSONField(
        default=list,
        blank=True,
        help_text="Field-level differences from the previous version.",
    )

    class Meta:
        ordering = ["trial", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["trial", "number"], name="trial_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="trial_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.trial.nct_id} version {self.number}"

    def change_lines(self) -> list[str]:
        """The changes in plain words (trials/changes.py), a line each."""
        return describe_version(self.kind == self.Kind.NEW, self.changes)

    def in_words(self) -> str:
        """The changes in plain words, as one paragraph."""
        return as_sentences(self.change_lines())
