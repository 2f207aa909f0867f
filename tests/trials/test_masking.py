"""Contact details written into registry text are masked; what only looks like one is not."""

import pytest

from trials.masking import MASKED_EMAIL, MASKED_PHONE, mask_contacts, mask_record


@pytest.mark.parametrize(
    "text",
    [
        "call 617-555-0111 to ask",
        "call (617) 555-0111 to ask",
        "call (617)555-0111 to ask",
        "call 617.555.0111 to ask",
        "call 617 555 0111 to ask",
        "call 1-617-555-0111 to ask",
        "call +1 617 555 0111 to ask",
        "call +1 (617) 555-0111 to ask",
        "call +44 20 7946 0958 to ask",
        "call +33 1 23 45 67 89 to ask",
        "call +49 (0)30 1234567 to ask",
        "call +4915112345678 to ask",
        "call 020 7946 0958 to ask",
        "call 01 23 45 67 89 to ask",
        "call 030 12345678 to ask",
        "call 617-555-0111 x123 to ask",
        "call 617-555-0111 ext. 4567 to ask",
        "call 617-555-0111, extension 12 to ask",
        "Tel: 6175550111 to ask",
        "Phone no. 555-0111 to ask",
        "fax 555 0111 22 to ask",
    ],
)
def test_it_masks_phone_numbers_as_registries_write_them(text):
    masked = mask_contacts(text)
    assert masked.endswith(" to ask")
    assert MASKED_PHONE in masked
    digits = [c for c in masked if c.isdigit()]
    assert digits == [], masked


@pytest.mark.parametrize(
    "text",
    [
        "email study.coordinator@hospital.org today",
        "email Study.Coordinator+trial@sub.hospital.org.uk today",
        "email mailto:ada@example.org today",
        "email ada@localhost today",
        "email ada＠example.org today",
        "email ada (at) hospital (dot) org today",
        "email ada[at]hospital.org today",
        "email ada(at)charite.de today",
        "email ada [at] hospital [dot] org today",
    ],
)
def test_it_masks_any_email_address(text):
    masked = mask_contacts(text)
    assert masked == f"email {MASKED_EMAIL} today"


@pytest.mark.parametrize(
    "text",
    [
        "NCT01234567",
        "See NCT01234567 and NCT07509034.",
        "Started 2023-02-28, ends 2025-12-31.",
        "Visit on 01.02.2023 and 02/03/2024.",
        "Take 5-10 mg daily, or 100-200 mg.",
        "Between 2019-2021 and 2019–2021.",
        "About 1,000 people aged 18-65 years.",
        "ECOG 0-1; 0.5 mg/kg; 3 x 10^6 cells/kg",
        "Hemoglobin ≥ 9.0 g/dL, platelets ≥ 100,000/mm3",
        "EudraCT 2020-001234-56; grant P30 CA016672; ISRCTN12345678",
        "Weeks 0, 4, 8, 12 and 24.",
        "Patients seen (at) baseline and at week 4.",
        "Twitter: @NCI and #cancer",
        "Version 2.1.3 of the protocol, dated 12.03.2024",
        "Scores 10 20 30 40",
    ],
)
def test_it_leaves_what_is_not_a_contact(text):
    assert mask_contacts(text) == text


def test_mask_record_masks_every_text_but_the_contact_fields():
    record = {
        "briefTitle": "Call 617-555-0111",
        "conditions": ["a@b.org asthma"],
        "count": 40,
        "centralContacts": [
            {"name": "Dr A, a@b.org", "phone": "617-555-0111", "phoneExt": "12", "email": "a@b.org"}
        ],
    }
    masked = mask_record(record)
    assert masked["briefTitle"] == f"Call {MASKED_PHONE}"
    assert masked["conditions"] == [f"{MASKED_EMAIL} asthma"]
    assert masked["count"] == 40
    assert masked["centralContacts"][0] == {
        "name": f"Dr A, {MASKED_EMAIL}",
        "phone": "617-555-0111",
        "phoneExt": "12",
        "email": "a@b.org",
    }
    assert record["briefTitle"] == "Call 617-555-0111"  # a copy: the original is untouched


@pytest.mark.django_db
def test_rows_stored_before_masking_are_masked_by_the_migration():
    import importlib

    from django.apps import apps

    from trials.models import Contact, Location, Trial, TrialVersion

    migration = importlib.import_module("trials.migrations.0012_mask_contacts_in_registry_text")
    trial = Trial.objects.create(nct_id="NCT00000001", brief_title="Study")
    site = Location.objects.create(trial=trial, facility="Clinic")
    contact = Contact.objects.create(
        trial=trial, name="Dr A", phone="617-555-0111", email="a@b.org"
    )
    version = TrialVersion.objects.create(
        trial=trial, number=1, kind="CHANGED", seen_at="2026-01-01T00:00Z"
    )
    # As stored before: written around the models' own masking.
    Trial.objects.filter(pk=trial.pk).update(
        brief_title="Call 617-555-0111",
        registry_snapshot={"sponsor": "x@y.org", "contacts": [{"email": "a@b.org"}]},
    )
    Location.objects.filter(pk=site.pk).update(facility="Clinic, tel 617-555-0112")
    Contact.objects.filter(pk=contact.pk).update(name="Dr A (a@b.org)")
    TrialVersion.objects.filter(pk=version.pk).update(
        changes=[{"field": "sponsor", "old": "NCI", "new": "x@y.org"}]
    )
    migration.mask_stored_text(apps, None)
    trial.refresh_from_db()
    assert trial.brief_title == f"Call {MASKED_PHONE}"
    assert trial.registry_snapshot == {"sponsor": MASKED_EMAIL, "contacts": [{"email": "a@b.org"}]}
    assert Location.objects.get().facility == f"Clinic, tel {MASKED_PHONE}"
    contact = Contact.objects.get()
    assert (contact.name, contact.phone, contact.email) == (
        f"Dr A ({MASKED_EMAIL})",
        "617-555-0111",
        "a@b.org",
    )
    assert TrialVersion.objects.get().changes[0]["new"] == MASKED_EMAIL


@pytest.mark.django_db
def test_a_hand_edit_is_masked_when_it_is_saved():
    from trials.models import Trial

    trial = Trial.objects.create(nct_id="NCT00000001", brief_title="Study")
    trial.registry_summary = "Questions? Call +44 20 7946 0958 or write ada@hospital.org."
    trial.save()
    trial.refresh_from_db()
    assert trial.registry_summary == f"Questions? Call {MASKED_PHONE} or write {MASKED_EMAIL}."
