"""A subscription's `category` becomes `group`, as condition groups are called everywhere. The
column is renamed, so every sign-up stays; the constraints naming it are made again."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0005_relaymessage_moved_to_relay"),
        ("trials", "0015_condition_groups"),
    ]

    operations = [
        migrations.RemoveConstraint("subscription", "subscription_follows_one_thing"),
        migrations.RemoveConstraint("subscription", "subscription_category_unique"),
        migrations.RenameField("subscription", "category", "group"),
        migrations.AddConstraint(
            model_name="subscription",
            constraint=models.CheckConstraint(
                condition=models.Q(trial__isnull=False, group__isnull=True)
                | models.Q(trial__isnull=True, group__isnull=False),
                name="subscription_follows_one_thing",
            ),
        ),
        migrations.AddConstraint(
            model_name="subscription",
            constraint=models.UniqueConstraint(
                condition=models.Q(group__isnull=False),
                fields=("subscriber", "group"),
                name="subscription_group_unique",
            ),
        ),
    ]
