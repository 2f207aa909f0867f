"""The condition and condition group rows an import run links its trials to."""

from django.utils.text import slugify

from ..groups import GROUPS, groups_for
from ..models import Condition, ConditionGroup
from ..signals import trials_changed
from .records import Study


class Catalog:
    """Condition and condition group rows by name, created once each, for one import run."""

    def __init__(self):
        self.conditions: dict[str, int] = {}
        self.groups: dict[str, int] = {}

    def group_ids(self, names: list[str]) -> set[int]:
        missing = [name for name in names if name not in self.groups]
        if missing:
            self.groups.update(
                ConditionGroup.objects.filter(name__in=missing).values_list("name", "id")
            )
        for name in [name for name in missing if name not in self.groups]:
            # Editors may have renamed or added groups: a new one gets a free slug.
            slug, n = slugify(name), 1
            while ConditionGroup.objects.filter(slug=slug).exclude(name=name).exists():
                n += 1
                slug = f"{slugify(name)}-{n}"
            group, _ = ConditionGroup.objects.get_or_create(
                name=name, defaults={"slug": slug, "description": GROUPS.get(name, "")}
            )
            self.groups[name] = group.pk
        return {self.groups[name] for name in names}

    def prepare(self, studies: list[Study]) -> None:
        """Find, or create, every condition and group these studies name, in a few queries."""
        self.group_ids(sorted({name for study in studies for name in study.groups}))
        wanted: dict[str, str] = {}
        groups_of: dict[str, list[str]] = {}
        for study in studies:
            for term, mesh_id in study.conditions:
                if term not in self.conditions:
                    wanted.setdefault(term, mesh_id)
                    # A trial's groups are its condition's own when it names only one.
                    if len(study.conditions) == 1:
                        groups_of.setdefault(term, study.groups)
        if not wanted:
            return
        self.conditions.update(Condition.objects.filter(name__in=wanted).values_list("name", "id"))
        new = {term: mesh_id for term, mesh_id in wanted.items() if term not in self.conditions}
        if not new:
            return
        Condition.objects.bulk_create(
            [Condition(name=term, mesh_id=mesh_id) for term, mesh_id in new.items()],
            ignore_conflicts=True,
        )
        created = dict(Condition.objects.filter(name__in=new).values_list("name", "id"))
        self.conditions.update(created)
        links = [
            Condition.groups.through(condition_id=condition_id, conditiongroup_id=group_id)
            for term, condition_id in created.items()
            for group_id in self.group_ids(groups_of.get(term) or groups_for([term]))
        ]
        Condition.groups.through.objects.bulk_create(links, ignore_conflicts=True)
        trials_changed.send(sender=Catalog, catalog=True)

    def ids(self, study: Study) -> tuple[set[int], set[int]]:
        """The study's condition and group ids (after `prepare`)."""
        return (
            {self.conditions[term] for term, _ in study.conditions},
            {self.groups[name] for name in study.groups},
        )
