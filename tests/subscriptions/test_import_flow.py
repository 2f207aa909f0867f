"""From ClinicalTrials.gov records to the inbox: the importer records versions, the worker sends
one digest, over a real SMTP server on loopback."""

from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django_tasks_db.models import DBTaskResult

from subscriptions.models import Delivery, Subscription
from trials.importer import import_paths
from trials.models import ConditionGroup, Trial

from .helpers import TABLES, links, run_tasks
from .smtp import text_part

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "trials" / "fixtures"
DEMO = FIXTURES / "demo"
SOLID_TUMOR_STUDY = FIXTURES / "ctgov" / "NCT05883644.json"  # a real record, in “Solid tumors”
SITE = "http://127.0.0.1:8000"


def sign_up_and_confirm(client, commit, smtp, **choice) -> None:
    data = {"email": "ada@example.org", "consent": "on", "trial": "NCT07509034", **choice}
    data.setdefault("group", "solid-tumors")
    seen = len(smtp.messages)
    with commit():
        assert client.post("/updates/", data).status_code == 200
    run_tasks()
    confirmation = smtp.wait_for(seen + 1)[seen]
    url = next(u for u in links(text_part(confirmation)) if "/updates/confirm/" in u)
    assert client.post(url.removeprefix(SITE)).status_code == 302


def test_imported_changes_and_new_trials_reach_followers_in_one_digest(client, commit, smtp):
    with commit():
        import_paths([DEMO / "NCT07509034-1.json"])
    run_tasks()
    assert ConditionGroup.objects.filter(slug="solid-tumors").exists()
    sign_up_and_confirm(client, commit, smtp, follow="trial")
    sign_up_and_confirm(client, commit, smtp, follow="group")
    assert Subscription.objects.confirmed().count() == 2
    before = len(smtp.messages)

    with commit():
        counts = import_paths([DEMO / "NCT07509034-2.json", SOLID_TUMOR_STUDY])
    assert (counts.created, counts.updated) == (1, 1)
    run_tasks()  # the worker: the import asked for one sending run

    digests = smtp.wait_for(before + 1)[before:]
    assert len(digests) == 1
    body = text_part(digests[0])
    assert "Status changed from Not yet recruiting to Recruiting" in body
    assert "NCT05883644" in body
    assert "New for: Solid tumors" in body
    # The example trial was public before the group sign-up: not news to that follower.
    new_studies = body[body.index("NEW STUDIES") :]
    assert "NCT07509034" not in new_studies
    assert Delivery.objects.pending().count() == 0

    url = digests[0]["List-Unsubscribe"].strip("<>")
    one_click = Client(enforce_csrf_checks=True).post(url.removeprefix(SITE))
    assert one_click.status_code == 200
    assert not Subscription.objects.exists()

    with commit():
        import_paths([DEMO / "NCT07509034-3.json"])
    run_tasks()
    assert len(smtp.messages) == before + 1


def test_an_imported_draft_is_announced_when_staff_publish_it(client, commit, smtp):
    with commit():
        import_paths([DEMO / "NCT07509034-1.json"])
    sign_up_and_confirm(client, commit, smtp, follow="group")
    before = len(smtp.messages)

    with commit():
        import_paths([SOLID_TUMOR_STUDY], draft=True)
    run_tasks()
    assert len(smtp.messages) == before

    draft = Trial.objects.get(nct_id="NCT05883644")
    with commit():
        draft.is_published = True
        draft.save()  # as the admin does
    run_tasks()
    [digest] = smtp.wait_for(before + 1)[before:]
    assert "NCT05883644" in text_part(digest)


def test_an_import_asks_for_one_sending_run(commit):
    with commit():
        import_paths([DEMO / "NCT07509034-1.json", SOLID_TUMOR_STUDY])
    assert sending_runs().count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="parallel imports need a database server"
)
@pytest.mark.django_db(transaction=True, available_apps=TABLES)
def test_a_parallel_import_asks_for_one_sending_run_too():
    import_paths([DEMO / "NCT07509034-1.json", SOLID_TUMOR_STUDY], workers=2)
    assert sending_runs().count() == 1


def sending_runs():
    return DBTaskResult.objects.filter(task_path="subscriptions.tasks.send_alerts")
