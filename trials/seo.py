"""What search engines read: schema.org MedicalTrial data for a trial page."""

import json

from django.conf import settings

from .choices import Status
from .models import Location, Trial

# schema.org's MedicalStudyStatus names for the registry's statuses that have one.
SCHEMA_STATUS = {
    Status.ACTIVE_NOT_RECRUITING: "ActiveNotRecruiting",
    Status.COMPLETED: "Completed",
    Status.ENROLLING_BY_INVITATION: "EnrollingByInvitation",
    Status.NOT_YET_RECRUITING: "NotYetRecruiting",
    Status.RECRUITING: "Recruiting",
    Status.SUSPENDED: "Suspended",
    Status.TERMINATED: "Terminated",
    Status.WITHDRAWN: "Withdrawn",
}

# JSON inside <script> ends at the first "</script>": escape what HTML could read as markup.
_HTML_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def json_for_script(data) -> str:
    """JSON that can sit inside a <script> element without ending it or opening a comment."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_HTML_SAFE)


def _place(location: Location) -> dict:
    address = {
        "@type": "PostalAddress",
        "addressLocality": location.city,
        "addressRegion": location.state,
        "postalCode": location.postal_code,
        "addressCountry": location.country,
    }
    place = {
        "@type": "Place",
        "name": location.facility or location.place,
        "address": {k: v for k, v in address.items() if v},
    }
    if location.latitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": location.latitude,
            "longitude": location.longitude,
        }
    return place


def medical_trial(trial: Trial, locations: list[Location]) -> dict:
    """The trial as schema.org MedicalTrial; never any contact details."""
    status = trial.status
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalTrial",
        "identifier": trial.nct_id,
        "name": trial.title,
        "alternateName": trial.brief_title if trial.brief_title != trial.title else None,
        "description": trial.summary[:5000] or None,
        "url": f"{settings.SITE_URL}{trial.get_absolute_url()}",
        "sameAs": trial.registry_url,
        "status": (
            f"https://schema.org/{SCHEMA_STATUS[status]}"
            if status in SCHEMA_STATUS
            else trial.get_status_display()
        ),
        "phase": trial.get_phase_display() if trial.phase else None,
        "healthCondition": [_condition(condition) for condition in trial.conditions.all()]
        or [{"@type": "MedicalCondition", "name": term} for term in trial.registrant_conditions],
        "sponsor": {"@type": "Organization", "name": trial.sponsor} if trial.sponsor else None,
        "studyLocation": [_place(location) for location in locations],
    }
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def _condition(condition) -> dict:
    """The MeSH term, with the everyday name people search for as its other name."""
    data = {"@type": "MedicalCondition", "name": condition.name}
    if condition.has_other_medical_name:
        data["alternateName"] = condition.everyday_name
    return data
