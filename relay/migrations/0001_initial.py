"""The relay's messages, moved here from the subscriptions app: the model changes app, its rows
and its table (subscriptions_relaymessage) stay as they are. Its content type moves with it, so
the staff who could see messages in the admin still can."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import subscriptions.models


def move_content_type(apps, schema_editor, old="subscriptions", new="relay"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    if not types.filter(app_label=new, model="relaymessage").exists():
        types.filter(app_label=old, model="relaymessage").update(app_label=new)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, old="relay", new="subscriptions")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("subscriptions", "0004_subscriber_unsubscribe_key"),
        ("trials", "0012_mask_contacts_in_registry_text"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RelayMessage",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("sender_name", models.CharField(max_length=100)),
                        ("message", models.TextField(max_length=5000)),
                        ("terms_version", models.CharField(max_length=20)),
                        ("consented_at", models.DateTimeField()),
                        (
                            "key",
                            models.CharField(
                                default=subscriptions.models.new_key,
                                editable=False,
                                max_length=64,
                            ),
                        ),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("confirmed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "recipient_email",
                            models.EmailField(
                                blank=True,
                                help_text="The study contact it went to (staff only).",
                                max_length=254,
                            ),
                        ),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("attempts", models.PositiveIntegerField(default=0)),
                        (
                            "next_attempt_at",
                            models.DateTimeField(default=django.utils.timezone.now),
                        ),
                        ("last_error", models.CharField(blank=True, max_length=500)),
                        (
                            "sender",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="messages",
                                to="subscriptions.subscriber",
                            ),
                        ),
                        (
                            "trial",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="relay_messages",
                                to="trials.trial",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "message to a study team",
                        "verbose_name_plural": "messages to study teams",
                        "db_table": "subscriptions_relaymessage",
                        "ordering": ["-created_at"],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
