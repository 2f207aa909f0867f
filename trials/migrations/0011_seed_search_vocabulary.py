"""The search vocabulary the site starts with, and editors' right to keep it."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = {"synonym": ["view", "add", "change", "delete"]}


def seed(apps, schema_editor):
    from trials.synonyms import seed_synonyms

    Synonym = apps.get_model("trials", "Synonym")
    known = set(Synonym.objects.values_list("said", flat=True))
    # The seed may name fields later migrations add (they fill those in themselves).
    fields = {field.name for field in Synonym._meta.get_fields()}
    Synonym.objects.bulk_create(
        Synonym(**{name: value for name, value in row.items() if name in fields})
        for row in seed_synonyms()
        if row["said"] not in known
    )

    trials_config = apps.get_app_config("trials")
    trials_config.models_module = True
    create_permissions(trials_config, verbosity=0, apps=apps)
    trials_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    codenames = [f"{a}_{model}" for model, actions in EDITOR_PERMISSIONS.items() for a in actions]
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label="trials", codename__in=codenames)
    )


def unseed(apps, schema_editor):
    apps.get_model("trials", "Synonym").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("trials", "0010_search_vocabulary"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
