"""Start a sending run when there may be news: a version recorded, or a trial made public."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from trials.models import Trial, TrialVersion
from trials.signals import versions_recorded

from .delivery import record_publications
from .models import Publication
from .tasks import request_run_on_commit


@receiver(post_save, sender=TrialVersion)
def version_recorded(sender, instance: TrialVersion, created: bool, raw: bool = False, **kwargs):
    if created and not raw:
        request_run_on_commit()


@receiver(versions_recorded)
def import_recorded(sender, **kwargs):
    # Imported trials are bulk-created: note now that the published ones became public, so a
    # sign-up made after this import does not hear of them as new.
    record_publications()
    request_run_on_commit()


@receiver(post_save, sender=Trial)
def trial_saved(sender, instance: Trial, raw: bool = False, **kwargs):
    if raw or not instance.is_published:
        return
    _, created = Publication.objects.get_or_create(
        trial=instance, defaults={"published_at": timezone.now()}
    )
    if created:
        request_run_on_commit()
