"""A trial's posted results, stored as one document (see `data` for why)."""

import datetime as dt
from collections.abc import Iterable

from django.db import models
from django.utils.functional import cached_property

from . import data


class TrialResultsQuerySet(models.QuerySet):
    def store_new(self, pairs: Iterable[tuple[int, data.Results | None]]) -> None:
        """Results of trials inserted a moment ago: (trial id, results or None) pairs."""
        self.bulk_create(
            [_row(trial_id, results) for trial_id, results in pairs if results is not None],
            batch_size=500,
        )

    def replace(self, trial_id: int, results: data.Results | None) -> None:
        """Bring one trial's stored results in line with the registry's (None: it has none)."""
        if results is None:
            self.filter(trial_id=trial_id).delete()
            return
        row = _row(trial_id, results)
        self.update_or_create(
            trial_id=trial_id,
            defaults={"first_posted_on": row.first_posted_on, "document": row.document},
        )


class TrialResults(models.Model):
    """What a study found, as posted on the registry, one row per trial that has posted any.

    Written only by the import, which writes `Trial.has_results` with it and announces the
    trials it touched (trials.signals.trials_changed), as for the rest of a record.
    """

    trial = models.OneToOneField("trials.Trial", on_delete=models.CASCADE, related_name="results")
    first_posted_on = models.DateField(
        null=True, blank=True, help_text="When the registry first posted results."
    )
    document = models.JSONField(help_text="The results as trials.results.data.Results holds them.")

    objects = TrialResultsQuerySet.as_manager()

    class Meta:
        app_label = "trials"
        verbose_name = "posted results"
        verbose_name_plural = "posted results"

    def __str__(self) -> str:
        return f"Results of trial {self.trial_id}"

    @cached_property
    def parsed(self) -> data.Results:
        return data.from_json(self.document)


def _row(trial_id: int, results: data.Results) -> TrialResults:
    posted = results.first_posted_on
    posted_on = None
    if len(posted) == 10:
        posted_on = dt.date.fromisoformat(posted)
    elif len(posted) == 7:
        posted_on = dt.date.fromisoformat(f"{posted}-01")
    document = data.to_json(results)
    return TrialResults(trial_id=trial_id, first_posted_on=posted_on, document=document)
