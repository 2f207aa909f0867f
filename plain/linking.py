"""Glossary links in registry text: the first use of each glossary word on a page.

Registry text is the registrant's, and hostile: the HTML is built from escaped pieces only.
Matching is whole-word and longest-first with one Aho-Corasick automaton per kind of form
(abbreviations as written, other words in any case); it never links inside a web or email
address or inside a name (“Memorial Sloan Kettering Cancer Center”).
"""

import functools
import html
import re

import ahocorasick
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeData, SafeString, mark_safe

from .glossary import entries, is_abbreviation

# Read as spaces, so a form with a space matches the hyphenated word and the line-broken one.
_SPACES = str.maketrans({"-": " ", "\u2010": " ", "\u2011": " ", "\n": " ", "\t": " "})
_ADDRESS = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\S+", re.I)
# A capitalised word just before or after a capitalised match makes it part of a name.
_NAME_BEFORE = re.compile(r"[A-Z][\w'’]*[ ]$")
_NAME_AFTER = re.compile(r"^[ ][A-Z][a-z]")
# Tags in text that is already HTML (masked, or with links in it).
_TAG = re.compile(r"<[^>]*>")
_LINK_OPENS = re.compile(r"<a[\s>]", re.I)
_LINK_CLOSES = re.compile(r"</a\s*>", re.I)


@functools.cache
def _automata() -> tuple[ahocorasick.Automaton, ahocorasick.Automaton]:
    """(abbreviations matched as written, other forms matched lower-case)."""
    exact, folded = ahocorasick.Automaton(), ahocorasick.Automaton()
    for entry in entries():
        for form in entry.forms():
            automaton, key = (exact, form) if is_abbreviation(form) else (folded, _lower(form))
            if key not in automaton:  # the first entry (A-Z) keeps a form two entries share
                automaton.add_word(key, (entry.slug, len(key)))
    exact.make_automaton()
    folded.make_automaton()
    return exact, folded


def _lower(text: str) -> str:
    """Lower case, one character for one, so positions in the result are positions in text."""
    return "".join(c if len(low := c.lower()) != 1 else low for c in text)


def _joins(char: str) -> bool:
    """Whether a character next to a match makes it part of a longer word."""
    return char.isalnum() or char in "-_\u2010\u2011"


def find_terms(text: str) -> list[tuple[int, int, str]]:
    """(start, end, entry slug) of the glossary words in text, longest first, not overlapping."""
    if not text:
        return []
    spaced = text.translate(_SPACES)
    exact, folded = _automata()
    candidates = []
    for automaton, haystack in ((exact, spaced), (folded, _lower(spaced))):
        if not len(automaton):
            continue
        for last, (slug, length) in automaton.iter(haystack):
            start, end = last - length + 1, last + 1
            if start > 0 and _joins(text[start - 1]):
                continue
            if end < len(text) and _joins(text[end]):
                continue
            candidates.append((start, end, slug))
    taken = bytearray(len(text))
    for address in _ADDRESS.finditer(text):
        taken[address.start() : address.end()] = b"\x01" * (address.end() - address.start())
    chosen = []
    for start, end, slug in sorted(candidates, key=lambda c: (c[0] - c[1], c[0])):
        if any(taken[start:end]) or _in_a_name(text, start, end):
            continue
        taken[start:end] = b"\x01" * (end - start)
        chosen.append((start, end, slug))
    return sorted(chosen)


def _in_a_name(text: str, start: int, end: int) -> bool:
    word = text[start:end]
    if not word[0].isupper() or is_abbreviation(word):
        return False
    return bool(
        _NAME_BEFORE.search(text, max(0, start - 60), start)
        or _NAME_AFTER.match(text[end : end + 3])
    )


class GlossaryLinker:
    """Links the first use of each glossary word across the registry texts of one page.

    One linker serves one page: texts are passed in the order the page shows them.
    """

    def __init__(self) -> None:
        self.linked: set[str] = set()
        self.page = reverse("plain:glossary")

    def link(self, text: str) -> SafeString:
        """The text, escaped, with the glossary words not yet linked on this page linked.

        Text that is already HTML (SafeData, such as text with contact details masked) keeps
        its markup; only the words between its tags are linked, and never inside its links.
        """
        if isinstance(text, SafeData):
            return self._link_html(str(text))
        return self._link_text(str(text or ""))

    def _link_html(self, markup: str) -> SafeString:
        pieces, position, in_link = [], 0, 0
        for tag in _TAG.finditer(markup):
            words = markup[position : tag.start()]
            pieces.append(
                escape(html.unescape(words)) if in_link else self._link_text(html.unescape(words))
            )
            pieces.append(tag.group())
            if _LINK_OPENS.match(tag.group()):
                in_link += 1
            elif _LINK_CLOSES.match(tag.group()):
                in_link = max(0, in_link - 1)
            position = tag.end()
        rest = html.unescape(markup[position:])
        pieces.append(escape(rest) if in_link else self._link_text(rest))
        return mark_safe("".join(pieces))  # noqa: S308 (tags as given, text escaped)

    def _link_text(self, text: str) -> SafeString:
        pieces, position = [], 0
        for start, end, slug in find_terms(text):
            if slug in self.linked:
                continue
            self.linked.add(slug)
            pieces.append(escape(text[position:start]))
            pieces.append(
                format_html(
                    '<a class="glossary-link" href="{}#{}">{}'
                    '<span class="visually-hidden"> (glossary)</span></a>',
                    self.page,
                    slug,
                    text[start:end],
                )
            )
            position = end
        pieces.append(escape(text[position:]))
        return mark_safe("".join(pieces))  # noqa: S308 (every piece above is escaped)
