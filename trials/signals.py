"""Keep search text and cached pages in step with the data they come from."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal, receiver

from . import pagecache
from .models import Condition, ConditionCategory, Contact, Location, Trial, TrialVersion

# Sent after an import stored new trials or changes (its rows are bulk-created, so no post_save):
# whoever tells people about changes listens here. `counts` is the import's Counts.
versions_recorded = Signal()

# Sent by every write that changes trials without model signals (bulk_create, update()):
# `nct_ids` names the trials it touched, captured before the write; `catalog=True` says that
# condition or group names changed. The receiver below forgets every page that shows them.
trials_changed = Signal()


@receiver(trials_changed)
def forget_pages(sender, nct_ids=(), catalog: bool = False, **kwargs):
    tokens = [pagecache.trial_token(nct_id) for nct_id in nct_ids]
    if tokens or catalog:
        tokens.append(pagecache.ALL_TRIALS)
    if catalog:
        tokens.append(pagecache.CATALOG)
    if tokens:
        pagecache.touch(*tokens)


@receiver(post_save, sender=Trial)
@receiver(post_delete, sender=Trial)
def trial_changed(sender, instance: Trial, **kwargs):
    pagecache.forget_trial(instance.nct_id)


@receiver(post_save, sender=Location)
@receiver(post_delete, sender=Location)
@receiver(post_save, sender=Contact)
@receiver(post_delete, sender=Contact)
@receiver(post_save, sender=TrialVersion)
@receiver(post_delete, sender=TrialVersion)
def trial_part_changed(sender, instance, **kwargs):
    nct_id = Trial.objects.filter(pk=instance.trial_id).values_list("nct_id", flat=True).first()
    if nct_id:
        pagecache.forget_trial(nct_id)
    else:
        pagecache.touch(pagecache.ALL_TRIALS)


@receiver(m2m_changed, sender=Trial.conditions.through)
@receiver(m2m_changed, sender=Trial.categories.through)
def trial_links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear" and reverse:
        # Which trials a condition or category is about to lose is only known before the clear.
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
        pagecache.forget_trial(trial.nct_id)


@receiver(post_save, sender=Condition)
def condition_renamed(sender, instance: Condition, created: bool, **kwargs):
    if not created:
        for trial in instance.trials.all():
            trial.refresh_search_text()
    pagecache.touch(pagecache.ALL_TRIALS, pagecache.CATALOG)


@receiver(post_delete, sender=Condition)
@receiver(post_save, sender=ConditionCategory)
@receiver(post_delete, sender=ConditionCategory)
def catalog_changed(sender, **kwargs):
    pagecache.touch(pagecache.ALL_TRIALS, pagecache.CATALOG)
