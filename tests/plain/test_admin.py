"""Editors see the text written automatically beside their own fields, and start from it."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.utils.html import escape

from tests.trials.ctgov import record, write
from tests.trials.test_admin import change_form_data
from trials import importer
from trials.models import Trial

pytestmark = pytest.mark.django_db

NCT_ID = "NCT04040387"
LABEL = "Written automatically from the registry record."


@pytest.fixture
def trial(tmp_path) -> Trial:
    seen = dt.datetime(2026, 6, 27, 14, 0, tzinfo=dt.UTC)
    importer.import_paths([write(tmp_path, "record.json", record(NCT_ID))], seen_at=seen)
    cache.clear()
    return Trial.objects.get(nct_id=NCT_ID)


@pytest.fixture
def editor(client):
    user = User.objects.create_user("ed", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return user


def test_each_field_shows_the_automatic_text_with_its_reading_grade(client, editor, trial):
    html = client.get(f"/admin/trials/trial/{trial.pk}/change/").content.decode()
    assert "Written automatically (reading grade" in html
    assert f"“{escape(trial.generated_headline)}”" in html
    assert f"“{escape(trial.generated_summary)}”" in html
    assert f"“{escape(trial.generated_could_go_wrong)}”" in html
    assert "?start=automatic" in html


def test_one_click_fills_the_fields_and_saves_nothing(client, editor, trial):
    url = f"/admin/trials/trial/{trial.pk}/change/"
    response = client.get(f"{url}?start=automatic")
    form = response.context["adminform"].form
    assert form["headline"].value() == trial.generated_headline
    assert form["plain_summary"].value() == trial.generated_summary
    assert form["could_go_wrong"].value() == trial.generated_could_go_wrong
    trial.refresh_from_db()
    assert trial.headline == trial.plain_summary == ""  # a GET changes nothing


def test_saving_the_filled_fields_makes_them_ours_and_drops_the_label(client, editor, trial):
    url = f"/admin/trials/trial/{trial.pk}/change/"
    data = change_form_data(client.get(f"{url}?start=automatic"))
    data["headline"] = "A headline our editor checked"
    response = client.post(f"{url}?start=automatic", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    trial.refresh_from_db()
    assert trial.headline == "A headline our editor checked"
    assert trial.plain_summary == trial.generated_summary
    assert trial.could_go_wrong == trial.generated_could_go_wrong
    assert trial.plain_language_version == trial.current_version
    assert trial.generated_parts == []
    html = client.get(trial.get_absolute_url()).content.decode()
    assert LABEL not in html and "A headline our editor checked" in html
