"""Condition groups were once `ConditionCategory`, linked as `categories` and followed through
`Subscription.category`: migrating a database that holds them keeps every row, link, sign-up
and editor's permission, and the links already emailed keep working."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from subscriptions.models import Subscriber, Subscription
from trials.models import Condition, ConditionGroup, Trial

BEFORE = [
    ("trials", "0014_search_plain_headline"),
    ("subscriptions", "0005_relaymessage_moved_to_relay"),
]
NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def old_apps():
    """The models as they were before the rename, on a database migrated back to then, with
    the content type under its old name as such a database has it."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        types = ContentType.objects.filter(app_label="trials")
        types.filter(model="conditioncategory").delete()
        types.filter(model="conditiongroup").update(model="conditioncategory")
        ContentType.objects.get_or_create(app_label="trials", model="conditioncategory")
        ContentType.objects.clear_cache()
        yield executor.loader.project_state(BEFORE).apps
    finally:
        ContentType.objects.clear_cache()
        call_command("migrate", verbosity=0)  # whatever happened, the schema is today's again


# Serialized: the rows the test database starts with come back afterwards with their ids, as
# the other tests that commit expect.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migrating_keeps_every_group_link_sign_up_and_permission(old_apps, client):
    old_group = old_apps.get_model("trials", "ConditionCategory")
    old_trial = old_apps.get_model("trials", "Trial")
    old_condition = old_apps.get_model("trials", "Condition")
    old_subscriber = old_apps.get_model("subscriptions", "Subscriber")
    old_subscription = old_apps.get_model("subscriptions", "Subscription")

    tumors = old_group.objects.create(name="Solid tumors", slug="solid-tumors")
    old_group.objects.create(name="Skin", slug="skin")
    trial = old_trial.objects.create(nct_id="NCT07509034", brief_title="A trial", is_published=True)
    trial.categories.add(tumors)
    condition = old_condition.objects.create(name="Lung Neoplasms")
    condition.categories.add(tumors)
    ada = old_subscriber.objects.create(email="ada@example.org", confirmed_at=NOW)
    old_subscription.objects.create(
        subscriber=ada, category=tumors, terms_version="1", consented_at=NOW, confirmed_at=NOW
    )
    old_type = ContentType.objects.get(app_label="trials", model="conditioncategory")
    view, _ = Permission.objects.get_or_create(
        content_type=old_type, codename="view_conditioncategory", defaults={"name": "Can view"}
    )
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(view)

    # The manage link as the confirmation email gave it, before the rename.
    manage_path = f"/updates/manage/{Subscriber(pk=ada.pk, key=ada.key).manage_token}/"

    call_command("migrate", verbosity=0)
    ContentType.objects.clear_cache()

    group = ConditionGroup.objects.get(slug="solid-tumors")
    assert sorted(ConditionGroup.objects.values_list("name", flat=True)) == ["Skin", "Solid tumors"]
    assert list(Trial.objects.get(nct_id="NCT07509034").groups.all()) == [group]
    assert list(Condition.objects.get(name="Lung Neoplasms").groups.all()) == [group]
    subscription = Subscription.objects.get()
    assert (subscription.group, subscription.subscriber.email) == (group, "ada@example.org")
    assert subscription.is_confirmed

    editors = Group.objects.get(name="Editors")
    assert editors.permissions.filter(codename="view_conditiongroup").exists()
    assert not Permission.objects.filter(codename__endswith="_conditioncategory").exists()
    assert ContentType.objects.get_for_model(ConditionGroup).model == "conditiongroup"

    # The links in emails sent before the rename: the manage page and the group's own page.
    manage = client.get(manage_path)
    assert manage.status_code == 200
    assert "New studies for Solid tumors" in manage.content.decode()
    assert client.get("/conditions/solid-tumors/").status_code == 200
