"""Keep search text and cached pages in step with the data they come from."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal, receiver

from core import pagecache

from .models import Condition, ConditionGroup, Contact, Location, Synonym, Trial, TrialVersion
from .synonyms import forget_vocabulary

# Sent after an import stored new trials or changes (its rows are bulk-created, so no post_save):
# whoever tells people about changes listens here. `counts` is the import's Counts.
versions_recorded = Signal()

# Sent by every write to trials: `nct_ids` names the trials it touched (captured before a bulk
# update, which may change what a queryset selects); `catalog=True` says that condition or
# group names changed. Model signals below send it too; `forget_pages` is its one receiver.
trials_changed = Signal()

# What cached pages show (see core.pagecache): one trial; any listing; condition group names.
LISTINGS = "trials"
CATALOG = "catalog"


def trial_version(nct_id: str) -> str:
    return f"trial:{nct_id}"


def shows_trial(nct_id: str, **kwargs) -> list[str]:
    return [trial_version(nct_id), CATALOG]


def shows_listings(**kwargs) -> list[str]:
    """Any trial, and any group name, may appear in a listing."""
    return [LISTINGS]


@receiver(trials_changed)
def forget_pages(sender, nct_ids=(), catalog: bool = False, **kwargs):
    names = [trial_version(nct_id) for nct_id in nct_ids] + ([CATALOG] if catalog else [])
    pagecache.forget(LISTINGS, *names)


@receiver(post_save, sender=Trial)
@receiver(post_delete, sender=Trial)
def trial_changed(sender, instance: Trial, **kwargs):
    trials_changed.send(sender=Trial, nct_ids=[instance.nct_id])


@receiver(post_save, sender=Location)
@receiver(post_delete, sender=Location)
@receiver(post_save, sender=Contact)
@receiver(post_delete, sender=Contact)
@receiver(post_save, sender=TrialVersion)
@receiver(post_delete, sender=TrialVersion)
def trial_part_changed(sender, instance, **kwargs):
    nct_ids = Trial.objects.filter(pk=instance.trial_id).values_list("nct_id", flat=True)
    trials_changed.send(sender=sender, nct_ids=list(nct_ids))


@receiver(m2m_changed, sender=Trial.conditions.through)
@receiver(m2m_changed, sender=Trial.groups.through)
def trial_links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear" and reverse:
        # Which trials a condition or group is about to lose is only known before the clear.
        instance._cleared_trial_ids = list(instance.trials.values_list("pk", flat=True))
    if not action.startswith("post_"):
        return
    if reverse:
        ids = instance.__dict__.pop("_cleared_trial_ids", []) if action == "post_clear" else pk_set
        trials = Trial.objects.filter(pk__in=ids or [])
    else:
        trials = [instance]
    for trial in trials:
        if sender is Trial.conditions.through:
            trial.refresh_search_text()
    trials_changed.send(sender=Trial, nct_ids=[trial.nct_id for trial in trials])


@receiver(post_save, sender=Condition)
def condition_renamed(sender, instance: Condition, created: bool, **kwargs):
    if not created:
        for trial in instance.trials.all():
            trial.refresh_search_text()
    trials_changed.send(sender=Condition, catalog=True)


@receiver(post_delete, sender=Condition)
@receiver(post_save, sender=ConditionGroup)
@receiver(post_delete, sender=ConditionGroup)
def catalog_changed(sender, **kwargs):
    trials_changed.send(sender=sender, catalog=True)


@receiver(post_save, sender=Synonym)
@receiver(post_delete, sender=Synonym)
def vocabulary_changed(sender, **kwargs):
    # Every search reads the vocabulary anew, and cached result pages built with it go.
    forget_vocabulary()
    pagecache.forget(LISTINGS)
