"""Tasks queued before the move (a confirmation waiting for a retry or for the address's email
budget, a message waiting to go) name the relay's tasks where they were: point them here."""

from django.db import migrations

MOVED = {
    "subscriptions.tasks.compose_relay": "relay.tasks.compose",
    "subscriptions.tasks.send_relay_confirmation": "relay.tasks.send_confirmation",
    "subscriptions.tasks.send_relay": "relay.tasks.send",
}


def rename(apps, schema_editor, names=MOVED):
    results = apps.get_model("django_tasks_database", "DBTaskResult")
    rows = results.objects.using(schema_editor.connection.alias)
    for old, new in names.items():
        rows.filter(task_path=old).update(task_path=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, {new: old for old, new in MOVED.items()})


class Migration(migrations.Migration):
    dependencies = [("relay", "0001_initial"), ("django_tasks_database", "0001_initial")]

    operations = [migrations.RunPython(rename, rename_back)]
