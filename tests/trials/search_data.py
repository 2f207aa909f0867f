"""Small trials built with the ORM for search, filter and feed tests, and the NCT IDs a result
page lists."""

import re

from trials.models import Condition, ConditionGroup, Location, Trial

BETHESDA = (38.99, -77.10)  # NIH Clinical Center
BOSTON = (42.3601, -71.0589)
LOS_ANGELES = (34.0522, -118.2437)


def make_trial(nct_id: str, *, conditions=(), groups=(), sites=(), **fields) -> Trial:
    """A published trial; `sites` are dicts of Location fields, `conditions` names."""
    fields.setdefault("brief_title", f"Study {nct_id}")
    fields.setdefault("is_published", True)
    trial = Trial.objects.create(nct_id=nct_id, **fields)
    for name in conditions:
        trial.conditions.add(Condition.objects.get_or_create(name=name)[0])
    for name in groups:
        trial.groups.add(ConditionGroup.objects.get_or_create(name=name)[0])
    for position, site in enumerate(sites):
        Location.objects.create(trial=trial, position=position, **site)
    return trial


def site_at(point: tuple[float, float], **fields) -> dict:
    return {"latitude": point[0], "longitude": point[1], **fields}


CARD_TITLE = re.compile(r'class="trial-card__title"><a href="/trials/(NCT\d+)/"')


def card_ids(html: str) -> list[str]:
    """The NCT IDs of the result cards on a page, in order."""
    return CARD_TITLE.findall(html)


def found(client, q: str, **params) -> list[str]:
    """The trials a search lists, in order."""
    response = client.get("/trials/", {"q": q, **params})
    assert response.status_code == 200
    return card_ids(response.content.decode())
