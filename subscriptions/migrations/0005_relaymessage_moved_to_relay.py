"""Messages to study teams belong to the relay app now (relay/migrations/0001_initial.py): the
model leaves this app's state, and its table and rows stay for the relay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0004_subscriber_unsubscribe_key"),
        ("relay", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="RelayMessage")],
            database_operations=[],
        ),
    ]
