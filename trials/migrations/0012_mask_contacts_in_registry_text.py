"""Mask the phone numbers and emails already stored in registry text (trials/masking.py).

Imports mask every record from now on; this brings the rows stored before up to the same state,
including the snapshots later changes are diffed from and the diffs the history page shows.
Rows whose text holds no contact are left untouched.
"""

from django.db import migrations

from trials.masking import REGISTRY_TEXT_FIELDS, mask_record

BATCH = 500


def _mask_rows(model, fields: tuple[str, ...]) -> None:
    changed = []
    for row in model.objects.only("pk", *fields).iterator(chunk_size=BATCH):
        dirty = False
        for name in fields:
            value = getattr(row, name)
            masked = mask_record(value)
            if masked != value:
                setattr(row, name, masked)
                dirty = True
        if dirty:
            changed.append(row)
        if len(changed) >= BATCH:
            model.objects.bulk_update(changed, fields)
            changed = []
    if changed:
        model.objects.bulk_update(changed, fields)


def mask_stored_text(apps, schema_editor):
    for name in ("Trial", "Location", "Contact", "TrialVersion"):
        model = apps.get_model("trials", name)
        # The fields the model had then: later migrations add more to the list.
        existing = {field.name for field in model._meta.get_fields()}
        fields = tuple(f for f in REGISTRY_TEXT_FIELDS[name] if f in existing)
        _mask_rows(model, fields)
    Condition = apps.get_model("trials", "Condition")
    for condition in Condition.objects.all():
        masked = mask_record(condition.name)
        if masked != condition.name and not Condition.objects.filter(name=masked).exists():
            Condition.objects.filter(pk=condition.pk).update(name=masked)


class Migration(migrations.Migration):
    dependencies = [("trials", "0011_seed_search_vocabulary")]

    operations = [migrations.RunPython(mask_stored_text, migrations.RunPython.noop)]
