"""How hard a text is to read, so editors can write for patients."""

import textstat

READING_GRADE_TARGET = 8


def reading_grade(text: str) -> float | None:
    """The Flesch-Kincaid US school grade of a text, or None when there is nothing to grade."""
    if not text or not any(ch.isalpha() for ch in text):
        return None
    return max(0.0, float(textstat.flesch_kincaid_grade(text)))
