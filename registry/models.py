"""What `manage.py sync_ctgov` remembers between runs."""

from django.db import models


class SyncMark(models.Model):
    """How far the database is in step with the registry, for one query (“” is everything).

    `updated_since` is the high-water mark: the next run asks for every study whose last update
    was posted on or after it. It moves only when a run has finished without a failure, so an
    interrupted or failed run is simply redone from the same place.
    """

    query = models.CharField(max_length=2000, unique=True, blank=True)
    updated_since = models.DateField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_summary = models.CharField(max_length=200, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_failure = models.TextField(blank=True)

    class Meta:
        verbose_name = "registry sync"

    def __str__(self) -> str:
        return self.query or "all studies"
