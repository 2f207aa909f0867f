"""An unsubscribe secret of its own for each address, apart from the manage key."""

from django.db import migrations, models

import subscriptions.models


def give_each_address_its_own(apps, schema_editor):
    # AddField gave every existing row the same default value: replace it, row by row.
    Subscriber = apps.get_model("subscriptions", "Subscriber")
    for subscriber in Subscriber.objects.only("pk").iterator():
        Subscriber.objects.filter(pk=subscriber.pk).update(
            unsubscribe_key=subscriptions.models.new_key()
        )


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0003_condition_group_names")]

    operations = [
        migrations.AddField(
            model_name="subscriber",
            name="unsubscribe_key",
            field=models.CharField(
                default=subscriptions.models.new_key, editable=False, max_length=64
            ),
        ),
        migrations.RunPython(give_each_address_its_own, migrations.RunPython.noop),
    ]
