import re

import pytest

from plain.linking import GlossaryLinker, find_terms

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def words(text: str) -> list[str]:
    return [text[start:end] for start, end, _ in find_terms(text)]


def links(html: str) -> list[tuple[str, str]]:
    """(anchor, linked words) for each glossary link in the HTML."""
    return re.findall(
        r'<a class="glossary-link" href="/glossary/#([^"]+)">(.*?)<span class="visually-hidden">'
        r" \(glossary\)</span></a>",
        html,
    )


def test_the_longest_match_wins():
    text = "Relapsed or refractory non-small cell lung cancer, or small cell lung cancer."
    assert words(text) == [
        "Relapsed or refractory",
        "non-small cell lung cancer",
        "small cell lung cancer",
    ]


def test_a_protein_named_after_tumors_is_not_explained_as_a_tumor():
    text = "No biologics other than Tumor necrosis factor (TNF) inhibitors. The tumor must be seen."
    found = [(text[start:end], anchor) for start, end, anchor in find_terms(text)]
    assert ("Tumor necrosis factor", "tumor-necrosis-factor") in found
    assert ("tumor", "tumor") in found  # the word on its own still is
    assert ("Tumor", "tumor") not in found


def test_only_whole_words_match():
    assert words("the placebos and a biopsy") == ["placebos", "biopsy"]
    assert words("diagnostic, staged, Phase-1a, arms") == []


def test_hyphens_spaces_spelling_and_case_reach_one_entry():
    text = "Double blind, double-blind and DOUBLE-BLIND; randomised and randomized"
    found = find_terms(text)
    assert {slug for *_, slug in found} == {"double-blind", "randomized"}
    assert len(found) == 5


def test_abbreviations_match_only_as_written():
    assert words("An MRI scan, then a mri") == ["MRI scan"]
    assert words("eGFR above 60; EGFR mutation") == ["eGFR", "EGFR mutation"]


def test_it_never_links_inside_an_address_or_a_name():
    text = (
        "See https://example.org/placebo-study or write to placebo@example.org at "
        "Memorial Sloan Kettering Cancer Center."
    )
    assert words(text) == []
    assert words("Cancer is common.") == ["Cancer"]


def test_it_links_the_first_use_only_across_the_page():
    linker = GlossaryLinker()
    first = linker.link("A placebo or the drug. The placebo looks the same.")
    second = linker.link("Placebo again, and a biopsy.")
    assert links(first) == [("placebo", "placebo")]
    assert first.count("placebo") == 3  # the link's text, its address, the second use
    assert links(second) == [("biopsy", "biopsy")]


def test_it_escapes_registry_text():
    html = GlossaryLinker().link(f"{XSS} placebo {XSS} & <b>biopsy</b>")
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html
    assert links(html) == [("placebo", "placebo"), ("biopsy", "biopsy")]


def test_an_abbreviation_cannot_break_out_of_the_link():
    html = GlossaryLinker().link('"placebo"><script>')
    assert links(html) == [("placebo", "placebo")]
    assert "<script>" not in html


def test_text_already_made_html_keeps_its_markup_and_links_stay_unlinked():
    from django.utils.safestring import mark_safe

    masked = mark_safe(
        'Call <span class="masked">•••-•••-••••</span> about the placebo. '
        '<a href="/x">biopsy form</a> then a biopsy &amp; &lt;b&gt;.'
    )
    html = GlossaryLinker().link(masked)
    assert '<span class="masked">•••-•••-••••</span>' in html
    assert '<a href="/x">biopsy form</a>' in html
    assert links(html) == [("placebo", "placebo"), ("biopsy", "biopsy")]
    assert "&amp; &lt;b&gt;." in html


@pytest.mark.parametrize("text", ["", None, "   ", "no glossary words here at all"])
def test_text_without_glossary_words_is_returned_escaped(text):
    assert links(GlossaryLinker().link(text)) == []


def test_huge_text_is_linked_quickly_and_whole():
    text = ("The biopsy and the placebo. " * 20000) + XSS
    html = GlossaryLinker().link(text)
    assert len(links(html)) == 2
    assert html.endswith("&lt;img src=x onerror=alert(1)&gt;")
