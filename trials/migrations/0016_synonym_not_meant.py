"""Synonyms say which longer names they do not mean; the starting vocabulary's are filled in."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from trials.synonyms import seed_synonyms

    Synonym = apps.get_model("trials", "Synonym")
    for row in seed_synonyms():
        if row.get("not_meant"):
            Synonym.objects.filter(said=row["said"], not_meant="").update(
                not_meant=row["not_meant"]
            )


class Migration(migrations.Migration):
    dependencies = [("trials", "0015_condition_groups")]

    operations = [
        migrations.AddField(
            model_name="synonym",
            name="not_meant",
            field=models.TextField(
                blank=True,
                help_text="Longer names that hold the record words but mean something else, "
                "one per line, such as “pulmonary hypertension” for high blood pressure. A "
                "trial filed under one of them is not found unless its own title or conditions "
                "also say the record words.",
                verbose_name="what it does not mean",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
