"""Condition groups take that one name in the code too: ConditionCategory becomes ConditionGroup
and the trials' and conditions' `categories` become `groups`. Tables and columns are renamed, so
every row and link stays; permissions follow the model's new name, so editors keep theirs."""

from django.conf import settings
from django.db import migrations

ACTIONS = ("add", "change", "delete", "view")
RENAMED_CODENAMES = {f"{a}_conditioncategory": f"{a}_conditiongroup" for a in ACTIONS}


def renaming_permissions(renamed: dict[str, str]):
    def rename(apps, schema_editor):
        Permission = apps.get_model("auth", "Permission")
        ours = Permission.objects.filter(content_type__app_label="trials")
        for old, new in renamed.items():
            for permission in ours.filter(codename=old):
                existing = ours.filter(codename=new).first()
                if existing is None:
                    permission.codename = new
                    permission.save(update_fields=["codename"])
                    continue
                # Already made under the new name: whoever held the old one holds the new.
                existing.group_set.add(*permission.group_set.all())
                existing.user_set.add(*permission.user_set.all())
                permission.delete()

    return rename


class Migration(migrations.Migration):
    dependencies = [
        ("trials", "0014_search_plain_headline"),
        # The subscriptions' links to the model are made first, so the rename carries them.
        ("subscriptions", "0004_subscriber_unsubscribe_key"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("ConditionCategory", "ConditionGroup"),
        migrations.RenameField("condition", "categories", "groups"),
        migrations.RenameField("trial", "categories", "groups"),
        migrations.RunPython(
            renaming_permissions(RENAMED_CODENAMES),
            renaming_permissions({new: old for old, new in RENAMED_CODENAMES.items()}),
        ),
    ]
