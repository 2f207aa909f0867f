"""Finding trials by words: the query read through the search vocabulary, or as written.

PostgreSQL matches a weighted tsvector kept by a trigger (migrations 0003, 0005 and 0014) with
to_tsquery, or websearch_to_tsquery for search-engine syntax, and ranks with ts_rank; SQLite,
the development default, matches words at the start of a word in the same fields. Both read a
query the same way (trials/vocabulary.py): the words as typed may match anywhere, what the
vocabulary adds for them where a trial is named and filed.
"""

import operator
import re
from collections.abc import Callable
from functools import reduce

from django.contrib.postgres.search import SearchQuery
from django.db import connection, models
from django.db.models import Case, F, Q, Value, When

from .vocabulary import STOP_WORDS, Group, Vocabulary, light_stem

SEARCH_CONFIG = "english"
SQLITE_SEARCH_FIELDS = [
    "headline",
    "generated_headline",
    "brief_title",
    "official_title",
    "acronym",
    "plain_summary",
    "registry_summary",
    "condition_names",
    "registrant_conditions",
    "mesh_terms",
    "interventions",
    "keywords",
    "sponsor",
    "nct_id",
]


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


_SQLITE_TERM = re.compile(r'(-?)(?:"([^"]*)"|([\w\'][\w\'-]*))')
# Where a word weighs most in the simple match: what the trial is called and what it is about.
SQLITE_TITLE_FIELDS = [
    "headline",
    "generated_headline",
    "brief_title",
    "acronym",
    "condition_names",
    "registrant_conditions",
]


# Where a trial is named and filed: what PostgreSQL weighs A and B.
SQLITE_NAMING_FIELDS = [*SQLITE_TITLE_FIELDS, "mesh_terms", "interventions", "keywords", "nct_id"]


def _sqlite_terms(q: str) -> tuple[list[list[str]], list[str]]:
    """The simple match's reading of a search-engine style query.

    Returns groups of alternatives (each group must match: `a OR b` is one group) and the
    `-words` that must not match. Quoted phrases and hyphenated words (“CAR-T”, “-non-small”)
    stay whole.
    """
    groups: list[list[str]] = []
    unwanted: list[str] = []
    joining = False
    for minus, phrase, word in _SQLITE_TERM.findall(q):
        term = (phrase if phrase else word).strip().strip("-")
        if not term:
            continue
        if not phrase and term.lower() == "or":
            joining = bool(groups)
            continue
        if minus:
            unwanted.append(term)
        elif joining:
            groups[-1].append(term)
        else:
            groups.append([term])
        joining = False
    return groups, unwanted


def _in_any_field(term: str, fields: list[str] = SQLITE_SEARCH_FIELDS) -> Q:
    found = Q()
    for field in fields:
        found |= Q(**{f"{field}__icontains": term})
    return found


# Quotes, a leading minus or OR: the query is search-engine syntax, taken as written.
_SYNTAX = re.compile(r'["“”]|(?:^|\s)-\w|\sOR\s')


def _ts_rank(query):
    from django.contrib.postgres.search import SearchRank

    # Normalisation 1 divides by log(length): long summaries don't drown short records.
    return SearchRank(F("search_vector"), query, normalization=Value(1))


def _wanted(alternative: tuple[str, ...]) -> tuple[str, ...]:
    """The alternative's words without stop words (unless that would leave none)."""
    kept = tuple(word for word in alternative if word not in STOP_WORDS)
    return kept or alternative


def _tsquery_words(alternative: tuple[str, ...], vocabulary: Vocabulary, named: bool) -> str:
    # Words are letters and digits only (vocabulary.WORD), so none is tsquery syntax. Where a
    # trial is named and filed is what the trigger weighs A and B; an abbreviation counts only
    # there too (in a long text "ALS" may be something else).
    where = ":AB" if named or _is_abbreviation(alternative, vocabulary) else ""
    spelled = (
        "(" + " | ".join(s + where for s in vocabulary.spellings(word)) + ")"
        for word in alternative
    )
    return "(" + " & ".join(spelled) + ")"


def _is_abbreviation(alternative: tuple[str, ...], vocabulary: Vocabulary) -> bool:
    return len(alternative) == 1 and alternative[0] in vocabulary.abbreviations


def _sqlite_words(
    alternative, vocabulary: Vocabulary, named: bool, fields=SQLITE_SEARCH_FIELDS
) -> Q:
    """Each word (in any of its spellings) at the start of a word in one of the fields (those
    naming the trial for what the vocabulary added, and for abbreviations)."""
    if named or _is_abbreviation(alternative, vocabulary):
        fields = [f for f in fields if f in SQLITE_NAMING_FIELDS]
    # PostgreSQL's regular expressions spell word boundaries \m and \M (\b is a backspace).
    postgres = connection.vendor == "postgresql"  # the dialect, whichever search runs
    start, end = (r"\m", r"\M") if postgres else (r"\b", r"\b")
    found = Q()
    for word in alternative:
        spelled = Q()
        for spelling in vocabulary.spellings(word):
            stem = light_stem(spelling)
            pattern = start + re.escape(stem) + (end if len(stem) <= 3 else "")
            spelled |= reduce(
                operator.or_, (Q(**{f"{field}__iregex": pattern}) for field in fields)
            )
        found &= spelled
    return found


def search_words(trials, q: str, vocabulary: Callable[[], Vocabulary]):
    """The trials (a QuerySet) matching a query, annotated with `rank` (higher is better).

    Plain words are read through the search vocabulary `vocabulary()` gives (everyday words,
    abbreviations, spellings: trials/vocabulary.py), asked for only then; a query with
    search-engine syntax (quotes, -word, OR) is taken as written.
    """
    q = q.strip()
    if not q:
        return trials
    if not _SYNTAX.search(q):
        read_through = vocabulary()
        return _search_groups(trials, read_through.expand(q), read_through)
    if is_postgresql():
        query = SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
        return trials.filter(search_vector=query).annotate(rank=_ts_rank(query))
    groups, unwanted = _sqlite_terms(q)
    if not groups:
        return trials.none()
    matched = trials
    rank = Value(0.0, output_field=models.FloatField())
    for alternatives in groups:
        matched = matched.filter(reduce(operator.or_, map(_in_any_field, alternatives)))
        # A word in the title or conditions counts three times a word in the summaries.
        in_title = reduce(
            operator.or_, (_in_any_field(term, SQLITE_TITLE_FIELDS) for term in alternatives)
        )
        rank = rank + Case(When(in_title, then=Value(3.0)), default=Value(1.0))
    for term in unwanted:
        matched = matched.exclude(_in_any_field(term))
    return matched.annotate(rank=rank)


def _search_groups(trials, groups: list[Group], vocabulary: Vocabulary):
    """Every group matched by one of its alternatives (all of whose words must match).

    The words as typed may match anywhere; what the vocabulary adds for them must match
    where a trial is named and filed (its title, conditions and keywords).
    """
    if not groups:
        return trials.none()
    wanted = []
    for typed, *added in groups:
        typed = _wanted(typed)
        alternatives = [(alt, True) for alt in map(_wanted, added)]
        if not (added and all(word in STOP_WORDS for word in typed)):
            alternatives.insert(0, (typed, False))
        wanted.append(alternatives)
    if is_postgresql():
        tsquery = " & ".join(
            "(" + " | ".join(_tsquery_words(alt, vocabulary, named) for alt, named in group) + ")"
            for group in wanted
        )
        query = SearchQuery(tsquery, search_type="raw", config=SEARCH_CONFIG)
        return trials.filter(search_vector=query).annotate(rank=_ts_rank(query))
    matched = trials
    rank = Value(0.0, output_field=models.FloatField())
    for group in wanted:
        matched = matched.filter(
            reduce(operator.or_, (_sqlite_words(alt, vocabulary, named) for alt, named in group))
        )
        in_title = reduce(
            operator.or_,
            (_sqlite_words(alt, vocabulary, True, SQLITE_TITLE_FIELDS) for alt, _ in group),
        )
        rank = rank + Case(When(in_title, then=Value(3.0)), default=Value(1.0))
    return matched.annotate(rank=rank)
