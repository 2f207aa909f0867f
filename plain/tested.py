"""What a study tests, in words: how many things of which kinds, named where the names are
short enough, and the number every sentence about them agrees with (“the drug works”, “the
drugs work”, “the treatments work”)."""

from collections import Counter

from .facts import Intervention
from .wording import MEDICINES, article, display_name, kind_of, nameable, variant_of

COUNT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
COUNT_WORDS += ("ten", "eleven", "twelve")
MOST_NAMES = 3  # a longer list names its first three, “including” them

# Words that agree with what is tested: (one thing, more than one).
_AGREEING = {
    "works": ("works", "work"),
    "is": ("is", "are"),
    "it": ("it", "they"),
    "them": ("it", "them"),
    "looks": ("looks", "look"),
    "helps": ("helps", "help"),
}


def counted(count: int, noun: str) -> str:
    """“three drugs”; “several” past twelve."""
    word = COUNT_WORDS[count] if count < len(COUNT_WORDS) else "several"
    return f"{word} {noun}"


def listed(names: list[str]) -> str:
    """“A”, “A and B”, “A, B and C”."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


class Tested:
    """The things a study tests (placebos, usual care and measurements already left out)."""

    def __init__(self, items: list[Intervention]):
        # Forms of one thing (“Spesolimab Formulation 1” and “… Formulation 2”) are that
        # thing, and each thing counts once, however often it is listed.
        forms = Counter((i.kind, base) for i in items if (base := variant_of(i.name)))
        once: dict[tuple, Intervention] = {}
        for item in items:
            base = variant_of(item.name)
            if base and forms[(item.kind, base)] > 1:
                item = Intervention(item.kind, base)
            once.setdefault(_key(item), item)
        self.items = list(once.values())
        self.kinds = _kinds(self.items)
        self.names = [display_name(i.name) for i in self.items if nameable(i.name)]

    @property
    def plural(self) -> bool:
        return len(self.items) > 1

    @property
    def kind(self) -> str:
        """What one of them is: “drug”, “device”; “treatment” for mixed kinds or none."""
        return self.kinds[0][0] if len(self.kinds) == 1 else "treatment"

    @property
    def noun(self) -> str:
        """“drug”, “drugs”, “treatments”."""
        if len(self.kinds) == 1:
            return self.kinds[0][1] if self.plural else self.kinds[0][0]
        return "treatments" if self.plural else "treatment"

    @property
    def the(self) -> str:
        return f"the {self.noun}"

    def agreeing(self) -> dict[str, str]:
        """Words for a template: {thing} {works}, {it} {is} safe, tests {them} ..."""
        words = {key: pair[self.plural] for key, pair in _AGREEING.items()}
        return {"thing": self.the, **words}

    def named(self, item: Intervention) -> str:
        """“a drug called eptinezumab”; the kind alone when the name is a description, or
        says no more than the kind (not “a radiation treatment called radiation”)."""
        noun, name = kind_of(item)[0], display_name(item.name)
        if not nameable(item.name) or set(name.lower().split()) <= set(noun.split()):
            return article(noun)
        return f"{article(noun)} called {name}"

    def counted(self) -> str:
        """Without names: “a drug”, “three drugs”, “two drugs and a device”."""
        if not self.items:
            return "a treatment"
        if len(self.kinds) == 1:
            return counted(len(self.items), self.noun) if self.plural else article(self.kind)
        parts = []
        for singular, plural in self.kinds:
            count = sum(kind_of(item) == (singular, plural) for item in self.items)
            parts.append(counted(count, plural) if count > 1 else article(singular))
        return listed(parts) if len(parts) <= 3 else counted(len(self.items), "treatments")

    def phrase(self, names: int) -> tuple[str, bool]:
        """What is tested, naming at most `names` of them, and whether the phrase can go on
        (“two drugs, A and B,” can be followed by “in adults”; a list after a colon ends the
        sentence)."""
        items = self.items
        if not items:
            return "a treatment", True
        if len(items) == 1:
            return (self.named(items[0]) if names else article(self.kind)), True
        if not names or not self.names:
            return self.counted(), True
        if len(self.kinds) > 1 and len(items) == 2 and names > 1:
            return f"{self.named(items[0])} and {self.named(items[1])}", True
        shown = self.names[: min(names, MOST_NAMES)]
        if len(shown) < len(items):
            return f"{counted(len(items), self.noun)}, including {listed(shown)},", True
        if len(items) == 2:
            return f"{counted(2, self.noun)}, {listed(shown)},", True
        if len(self.kinds) > 1:
            groups = [self._group(kind) for kind in self.kinds]
            # “the drugs A and B, and a device called C”: a comma keeps the groups apart.
            joined = ", and ".join([", ".join(groups[:-1]), groups[-1]])
            return f"{counted(len(items), self.noun)}: {joined}", False
        return f"{counted(len(items), self.noun)}: {listed(shown)}", False

    def headline_subjects(self):
        """What a headline can call them, longest first: “the drug X”, “A, B and C”, ..."""
        if len(self.items) == 1 and self.names:
            noun, name = self.kind, self.names[0]
            # Not “the device X device”, “the app X application”, nor “the approach X” or
            # “the test X”: then the name alone.
            if noun not in ("approach", "test") and not _overlap(noun, name):
                yield f"the {noun} {name}"
            yield name
        elif 1 < len(self.items) <= MOST_NAMES and len(self.names) == len(self.items):
            yield listed(self.names)
        yield self.counted()
        if len(self.kinds) > 1:
            yield counted(len(self.items), self.noun)

    def _group(self, kind: tuple[str, str]) -> str:
        """One kind's share of a mixed list: “a device called B”, “the drugs A and C”."""
        items = [item for item in self.items if kind_of(item) == kind]
        if len(items) == 1:
            return self.named(items[0])
        return f"the {kind[1]} {listed([display_name(i.name) for i in items])}"


def _overlap(noun: str, name: str) -> bool:
    """Whether a name repeats its kind: a word of the name starts with a word of the kind
    (“app” in “zemedy application”, “device” in “PEEK fusion device”)."""
    kinds = [word for word in noun.split() if len(word) > 2]
    return any(word.startswith(kind) for word in name.lower().split() for kind in kinds)


def _key(item: Intervention) -> tuple:
    return kind_of(item), display_name(item.name).lower()


def _kinds(items: list[Intervention]) -> list[tuple[str, str]]:
    """The kinds of `items` in listed order; kinds that differ only in their first words
    (“an advice program”, “an exercise program”) are one (“programs”)."""
    kinds = list(dict.fromkeys(kind_of(item) for item in items))
    heads = {(singular.split()[-1], plural.split()[-1]) for singular, plural in kinds}
    # Not a cell therapy and a physical therapy as “two therapies”: a medicine keeps its kind.
    if len(kinds) > 1 and len(heads) == 1 and not MEDICINES & set(kinds):
        return list(heads)
    return kinds
