import re

import pytest
from django.contrib.auth.models import Group, User

from trials.models import Contact, Trial

from .search_data import make_trial

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return User.objects.create_superuser("admin", "admin@example.org", "pw")


def inline_management(prefix: str, total: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_staff_add_a_trial_with_a_location_and_contact_and_see_it_published(client, staff):
    client.force_login(staff)
    data = {
        "nct_id": "NCT01234567",
        "is_published": "on",
        "headline": "A plain headline",
        "plain_summary": "A short plain summary.",
        "brief_title": "Registry title",
        "status": "RECRUITING",
        "sex": "ALL",
        "registrant_conditions": "[]",
        "keywords": "[]",
        "interventions": "[]",
        **inline_management("contacts"),
        **inline_management("locations", 1),
        **inline_management("versions"),
        "contacts-0-role": "CONTACT",
        "locations-0-facility": "Boston Medical Center",
        "locations-0-city": "Boston",
        "locations-0-state": "Massachusetts",
        "locations-0-country": "United States",
        "locations-0-position": "0",
    }
    data["contacts-TOTAL_FORMS"] = "1"
    data["contacts-0-phone"] = "617-555-0111"
    data["contacts-0-email"] = "study@example.org"
    data["contacts-0-position"] = "0"
    response = client.post("/admin/trials/trial/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    trial = Trial.objects.get(nct_id="NCT01234567")
    site = trial.locations.get()
    assert trial.contacts.filter(location=None, phone="617-555-0111").exists()

    response = client.post(
        f"/admin/trials/location/{site.pk}/change/",
        {
            "trial": trial.pk,
            "facility": site.facility,
            "city": "Boston",
            "country": "United States",
            "position": "0",
            **inline_management("contacts", 1),
            "contacts-0-role": "CONTACT",
            "contacts-0-phone": "617-555-0122",
            "contacts-0-email": "site@example.org",
            "contacts-0-position": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Contact.objects.get(location=site).trial == trial

    client.logout()
    html = client.get("/trials/NCT01234567/").content.decode()
    assert "A plain headline" in html and "Boston Medical Center" in html
    assert "617-555" not in html and "example.org" not in html


def test_the_admin_shows_reading_grades_beside_plain_language_fields(client, staff, example_trial):
    client.force_login(staff)
    html = client.get(f"/admin/trials/trial/{example_trial.pk}/change/").content.decode()
    assert "Reading grade" in html and "target 8 or below" in html
    assert "/trials/NCT07509034/" in html  # preview link


def change_form_data(response) -> dict:
    """The POST data a browser would send back for an admin change page, unchanged."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            data[bound.html_name] = value
    return data


def test_writing_plain_language_pins_the_registry_version(client, staff, example_trial):
    client.force_login(staff)
    url = f"/admin/trials/trial/{example_trial.pk}/change/"
    data = change_form_data(client.get(url))
    data["plain_summary"] = "A new plain summary."
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    example_trial.refresh_from_db()
    assert example_trial.plain_summary == "A new plain summary."
    assert example_trial.plain_language_version == example_trial.current_version == 4
    assert "A new plain summary." in client.get("/trials/NCT07509034/").content.decode()


def test_non_staff_never_reach_admin_pages(client, example_trial):
    User.objects.create_user("patient", password="pw")
    client.force_login(User.objects.get(username="patient"))
    for path in (
        "/admin/",
        "/admin/trials/trial/",
        f"/admin/trials/trial/{example_trial.pk}/change/",
    ):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_the_editors_group_holds_only_what_editors_need(db):
    editors = Group.objects.get(name="Editors")
    codenames = set(editors.permissions.values_list("codename", flat=True))
    assert {"change_trial", "view_trial", "view_location", "view_contact"} <= codenames
    assert {"view_condition", "view_conditiongroup"} <= codenames
    # The search vocabulary is theirs to keep; nothing else may they add or delete.
    assert {"add_synonym", "change_synonym", "delete_synonym"} <= codenames
    added_or_deleted = {c for c in codenames if c.startswith(("delete_", "add_"))}
    assert added_or_deleted == {"add_synonym", "delete_synonym"}
    assert "change_contact" not in codenames


def test_an_editor_can_edit_trials_but_not_delete_them(client, example_trial):
    editor = User.objects.create_user("ed", password="pw", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    assert client.get(f"/admin/trials/trial/{example_trial.pk}/change/").status_code == 200
    assert client.get(f"/admin/trials/trial/{example_trial.pk}/delete/").status_code == 403


def test_an_editor_can_read_the_condition_groups(client, example_trial):
    editor = User.objects.create_user("ed", password="pw", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    response = client.get("/admin/trials/conditiongroup/")
    assert response.status_code == 200
    assert "Solid tumors" in response.content.decode()


def test_conditions_and_groups_list_how_many_trials_each_has(client, staff, example_trial):
    make_trial("NCT00000001", groups=["Solid tumors", "Skin"])
    client.force_login(staff)
    cell = r'<td class="field-trial_count">(\d+)</td>'
    groups = client.get("/admin/trials/conditiongroup/?o=3").content.decode()
    assert re.findall(cell, groups) == ["1", "2"]  # sorted by the count: Skin, Solid tumors
    conditions = client.get("/admin/trials/condition/").content.decode()
    assert re.findall(cell, conditions) == ["1"]


def test_bulk_publish_and_unpublish_show_at_once_on_cached_pages(client, staff, example_trial):
    visitor = type(client)()
    assert visitor.get("/trials/NCT07509034/").status_code == 200
    assert "NCT07509034" in visitor.get("/trials/").content.decode()
    client.force_login(staff)
    changelist = "/admin/trials/trial/"
    action = {"_selected_action": [example_trial.pk], "index": 0}
    client.post(changelist, {**action, "action": "unpublish"})
    assert visitor.get("/trials/NCT07509034/").status_code == 404
    assert "NCT07509034" not in visitor.get("/trials/").content.decode()
    client.post(changelist, {**action, "action": "publish"})
    assert visitor.get("/trials/NCT07509034/").status_code == 200
    assert "NCT07509034" in visitor.get("/trials/").content.decode()


def test_marking_reviewed_removes_the_changed_notice_at_once(client, staff, example_trial):
    example_trial.plain_language_version = 2
    example_trial.save()
    notice = "The registry record has changed since this summary was written"
    visitor = type(client)()
    assert notice in visitor.get("/trials/NCT07509034/").content.decode()
    client.force_login(staff)
    client.post(
        "/admin/trials/trial/",
        {"_selected_action": [example_trial.pk], "index": 0, "action": "mark_reviewed"},
    )
    assert notice not in visitor.get("/trials/NCT07509034/").content.decode()


# Registry versions and the review list, after real imports ---------------------------------


@pytest.fixture
def imported(db, tmp_path):
    """NCT07509034 imported through its four registry states."""
    from trials import importer

    from .ctgov import DEMO

    for version in (1, 2, 3, 4):
        importer.import_paths([DEMO / f"NCT07509034-{version}.json"])
    return Trial.objects.get(nct_id="NCT07509034")


def test_staff_see_the_versions_in_plain_words_and_cannot_change_them(client, staff, imported):
    client.force_login(staff)
    html = client.get(f"/admin/trials/trial/{imported.pk}/change/").content.decode()
    assert "registry versions (read-only)" in html.lower()
    assert "Status changed from Not yet recruiting to Recruiting" in html
    assert "Eligibility criteria changed" in html
    assert 'name="versions-0-DELETE"' not in html
    assert 'name="versions-MAX_NUM_FORMS" value="0"' in html  # nothing to add
    version = imported.versions.get(number=2)
    url = f"/admin/trials/trialversion/{version.pk}/change/"
    page = client.get(url).content.decode()
    assert "Status changed from Not yet recruiting to Recruiting" in page
    client.post(url, {"number": "9", "kind": "NEW"})
    version.refresh_from_db()
    assert (version.number, version.kind) == (2, "CHANGED")
    assert client.get("/admin/trials/trialversion/add/").status_code == 403
    assert client.post(f"/admin/trials/trialversion/{version.pk}/delete/").status_code == 403


def test_staff_see_the_real_contacts_in_admin(client, staff, imported):
    client.force_login(staff)
    html = client.get(f"/admin/trials/trial/{imported.pk}/change/").content.decode()
    assert "b7h3.cart.study@example.org" in html
    assert "301-555-0142" in html


def test_the_review_list_holds_trials_whose_registry_changed_after_writing(client, staff, tmp_path):
    from trials import importer

    from .ctgov import DEMO

    importer.import_paths([DEMO / "NCT07509034-1.json"])
    trial = Trial.objects.get()
    client.force_login(staff)
    url = f"/admin/trials/trial/{trial.pk}/change/"
    data = change_form_data(client.get(url))
    data["headline"] = "Engineered immune cells take aim at deadly lung cancer"
    assert client.post(url, data).status_code == 302
    trial.refresh_from_db()
    assert trial.plain_language_version == 1
    review = "/admin/trials/trial/?review=changed"
    listed = 'name="_selected_action"'
    assert client.get(review).content.decode().count(listed) == 0

    importer.import_paths([DEMO / "NCT07509034-2.json"])
    html = client.get(review).content.decode()
    assert html.count(listed) == 1
    assert f'value="{trial.pk}"' in html
    page = client.get("/trials/NCT07509034/").content.decode()
    assert "The registry record has changed since this summary was written" in page
    assert 'href="/trials/NCT07509034/history/">See what changed' in page


def test_an_editor_writes_the_plain_text_but_cannot_change_registry_facts(client, example_trial):
    editor = User.objects.create_user("ed", password="pw", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    url = f"/admin/trials/trial/{example_trial.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="plain_summary"' in page
    assert 'name="status"' not in page and 'name="nct_id"' not in page
    data = {
        "is_published": "on",
        "headline": example_trial.headline,
        "plain_summary": "A new plain summary.",
        "active_substance": example_trial.active_substance,
        "could_lead_to": example_trial.could_lead_to,
        "could_go_wrong": example_trial.could_go_wrong,
        "plain_language_version": "",
        # A crafted post cannot change what the form does not offer.
        "status": "COMPLETED",
        "nct_id": "NCT00000001",
        **inline_management("contacts"),
        **inline_management("locations"),
        **inline_management("versions"),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    example_trial.refresh_from_db()
    assert example_trial.plain_summary == "A new plain summary."
    assert (example_trial.status, example_trial.nct_id) == ("RECRUITING", "NCT07509034")


def test_the_admin_calls_condition_groups_by_that_one_name(client, staff, example_trial):
    client.force_login(staff)
    pages = [
        "/admin/",
        "/admin/trials/conditiongroup/",
        "/admin/trials/trial/",
        f"/admin/trials/trial/{example_trial.pk}/change/",
        "/admin/trials/condition/add/",
        "/admin/subscriptions/subscription/",
    ]
    for url in pages:
        words = re.sub(r"<[^>]*>", " ", client.get(url).content.decode()).lower()
        assert "categor" not in words, url
    assert "condition groups" in client.get("/admin/").content.decode().lower()


def test_unpublishing_under_the_published_filter_hides_the_page(client, staff, example_trial):
    # The action's queryset is the filtered list: read again after the update it is empty.
    visitor = type(client)()
    assert visitor.get("/trials/NCT07509034/").status_code == 200
    assert "NCT07509034" in visitor.get("/trials/").content.decode()
    client.force_login(staff)
    client.post(
        "/admin/trials/trial/?is_published__exact=1",
        {"_selected_action": [example_trial.pk], "index": 0, "action": "unpublish"},
    )
    assert not Trial.objects.get(pk=example_trial.pk).is_published
    assert visitor.get("/trials/NCT07509034/").status_code == 404
    assert "NCT07509034" not in visitor.get("/trials/").content.decode()


def test_marking_reviewed_under_the_needs_review_filter_shows_at_once(client, staff, example_trial):
    example_trial.current_version = 3
    example_trial.plain_language_version = 2
    example_trial.save()
    notice = "The registry record has changed since this summary was written"
    visitor = type(client)()
    assert notice in visitor.get("/trials/NCT07509034/").content.decode()
    client.force_login(staff)
    client.post(
        "/admin/trials/trial/?review=changed",
        {"_selected_action": [example_trial.pk], "index": 0, "action": "mark_reviewed"},
    )
    assert Trial.objects.get(pk=example_trial.pk).plain_language_version == 3
    assert notice not in visitor.get("/trials/NCT07509034/").content.decode()
