from django.db import migrations, models


def read_every_record_again(apps, schema_editor):
    """Trials stored before now have no reason for stopping, and text written by the writer of
    before: forgetting the source hash makes the next import read every record again and fill
    them in (no version is recorded, since the registry's facts are the same)."""
    apps.get_model("trials", "Trial").objects.exclude(source_hash="").update(source_hash="")


class Migration(migrations.Migration):
    dependencies = [("trials", "0012_mask_contacts_in_registry_text")]

    operations = [
        migrations.AddField(
            model_name="trial",
            name="why_stopped",
            field=models.TextField(
                blank=True, help_text="Why the study stopped, in the study team's words (masked)."
            ),
        ),
        migrations.RunPython(read_every_record_again, migrations.RunPython.noop),
    ]
