"""A record crafted to leak (contacts in every free-text field, changed between two imports,
markup everywhere): every public page, feed, sitemap, JSON-LD block and email the site makes of
it holds none of its raw phone numbers or emails, and no live markup."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from relay.models import RelayMessage
from subscriptions.models import Subscription
from tests import hostile
from tests.subscriptions.helpers import links, run_tasks
from trials import importer
from trials.models import Contact, Trial
from trials.sitemaps import SITEMAPS

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
SECOND = "NCT09999902"  # the same record under another NCT ID: news for a condition's followers
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def import_version(version: int, *also: dict) -> None:
    items = [("hostile", f"version {version}", hostile.record(version))]
    items += [("hostile", "another", data) for data in also]
    counts = importer.import_items(items)
    assert counts.failed == 0, counts.failures


def another_trial() -> dict:
    data = hostile.record(1)
    data["protocolSection"]["identificationModule"]["nctId"] = SECOND
    return data


def assert_clean(where: str, text: str, *, markup: bool = True) -> None:
    found = hostile.leaks(text)
    if not markup:
        found = [value for value in found if value in hostile.RAW_CONTACTS]
    assert not found, f"{where} shows {found}"


def feed_texts(content: bytes) -> list[str]:
    """Each element's text, as a feed reader reads it (titles and descriptions are HTML)."""
    root = ET.fromstring(content)  # noqa: S314 - our own response
    return [element.text or "" for element in root.iter()]


def crawl(client, paths: list[str]) -> list[str]:
    """Check every path, and every sitemap a sitemap index lists; the paths fetched."""
    seen, queue = [], list(paths)
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.append(path)
        response = client.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        body = response.content.decode()
        assert_clean(f"{path} headers", str(response.headers))
        if path.endswith((".rss", ".atom", ".xml")):
            assert_clean(path, body, markup=False)
            for text in feed_texts(response.content):
                assert_clean(path, text)
            queue += [
                loc.removeprefix("http://testserver")
                for loc in re.findall(r"<loc>([^<]+)</loc>", body)
                if "/sitemap" in loc
            ]
        elif response["Content-Type"].startswith("application/json"):
            assert_clean(path, body, markup=False)
        else:
            assert_clean(path, body)
            for block in JSON_LD.findall(body):
                # Markup-free as it sits in the page; its values are text, never HTML.
                assert "<" not in block, path
                data = json.dumps(json.loads(block), ensure_ascii=False)
                assert_clean(f"{path} JSON-LD", data, markup=False)
    return seen


def test_nothing_public_shows_a_crafted_records_contacts_or_markup(
    client, django_capture_on_commit_callbacks
):
    def commit():
        return django_capture_on_commit_callbacks(execute=True)

    with commit():
        import_version(1)
    run_tasks()
    trial = Trial.objects.get(nct_id=hostile.NCT_ID)
    group = trial.groups.first()
    assert group is not None

    # A visitor follows the trial and its condition group, and writes to the study team.
    signup = {"email": "ada@example.org", "consent": "on", "trial": hostile.NCT_ID}
    contact_path = reverse("relay:contact", args=[hostile.NCT_ID])
    message = {"name": "Ada", "email": "ada@example.org", "message": "May I take part, please?"}
    responses = []
    with commit():
        for follow in ("trial", "group"):
            data = {**signup, "follow": follow, "group": group.slug}
            responses.append(client.post("/updates/", data))
        responses.append(client.post("/updates/", {**signup, "follow": "trial", "email": "bad"}))
        responses.append(client.post(contact_path, {**message, "consent": "on"}))
        responses.append(client.post(contact_path, message))
    run_tasks()
    for subscription in Subscription.objects.all():
        subscription.confirm()
    with commit():
        responses.append(client.post("/updates/", {**signup, "follow": "trial"}))  # already
    relay = RelayMessage.objects.get()
    relay_path = reverse("relay:confirm", args=[relay.confirm_token])
    responses.append(client.get(relay_path))
    with commit():
        responses.append(client.post(relay_path, follow=True))
    run_tasks()

    # The registrant changes nearly every field; a second crafted trial joins the group.
    with commit():
        import_version(2, another_trial())
    run_tasks()
    assert Trial.objects.get(nct_id=hostile.NCT_ID).current_version == 2

    for response in responses:
        assert_clean(response.request["PATH_INFO"], response.content.decode())

    subscriber = Subscription.objects.first().subscriber
    manage = subscriber.manage_token
    paths = [
        "/",
        "/trials/",
        f"/trials/?q={hostile.SEARCH_WORD}",
        f"/trials/?zip={hostile.ZIP}&distance=100",
        f"/trials/?zip={hostile.ZIP}&distance=100&q={hostile.SEARCH_WORD}",
        f"/trials/{hostile.NCT_ID}/",
        f"/trials/{hostile.NCT_ID}/history/",
        f"/trials/{hostile.NCT_ID}/changes.rss",
        f"/trials/{hostile.NCT_ID}/changes.atom",
        f"/trials/{SECOND}/",
        "/conditions/",
        group.get_absolute_url(),
        reverse("trials:group-feed", args=[group.slug]),
        reverse("trials:group-atom", args=[group.slug]),
        "/sitemap.xml",
        *(f"/sitemap-{section}.xml" for section in SITEMAPS),
        "/robots.txt",
        reverse("subscriptions:manage", args=[manage]),
        reverse("subscriptions:export", args=[manage]),
        reverse("subscriptions:unsubscribe", args=[manage]),
        relay_path,
    ]
    crawl(client, paths)
    page = client.get(f"/trials/{hostile.NCT_ID}/").content.decode()
    assert "•••-•••-••••" in page and "•••••@•••••" in page  # masked, not dropped
    assert "&lt;script&gt;alert(1)" in page  # the registrant's words, as text

    kinds = set()
    for email in mail.outbox:
        kinds.add(email.subject.split()[0])
        assert "\n" not in email.subject
        assert_clean(f"email “{email.subject}”", email.subject)
        assert_clean(f"email “{email.subject}” text", email.body, markup=False)
        assert_clean(f"email “{email.subject}” HTML", email.alternatives[0].content)
        to_study = email.to != ["ada@example.org"]
        assert_clean(f"email “{email.subject}” headers", str(email.extra_headers))
        if not to_study:
            assert_clean(f"email “{email.subject}” to", str(email.to + email.reply_to))
    digests = [m for m in mail.outbox if "/updates/unsubscribe/" in m.body]
    assert digests, [m.subject for m in mail.outbox]
    assert any("Sponsor changed" in m.body for m in digests)
    assert any(SECOND in m.body for m in digests)
    # Sign-up confirmation, already following, message confirmation, copy, study, digest.
    assert len(mail.outbox) >= 6, [m.subject for m in mail.outbox]
    assert [link for m in mail.outbox for link in links(m.body)]


def test_staff_still_see_the_real_contacts(admin_client):
    import_version(1)
    central = hostile.record(1)["protocolSection"]["contactsLocationsModule"]["centralContacts"][0]
    contact = Contact.objects.get(trial__nct_id=hostile.NCT_ID, location=None)
    assert (contact.phone, contact.email) == (central["phone"], central["email"])
    trial = Trial.objects.get(nct_id=hostile.NCT_ID)
    page = admin_client.get(reverse("admin:trials_trial_change", args=[trial.pk]))
    html = page.content.decode()
    assert central["phone"] in html
    assert central["email"] in html
