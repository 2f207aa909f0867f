"""Real ClinicalTrials.gov records for import tests: the project's demo fixtures, and helpers."""

import copy
import json
from pathlib import Path

from django.conf import settings

FIXTURES = Path(settings.BASE_DIR) / "trials" / "fixtures"
REAL = FIXTURES / "ctgov"
DEMO = FIXTURES / "demo"
SHARED = Path(settings.BASE_DIR).parent / "shared" / "data" / "ctgov"


def record(nct_id: str) -> dict:
    """A fresh copy of a real record from the fixtures, to change freely."""
    return json.loads((REAL / f"{nct_id}.json").read_text())


def demo_record(version: int) -> dict:
    return json.loads((DEMO / f"NCT07509034-{version}.json").read_text())


def write(folder: Path, name: str, data) -> Path:
    path = folder / name
    path.write_text(json.dumps(data, ensure_ascii=False))
    return path


def with_nct_id(data: dict, nct_id: str) -> dict:
    data = copy.deepcopy(data)
    data["protocolSection"]["identificationModule"]["nctId"] = nct_id
    return data


def all_fixture_records() -> list[dict]:
    paths = sorted(REAL.glob("NCT*.json")) + sorted(DEMO.glob("NCT*.json"))
    return [json.loads(path.read_text()) for path in paths]


def private_contact_values() -> set[str]:
    """Every phone number and email address in the fixtures: none may appear in public."""
    values = set()
    for data in all_fixture_records():
        module = data["protocolSection"].get("contactsLocationsModule", {})
        people = list(module.get("centralContacts", []))
        for site in module.get("locations", []):
            people += site.get("contacts", [])
        for person in people:
            values.update(person[key] for key in ("phone", "email") if person.get(key))
    return values
