"""“Did you mean”: the closest everyday or medical term to a query that finds nothing.

Each word we do not know is replaced by the closest word of a condition name or of the search
vocabulary ("migrane" → "migraine", "athsma" → "asthma"); on PostgreSQL a whole condition name
close to the query is tried too. A suggestion is offered only when it finds trials.
"""

import difflib
from functools import lru_cache

from django.db.models import Count, Max

from .models import Condition
from .synonyms import current_vocabulary
from .vocabulary import STOP_WORDS, Vocabulary, words
from .wordsearch import is_postgresql

CUTOFF = 0.75
MAX_QUERY = 100


def suggest(q: str, trials) -> str | None:
    """A term close to `q` that finds some of `trials` (a QuerySet), or None."""
    q = " ".join(q.split())
    if not q or len(q) > MAX_QUERY:
        return None
    vocabulary = current_vocabulary()
    for candidate in _candidates(q, vocabulary):
        if candidate.lower() != q.lower() and trials.search(candidate).exists():
            return candidate
    return None


def _candidates(q: str, vocabulary: Vocabulary):
    known = _known_words(_catalog_version(), tuple(vocabulary.terms))
    said = words(q)
    fixed = [_closest(word, known) for word in said]
    if fixed != said:
        yield " ".join(fixed)
    if is_postgresql():
        from django.contrib.postgres.search import TrigramWordSimilarity

        name = (
            Condition.objects.filter(name__trigram_word_similar=q)
            .annotate(similarity=TrigramWordSimilarity(q, "name"))
            .order_by("-similarity", "name")
            .values_list("name", flat=True)
            .first()
        )
        if name:
            yield name
    phrases = _known_phrases(_catalog_version(), tuple(vocabulary.terms))
    close = difflib.get_close_matches(q.lower(), phrases, n=1, cutoff=CUTOFF)
    if close:
        yield close[0]


def _closest(word: str, known: frozenset[str]) -> str:
    if word in known or word in STOP_WORDS or len(word) < 4 or not word.isalpha():
        return word
    close = difflib.get_close_matches(word, known, n=1, cutoff=CUTOFF)
    return close[0] if close else word


def _catalog_version() -> tuple:
    """Changes whenever a condition is added or removed (names are read again then)."""
    found = Condition.objects.aggregate(n=Count("id"), last=Max("id"))
    return (found["n"], found["last"])


@lru_cache(maxsize=4)
def _known_phrases(catalog: tuple, terms: tuple) -> list[str]:
    names = [name.lower() for name in Condition.objects.values_list("name", flat=True)]
    for term in terms:
        names += [term.said.lower(), *(m.lower() for m in term.means)]
    return sorted(set(names))


@lru_cache(maxsize=4)
def _known_words(catalog: tuple, terms: tuple) -> frozenset[str]:
    return frozenset(w for phrase in _known_phrases(catalog, terms) for w in words(phrase))
