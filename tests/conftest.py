import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs collectstatic; tests check pages, not hashed names.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Tests with real transactions end by emptying every table, the rows data migrations made
    too; with --reuse-db the next run would start without them. Put them back."""
    import importlib

    from django.contrib.auth.models import Group, Permission

    editors = importlib.import_module("trials.migrations.0002_editors_group")
    with django_db_blocker.unblock():
        group, created = Group.objects.get_or_create(name="Editors")
        if created:
            codenames = [
                f"{action}_{model}"
                for model, actions in editors.EDITOR_PERMISSIONS.items()
                for action in actions
            ]
            group.permissions.set(
                Permission.objects.filter(content_type__app_label="trials", codename__in=codenames)
            )
