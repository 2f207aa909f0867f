"""A crafted ClinicalTrials.gov record, in two versions, written as an attacker would write it.

Every free-text field holds a phone number and an email address (in the shapes registries use)
and markup that would run if a page, feed or email passed it on: `record(1)` and `record(2)`
differ in most of them, so the history, its feeds and the update emails quote both.
`RAW_CONTACTS` lists every phone and email in either version: none may reach the public.
"""

import copy
import itertools

NCT_ID = "NCT09999901"
ZIP = "20892"  # Bethesda, where its first site is
SEARCH_WORD = "Glioblastoma"

XSS = (
    "</script><script>alert(1)</script><img src=x onerror=alert(2)>"
    '"><svg onload=alert(3)><a href="javascript:alert(4)">x</a>'
)
# What the payload looks like where it is live markup (escaped, it reads "&lt;script&gt;…").
LIVE_MARKUP = ("<script>alert", "<img src=x", "<svg onload", '<a href="javascript')

# One phone shape and one email for each field that holds them, never the same twice.
_PHONES = itertools.cycle(
    [
        "617-555-{n:04d}",
        "(617) 555-{n:04d}",
        "617.555.{n:04d}",
        "+1 617 555 {n:04d}",
        "+44 20 7946 {n:04d}",
        "617-555-{n:04d} ext. 12",
        "Tel: 617555{n:04d}",
    ]
)

RAW_CONTACTS: list[str] = []


def _dirty(label: str, version: int) -> str:
    """Registry text for one field, with a contact and markup of its own in each version."""
    n = len(RAW_CONTACTS) + 100
    written = next(_PHONES).format(n=n)
    phone = written.removeprefix("Tel: ")
    email = f"coordinator.{n}@hospital{version}.org"
    # The number without any extension, and its last seven digits as written: a mask that left
    # part of a number behind is a leak too.
    RAW_CONTACTS.extend([phone, phone.split(" ext")[0][-8:], email])
    return f"{label} v{version} {XSS} call {written} or email {email}"


def _contact(label: str, version: int) -> dict:
    n = len(RAW_CONTACTS) + 500
    phone, email = f"301-555-{n:04d}", f"private.{n}@team{version}.org"
    RAW_CONTACTS.extend([phone, email])
    return {
        "name": _dirty(f"{label} name", version),
        "role": "CONTACT",
        "phone": phone,
        "phoneExt": "77",
        "email": email,
    }


def _build(version: int) -> dict:
    site_status = "RECRUITING" if version == 1 else "NOT_YET_RECRUITING"
    sites = [
        {
            "facility": _dirty("Facility", version),
            "status": site_status,
            "city": "Bethesda",
            "state": "Maryland",
            "zip": ZIP,
            "country": "United States",
            "geoPoint": {"lat": 38.99, "lon": -77.10},
            "contacts": [_contact("Site contact", version)],
        }
    ]
    if version == 2:
        sites.append(
            {
                "facility": _dirty("New facility", version),
                "status": "RECRUITING",
                "city": _dirty("City", version),
                "state": "Massachusetts",
                "country": "United States",
                "contacts": [_contact("New site contact", version)],
            }
        )
    return {
        "protocolSection": {
            "identificationModule": {
                "nctId": NCT_ID,
                "briefTitle": _dirty(f"{SEARCH_WORD} study", version),
                "officialTitle": _dirty("Official title", version),
                "acronym": f"GBM{version}",
            },
            "statusModule": {
                "overallStatus": "RECRUITING" if version == 1 else "ACTIVE_NOT_RECRUITING",
                "studyFirstSubmitDate": "2025-01-15",
                "lastUpdatePostDateStruct": {"date": f"2026-0{version}-01"},
                "startDateStruct": {"date": "2025-02", "type": "ACTUAL"},
                "completionDateStruct": {"date": f"202{7 + version}-12-31", "type": "ESTIMATED"},
            },
            "sponsorCollaboratorsModule": {
                "leadSponsor": {"name": _dirty("Sponsor", version)},
                "collaborators": [{"name": _dirty("Collaborator", version)}],
            },
            "descriptionModule": {
                "briefSummary": _dirty(f"{SEARCH_WORD} summary", version),
                "detailedDescription": _dirty("Description", version),
            },
            "conditionsModule": {
                "conditions": [_dirty(SEARCH_WORD, version)],
                "keywords": [_dirty("Keyword", version)],
            },
            "designModule": {
                "studyType": "INTERVENTIONAL",
                "phases": ["PHASE2"],
                "enrollmentInfo": {"count": 40 + version, "type": "ESTIMATED"},
            },
            "armsInterventionsModule": {
                "interventions": [
                    {
                        "type": "DRUG",
                        "name": _dirty("Drug", version),
                        "description": _dirty("Drug description", version),
                        "otherNames": [_dirty("Other name", version)],
                    }
                ]
            },
            "eligibilityModule": {
                "eligibilityCriteria": (
                    f"Inclusion Criteria:\n\n* {_dirty('Include', version)}\n\n"
                    f"Exclusion Criteria:\n\n* {_dirty('Exclude', version)}"
                ),
                "sex": "ALL",
                "minimumAge": "18 Years",
                "healthyVolunteers": False,
            },
            "contactsLocationsModule": {
                "centralContacts": [_contact("Central contact", version)],
                "overallOfficials": [
                    {
                        "name": _dirty("Official", version),
                        "affiliation": _dirty("Affiliation", version),
                        "role": "PRINCIPAL_INVESTIGATOR",
                    }
                ],
                "locations": sites,
            },
        },
        "derivedSection": {
            "conditionBrowseModule": {
                "meshes": [{"id": "D005909", "term": SEARCH_WORD}],
                "ancestors": [{"id": "D001932", "term": "Brain Neoplasms"}],
            }
        },
    }


_VERSIONS = {1: _build(1), 2: _build(2)}


def record(version: int) -> dict:
    """A fresh copy of version 1 or 2 of the crafted record."""
    return copy.deepcopy(_VERSIONS[version])


def leaks(text: str) -> list[str]:
    """The raw contacts and live markup found in a public text."""
    found = [value for value in RAW_CONTACTS if value in text]
    lowered = text.lower()
    return found + [marker for marker in LIVE_MARKUP if marker in lowered]
