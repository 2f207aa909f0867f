"""Putting a search's matches in the order a patient can act on.

For a search by words, ordered by best match:

1. trials whose title, conditions, keywords or MeSH terms hold the whole phrase asked for come
   first, then those holding all its words scattered, then trials that only mention it
   further down (in a summary);
2. within each, trials people can join (recruiting, not yet recruiting, enrolling by
   invitation) come first, those whose open status is stale (see `status_is_stale`) after
   them, closed trials last;
3. then the database's own rank, then the most recently updated.

A trial whose mention of a phrase sits only inside a longer name that negates it ("non-small
cell lung cancer" for "small cell lung cancer") does not match it at all; nor does one filed
under a longer name that the vocabulary says a term does not mean ("pulmonary hypertension" for
"high blood pressure"), unless its own names also say the term on their own.

Only the first RESULT_LIMIT matches are read (open trials first, through the full-text index),
with what they are ordered by: ordering every match of a common word would mean reading tens of
thousands of rows for one page (docs/search-performance.md).
"""

import datetime as dt
import math

from . import search
from .choices import Status, status_is_stale
from .naming import NAME_COLUMNS
from .search import Nearby, _through_the_word_index
from .synonyms import current_vocabulary
from .vocabulary import STOP_WORDS, Matcher, Vocabulary


class Query:
    """What ranking needs to know of the words searched for."""

    def __init__(self, q: str, vocabulary: Vocabulary | None = None):
        self.vocabulary = vocabulary or current_vocabulary()
        self.groups = self.vocabulary.expand(q)
        phrases = self.vocabulary.phrases(self.groups)
        # Each phrase the vocabulary knows counts too ("AML" in "relapsed AML").
        phrases += [" ".join(alt) for group in self.groups for alt in group if len(alt) > 1]
        phrases = [p for p in phrases if any(word not in STOP_WORDS for word in p.split())]
        self.phrases = list(dict.fromkeys(phrases))
        self.matcher = Matcher(self.groups, self.phrases, self.vocabulary)

    def quality(self, about: str, own: str) -> int | None:
        """How well a trial's names (`about`, lower case; `own`, those it was registered with)
        hold the query: 3 for a whole phrase, 2 for every typed word, 1 for neither (the typed
        words are further down); None for no match: the phrase only inside a name that negates
        it, a trial about something the query does not mean, or only the vocabulary's words
        scattered (our own additions must stand whole)."""
        if not self.matcher.meant(about, own):
            return None
        whole = self.matcher.phrase(about)
        if whole == 2:
            return 3
        if whole == 1:
            return None
        if self.matcher.typed_words(about):
            return 2
        if self.matcher.added_words(about):
            return None
        return 1


def _about(row: dict) -> tuple[str, str]:
    """The trial's names (trials/naming.py): all of them, and those it was registered with or is
    shown with (not what it is filed under)."""
    own, filed = row["own_names"], row["filed_names"]
    return (f"{own}|{filed}" if own and filed else own or filed), own


def _latest_first(value: dt.date | dt.datetime | None) -> tuple:
    """A sort key putting the latest date first and missing dates last (DESC NULLS LAST)."""
    if value is None:
        return (1, 0)
    return (0, -(value.timestamp() if isinstance(value, dt.datetime) else value.toordinal()))


def ranked_ids(
    trials,
    sort: str,
    nearby: Nearby | None,
    limit: int | None = None,
    q: str = "",
    statuses: list[str] | None = None,
) -> tuple[list[int], bool]:
    """(ids in order, more) for a search by words (`q`) or by place. `statuses`, when given,
    are those `trials` were narrowed to: a search by words then reads only the open or closed
    trials they allow."""
    limit = limit or search.RESULT_LIMIT
    fields = ["pk", "last_updated_at", "first_submitted_on"]
    words = "rank" in trials.query.annotations
    ranked = sort == "relevance" and words
    if ranked:
        return _best_matches(trials, Query(q), limit, statuses or Status.values)
    with _through_the_word_index(words):
        rows = list(trials.order_by().values_list(*fields)[: limit + 1])
    more = len(rows) > limit or (nearby is not None and not nearby.complete)
    rows = rows[:limit]
    distances = nearby.distances if nearby is not None else {}

    def key(row):
        pk, updated, submitted = row
        if sort == "nearest" and nearby is not None:
            return (distances.get(pk, math.inf), -pk)
        if sort == "newest":
            return (_latest_first(submitted), -pk)
        return (_latest_first(updated), -pk)

    rows.sort(key=key)
    return [row[0] for row in rows], more


def _best_matches(trials, query: Query, limit: int, statuses) -> tuple[list[int], bool]:
    fields = ["pk", "last_updated_at", "rank", "status", "status_verified_on", "completion_date"]
    fields += NAME_COLUMNS
    open_now = Status.open_to_patients()
    rows = []
    # Trials people can join first: past RESULT_LIMIT matches, those are the ones to list. Only
    # the statuses the search allows are looked for (a query that cannot match any row still
    # reads every match of its words to find that out).
    with _through_the_word_index(True):
        if any(status in open_now for status in statuses):
            rows = list(trials.filter(status__in=open_now).order_by().values(*fields)[: limit + 1])
        if len(rows) <= limit and any(status not in open_now for status in statuses):
            rest = trials.exclude(status__in=open_now).order_by().values(*fields)
            rows += list(rest[: limit + 1 - len(rows)])
    more = len(rows) > limit
    today = dt.date.today()
    keyed = []
    for row in rows[:limit]:
        quality = query.quality(*_about(row))
        if quality is None:
            continue
        if quality < 3 and query.matcher.negated(row["after_non"]):
            continue  # its texts mention the phrase only negated
        if row["status"] not in open_now:
            standing = 2
        else:
            stale = status_is_stale(
                row["status"], row["status_verified_on"], row["completion_date"], today
            )
            standing = 1 if stale else 0
        key = (
            -quality,  # a whole phrase, then every word, then only a mention further down
            standing,  # open, then open but stale, then closed
            -(row["rank"] or 0.0),
            _latest_first(row["last_updated_at"]),
            -row["pk"],
        )
        keyed.append((key, row["pk"]))
    keyed.sort()
    return [pk for _, pk in keyed], more
