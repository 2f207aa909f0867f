"""Storing mapped studies: new trials in batches, changed ones one by one under a row lock.

Every write here names the trials it touched through `trials_changed`, after it commits.
"""

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ..changes import diff, site_key
from ..models import Contact, Location, Trial, TrialResults, TrialVersion
from ..naming import names_of
from ..signals import trials_changed
from .catalog import Catalog
from .mapping import SITE_FIELDS
from .records import CREATED, UNCHANGED, UPDATED, Study

STORE_FIELDS = ("nct_id", "content_hash", "source_hash", "registry_snapshot")
STORE_FIELDS += ("current_version", "update_count", "headline", "plain_summary")


def store(study: Study, *, catalog: Catalog, draft: bool = False, seen_at=None) -> str:
    """Create or update one trial in its own transaction; CREATED, UPDATED or UNCHANGED.

    Two importers storing the same new NCT ID at once: the unique constraint lets one insert
    win; the other's insert fails, and its retry finds the row and updates it under a lock.
    """
    links = _links(study, catalog)
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                _commit_without_waiting_for_disk()
                trial = (
                    Trial.objects.select_for_update()
                    .filter(nct_id=study.nct_id)
                    .only(*STORE_FIELDS)
                    .first()
                )
                seen = seen_at or timezone.now()
                if trial is None:
                    _insert([(study, *links)], draft, seen)
                    outcome = CREATED
                elif trial.content_hash == study.content_hash:
                    if study.source_hash and trial.source_hash != study.source_hash:
                        Trial.objects.filter(pk=trial.pk).update(source_hash=study.source_hash)
                    return UNCHANGED
                else:
                    _update(trial, study, *links, seen)
                    outcome = UPDATED
        except IntegrityError:
            if attempt == 2:
                raise
            continue
        trials_changed.send(sender=Trial, nct_ids=[study.nct_id])
        return outcome
    raise AssertionError("unreachable")  # pragma: no cover


def store_new(studies: list[Study], *, catalog: Catalog, draft: bool = False, seen_at=None):
    """Create trials that were not stored a moment ago, all in one transaction.

    Raises DatabaseError, with nothing written, if any of them cannot be stored (another
    importer created one meanwhile, or the database refuses a value): the caller then stores
    them one by one with `store`, so one bad record never keeps the others out.
    """
    catalog.prepare(studies)
    rows = [(study, *catalog.ids(study)) for study in studies]
    with transaction.atomic():
        _commit_without_waiting_for_disk()
        _insert(rows, draft, seen_at or timezone.now())
    trials_changed.send(sender=Trial, nct_ids=[s.nct_id for s in studies])


def _links(study: Study, catalog: Catalog) -> tuple[set[int], set[int]]:
    # Catalog rows are shared and made outside the record's transaction: they stay valid for
    # the rest of the run even if this record's transaction rolls back.
    catalog.prepare([study])
    return catalog.ids(study)


def _commit_without_waiting_for_disk() -> None:
    """Let this transaction's commit return before PostgreSQL has flushed it to disk.

    Waiting for the disk on every record's commit would cap a full import at a few hundred
    records a second. A crash can only lose the last fraction of a second of commits, each one
    whole (never half a record), and rerunning the import stores them again.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _insert(rows: list[tuple[Study, set[int], set[int]]], draft: bool, seen) -> None:
    """Insert new trials with their sites, contacts, links and first versions (no signals:
    the callers forget the cached pages)."""
    trials = [
        Trial(
            nct_id=study.nct_id,
            is_published=not draft,
            **study.facts,
            condition_names=_condition_names(study),
            first_seen_at=seen,
            last_updated_at=seen,
            update_count=0,
            current_version=1,
            content_hash=study.content_hash,
            source_hash=study.source_hash,
            registry_snapshot=study.snapshot,
        )
        for study, _, _ in rows
    ]
    for trial in trials:
        trial.refresh_names()
    # The insert raises IntegrityError if another importer created one of them meanwhile.
    Trial.objects.bulk_create(trials)
    TrialResults.objects.store_new(
        (trial.pk, study.results) for trial, (study, _, _) in zip(trials, rows, strict=True)
    )
    sites = [
        (trial, _location(trial, site), site)
        for trial, (study, _, _) in zip(trials, rows, strict=True)
        for site in study.locations
    ]
    Location.objects.bulk_create([row for _, row, _ in sites], batch_size=1000)
    contacts = [
        Contact(trial=trial, position=n, **contact)
        for trial, (study, _, _) in zip(trials, rows, strict=True)
        for n, contact in enumerate(study.contacts)
    ]
    contacts += [
        Contact(trial=trial, location=row, position=n, **contact)
        for trial, row, site in sites
        for n, contact in enumerate(site["contacts"])
    ]
    Contact.objects.bulk_create(contacts, batch_size=1000)
    conditions, groups = Trial.conditions.through, Trial.groups.through
    conditions.objects.bulk_create(
        [
            conditions(trial_id=trial.pk, condition_id=i)
            for trial, (_, ids, _) in zip(trials, rows, strict=True)
            for i in sorted(ids)
        ],
        batch_size=1000,
    )
    groups.objects.bulk_create(
        [
            groups(trial_id=trial.pk, conditiongroup_id=i)
            for trial, (_, _, ids) in zip(trials, rows, strict=True)
            for i in sorted(ids)
        ],
        batch_size=1000,
    )
    TrialVersion.objects.bulk_create(
        [
            TrialVersion(
                trial=trial,
                number=1,
                kind=TrialVersion.Kind.NEW,
                seen_at=seen,
                registry_updated_on=study.registry_updated_on,
            )
            for trial, (study, _, _) in zip(trials, rows, strict=True)
        ]
    )


def _update(trial: Trial, study: Study, condition_ids: set, group_ids: set, seen) -> None:
    changes = diff(trial.registry_snapshot or {}, study.snapshot)
    values = {
        **study.facts,
        "condition_names": _condition_names(study),
        "content_hash": study.content_hash,
        "source_hash": study.source_hash,
        "registry_snapshot": study.snapshot,
    }
    # The editors' headline and summary are what the record does not bring.
    values.update(
        names_of({**values, "headline": trial.headline, "plain_summary": trial.plain_summary})
    )
    if changes:
        number = trial.current_version + 1
        TrialVersion.objects.bulk_create(
            [
                TrialVersion(
                    trial=trial,
                    number=number,
                    kind=TrialVersion.Kind.CHANGED,
                    seen_at=seen,
                    registry_updated_on=study.registry_updated_on,
                    changes=changes,
                )
            ]
        )
        values.update(
            current_version=number, update_count=trial.update_count + 1, last_updated_at=seen
        )
    Trial.objects.filter(pk=trial.pk).update(**values)
    if (trial.registry_snapshot or {}).get("results", ()) != study.snapshot["results"]:
        TrialResults.objects.replace(trial.pk, study.results)
    _replace_sites(trial, study)
    _relink(trial, Trial.conditions.through, "condition_id", condition_ids)
    _relink(trial, Trial.groups.through, "conditiongroup_id", group_ids)


def _condition_names(study: Study) -> str:
    # What Trial.refresh_search_text() would copy, written with the row itself.
    return " ".join(sorted(term for term, _ in study.conditions))


def _location(trial: Trial, site: dict) -> Location:
    return Location(trial=trial, **{k: v for k, v in site.items() if k != "contacts"})


def _contact_key(values: dict) -> tuple:
    return (values["role"], values["name"])


def _replace_sites(trial: Trial, study: Study) -> None:
    """Bring the trial's sites and contacts in line with the study, keeping the rows (and their
    ids) of sites and contacts that are still there."""
    old_sites = {}
    for site in Location.objects.filter(trial=trial).order_by("position", "id"):
        old_sites.setdefault(site_key(site.__dict__), []).append(site)
    old_contacts: dict[tuple, list[Contact]] = {}
    for contact in Contact.objects.filter(trial=trial).order_by("position", "id"):
        old_contacts.setdefault((contact.location_id, _contact_key(contact.__dict__)), []).append(
            contact
        )

    kept_sites, new_sites, changed_sites = [], [], []
    for site in study.locations:
        matches = old_sites.get(site_key(site))
        if matches:
            row = matches.pop(0)
            values = {k: v for k, v in site.items() if k != "contacts"}
            if any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                changed_sites.append(row)
            kept_sites.append((row, site))
        else:
            row = _location(trial, site)
            new_sites.append(row)
            kept_sites.append((row, site))
    gone = [row.pk for rows in old_sites.values() for row in rows]
    if gone:
        Location.objects.filter(pk__in=gone).delete()
    if changed_sites:
        fields = ["position", *SITE_FIELDS, "latitude", "longitude"]
        Location.objects.bulk_update(changed_sites, fields)
    Location.objects.bulk_create(new_sites)

    wanted = [(None, n, c) for n, c in enumerate(study.contacts)]
    wanted += [(row, n, c) for row, site in kept_sites for n, c in enumerate(site["contacts"])]
    new_contacts, changed_contacts = [], []
    for row, position, values in wanted:
        location_id = row.pk if row is not None else None
        matches = old_contacts.get((location_id, _contact_key(values)))
        if matches:
            contact = matches.pop(0)
            fresh = {**values, "position": position}
            if any(getattr(contact, k) != v for k, v in fresh.items()):
                for k, v in fresh.items():
                    setattr(contact, k, v)
                changed_contacts.append(contact)
        else:
            new_contacts.append(Contact(trial=trial, location=row, position=position, **values))
    removed_sites = set(gone)  # their contacts went with them
    gone = [
        c.pk for rows in old_contacts.values() for c in rows if c.location_id not in removed_sites
    ]
    if gone:
        Contact.objects.filter(pk__in=gone).delete()
    if changed_contacts:
        Contact.objects.bulk_update(
            changed_contacts, ["position", "role", "name", "phone", "phone_extension", "email"]
        )
    Contact.objects.bulk_create(new_contacts)


def _relink(trial: Trial, through, column: str, ids: set[int]) -> None:
    links = through.objects.filter(trial_id=trial.pk)
    current = set(links.values_list(column, flat=True))
    if current - ids:
        links.filter(**{f"{column}__in": current - ids}).delete()
    through.objects.bulk_create(
        [through(trial_id=trial.pk, **{column: i}) for i in sorted(ids - current)]
    )
