"""What patients type, read the way the registry's records say it.

A search vocabulary is a list of terms, each mapping what people say ("slipped disc", "AML",
"leukaemia") to what records say ("intervertebral disc displacement", "acute myeloid leukemia",
"leukemia"). `Vocabulary.expand` turns a query into groups of alternatives that the database
matches (every group must match; any alternative of a group will do), and `Vocabulary.phrases`
says which whole phrases rank a trial higher. Pure functions and plain data: the Synonym rows
editors keep in admin are read into a Vocabulary by `trials.synonyms`.
"""

import functools
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

WORD = re.compile(r"[^\W_]+")
SPELLING = "SPELLING"
# The words PostgreSQL's English configuration leaves out of a search (Snowball's list): the
# simple match leaves them out too, so both read "trouble with sleeping" alike.
STOP_WORDS = frozenset(
    " ".join(
        [
            "i me my myself we our ours ourselves you your yours yourself yourselves he him his",
            "himself she her hers herself it its itself they them their theirs themselves what",
            "which who whom this that these those am is are was were be been being have has had",
            "having do does did doing a an the and but if or because as until while of at by for",
            "with about against between into through during before after above below to from up",
            "down in out on off over under again further then once here there when where why how",
            "all any both each few more most other some such no nor not only own same so than too",
            "very s t can will just don should now",
        ]
    ).split()
)
# Phrases a trial's conditions may hold inside a longer name that means something else:
# "small cell lung cancer" inside "non-small cell lung cancer".
NEGATING_PREFIXES = ("non",)
MAX_PHRASES = 64


def words(text: str) -> list[str]:
    """The words of a text, lower case, as the vocabulary compares them."""
    return [word.lower() for word in WORD.findall(text)]


def light_stem(word: str) -> str:
    """The word without a plural ending, so "headaches" and "headache" compare equal."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass(frozen=True)
class Term:
    """One vocabulary entry: what people say, and what the records say for it."""

    said: str
    means: tuple[str, ...]
    kind: str = ""
    both_ways: bool = False
    match_case: bool = False  # only when typed in capitals (ALL, not "all")
    # Longer names holding what it means that name something else: "pulmonary hypertension"
    # is not what "high blood pressure" means, though it holds "hypertension".
    not_meant: tuple[str, ...] = ()


Alternative = tuple[str, ...]  # words that must all match
Group = list[Alternative]  # any one alternative will do


class Vocabulary:
    def __init__(self, terms: Iterable[Term] = ()):
        self.terms = list(terms)
        self._spellings: dict[str, set[str]] = {}
        self._usual: dict[str, str] = {}
        self._phrases: dict[Alternative, list[tuple[Term, list[Alternative]]]] = {}
        # Abbreviations ("ALS", "IBS") also stand for other things in long texts: they count
        # only where a trial is named and filed (title, conditions, keywords).
        self.abbreviations: set[str] = set()
        for term in self.terms:
            for text in (term.said, *term.means):
                if len(words(text)) == 1 and text.strip().isupper() and len(text.strip()) > 1:
                    self.abbreviations.add(words(text)[0])
            said = words(term.said)
            means = [tuple(words(m)) for m in term.means if words(m)]
            if not said or not means:
                continue
            if term.kind == SPELLING and len(said) == 1 and all(len(m) == 1 for m in means):
                self._add_spelling(said[0], [m[0] for m in means])
        for term in self.terms:
            said = self.usual_words(words(term.said))
            means = [self.usual_words(words(m)) for m in term.means if words(m)]
            if not said or not means or term.kind == SPELLING:
                continue
            self._phrases.setdefault(said, []).append((term, means))
            if term.both_ways:
                for meaning in means:
                    others = [said] + [m for m in means if m != meaning]
                    reverse = Term(term.said, term.means, term.kind, False, False)
                    self._phrases.setdefault(meaning, []).append((reverse, others))
        self._longest = max((len(key) for key in self._phrases), default=1)

    def _add_spelling(self, word: str, others: list[str]) -> None:
        # The first meaning is the usual (American) spelling the records mostly use.
        family = {word, *others}
        for member in list(family):
            family |= self._spellings.get(member, set())
        for member in family:
            self._spellings[member] = family
        usual = others[0]
        for member in family:
            if member != usual:
                self._usual.setdefault(member, usual)

    def spellings(self, word: str) -> list[str]:
        """The word and its other spellings, the usual one first."""
        family = self._spellings.get(word)
        if not family:
            return [word]
        usual = self._usual.get(word, word)
        return [usual, *sorted(family - {usual})]

    def usual_words(self, said: list[str]) -> Alternative:
        return tuple(self._usual_spelling(word) for word in said)

    def _usual_spelling(self, word: str) -> str:
        if word in self._usual:
            return self._usual[word]
        stem = light_stem(word)  # "leukaemias" is "leukemias"
        if stem != word and stem in self._usual and word.startswith(stem):
            return self._usual[stem] + word[len(stem) :]
        return word

    def expand(self, q: str) -> list[Group]:
        """The query as groups of alternatives; phrases the vocabulary knows become one group.

        "AML relapse" is [[("aml",), ("acute", "myeloid", "leukemia")], [("relapse",)]]: the
        words as typed (in the usual spelling) come first in each group, then what the
        vocabulary adds. Stop words are left out unless they are all the query has.
        """
        typed = WORD.findall(q)
        usual = list(self.usual_words([word.lower() for word in typed]))
        groups: list[Group] = []
        i = 0
        while i < len(usual):
            for length in range(min(self._longest, len(usual) - i), 0, -1):
                key = tuple(usual[i : i + length])
                capitals = all(word.isupper() for word in typed[i : i + length])
                known = [
                    means
                    for term, means in self._phrases.get(key, [])
                    if capitals or not term.match_case
                ]
                if known:
                    alternatives = [key]
                    for means in known:
                        alternatives += [m for m in means if m not in alternatives]
                    groups.append(alternatives)
                    i += length
                    break
            else:
                groups.append([(usual[i],)])
                i += 1
        wanted = [
            g for g in groups if not (len(g) == 1 and g[0][0] in STOP_WORDS and len(g[0]) == 1)
        ]
        return wanted or groups

    def not_meant(self, group: Group) -> list[Alternative]:
        """The longer names a group's words stand in that mean something else (in the usual
        spelling): only the vocabulary's own terms say so."""
        terms = self._phrases.get(group[0], []) if len(group) > 1 else []
        names = [self.usual_words(words(name)) for term, _ in terms for name in term.not_meant]
        return list(dict.fromkeys(name for name in names if name))

    def phrases(self, groups: list[Group]) -> list[str]:
        """Whole phrases the query may mean, in the usual spelling, for ranking."""
        choices = [[" ".join(alt) for alt in group] for group in groups]
        combined = itertools.islice(itertools.product(*choices), MAX_PHRASES)
        return [" ".join(parts) for parts in combined]


def uninverted(mesh_term: str) -> str:
    """MeSH's “Leukemia, Myeloid, Acute” the way people say it: “Acute Myeloid Leukemia”."""
    return " ".join(reversed([part.strip() for part in mesh_term.split(",")]))


class Matcher:
    """Where a query's phrases and words stand in a trial's names, read with compiled regular
    expressions over the lower-cased text (hundreds of trials per search, so no word loops).

    Words match in any of their spellings and with a plural ending; names are kept apart by
    "|" so that no phrase runs from one name into the next.
    """

    def __init__(self, groups: list[Group], phrases: list[str], vocabulary: Vocabulary):
        spell = functools.partial(_word_pattern, vocabulary=vocabulary)
        alternatives = sorted(
            {_in_one_name(p.split(), spell) for p in phrases}, key=len, reverse=True
        )
        prefixes = "|".join(NEGATING_PREFIXES)
        self._phrase = (
            re.compile(
                rf"(?<![a-z0-9])(?:({prefixes})[^a-z0-9|]*)?(?:{'|'.join(alternatives)})(?![a-z0-9])"
            )
            if alternatives
            else None
        )
        # A phrase of several words right after "non" in a trial's texts (trials/naming.py).
        several = sorted(
            {_in_one_name(p.split(), spell) for p in phrases if len(p.split()) > 1},
            key=len,
            reverse=True,
        )
        self._negated = (
            re.compile(rf"(?:^|\|)[\s-]*(?:{'|'.join(several)})(?![a-z0-9])") if several else None
        )
        self._typed = [[_compiled(spell(word)) for word in group[0]] for group in groups]
        self._added = [
            [[_compiled(spell(word)) for word in alt] for alt in group[1:]] for group in groups
        ]
        any_of = "(?:{})".format
        self._not_meant = [
            (
                _compiled(any_of("|".join(_in_one_name(alt, spell) for alt in group))),
                _compiled(any_of("|".join(_in_one_name(name, spell) for name in others))),
            )
            for group in groups
            if (others := vocabulary.not_meant(group))
        ]

    def phrase(self, text: str) -> int:
        """2 when a phrase stands in the text, 1 when only inside a name that negates it
        ("non-small cell lung cancer" for "small cell lung cancer"), else 0."""
        if self._phrase is None:
            return 0
        found = 0
        for match in self._phrase.finditer(text):
            if match.group(1) is None:
                return 2
            found = 1
        return found

    def negated(self, after_non: str) -> bool:
        """Whether a phrase of several words comes right after a "non" in the trial's title or
        summaries (`after_non`, the runs trials/naming.py keeps): "non-small cell lung cancer"
        is no mention of "small cell lung cancer"."""
        return self._negated is not None and self._negated.search(after_non) is not None

    def meant(self, names: str, own_names: str) -> bool:
        """False when the names hold one a group does not mean ("pulmonary hypertension" for
        "high blood pressure") and the trial's own names (`own_names`: its titles, conditions
        and keywords as registered, not the MeSH terms they were filed under) hold the group's
        words nowhere else."""
        return not any(
            other.search(names) and not group.search(other.sub("|", own_names))
            for group, other in self._not_meant
        )

    def typed_words(self, text: str) -> bool:
        """Whether every word as typed stands in the text."""
        return all(all(word.search(text) for word in group) for group in self._typed)

    def added_words(self, text: str) -> bool:
        """Whether, for every group, all words of something the vocabulary added stand in it."""
        return all(
            any(all(word.search(text) for word in alt) for alt in group)
            for group in self._added
            if group
        ) and any(self._added)


def _in_one_name(phrase: Iterable[str], spell) -> str:
    """The words of a phrase in a row, each in any spelling, within one name."""
    return r"[^a-z0-9|]+".join(map(spell, phrase))


@functools.lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(rf"(?<![a-z0-9]){pattern}(?![a-z0-9])")


def _word_pattern(word: str, vocabulary: Vocabulary) -> str:
    """A word in any of its spellings, singular or plural ("leukaemias" for "leukemia")."""
    forms = []
    for spelling in vocabulary.spellings(word):
        stem = light_stem(spelling)
        if stem.endswith("y") and len(stem) > 3:
            forms.append(re.escape(stem[:-1]) + "(?:y|ies)")
        else:
            forms.append(re.escape(stem) + "(?:s|es)?")
    return "(?:" + "|".join(forms) + ")"
