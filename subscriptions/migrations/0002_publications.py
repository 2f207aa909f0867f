"""Trials already public before alerts existed are not news: record them as published."""

from django.db import migrations
from django.utils import timezone


def record_existing(apps, schema_editor):
    Trial = apps.get_model("trials", "Trial")
    Publication = apps.get_model("subscriptions", "Publication")
    now = timezone.now()
    rows = [
        Publication(trial_id=pk, published_at=first_seen or now)
        for pk, first_seen in Trial.objects.filter(is_published=True).values_list(
            "pk", "first_seen_at"
        )
    ]
    Publication.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0001_initial")]

    operations = [migrations.RunPython(record_existing, migrations.RunPython.noop)]
