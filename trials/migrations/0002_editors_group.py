"""Create the “Editors” group: staff who write the plain-language text for trials."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = {
    "trial": ["view", "change"],
    "trialversion": ["view"],
    "location": ["view"],
    "contact": ["view"],
    "condition": ["view"],
    "conditioncategory": ["view"],
}


def create_editors(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure ours exist now.
    trials_config = apps.get_app_config("trials")
    trials_config.models_module = True
    create_permissions(trials_config, verbosity=0, apps=apps)
    trials_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    codenames = [
        f"{action}_{model}" for model, actions in EDITOR_PERMISSIONS.items() for action in actions
    ]
    permissions = Permission.objects.filter(content_type__app_label="trials", codename__in=codenames)
    editors.permissions.set(permissions)


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("trials", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]
