"""Small trials built with the ORM for search, filter and feed tests."""

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
