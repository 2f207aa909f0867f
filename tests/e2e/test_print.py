"""The trial page printed for a doctor's appointment: content only, in black on white, with the
registry link spelled out."""

import pytest
from playwright.sync_api import expect

from .pages import PAGES

PRINTABLE = [page_type for page_type in PAGES if page_type.printable]


@pytest.mark.parametrize("page_type", PRINTABLE, ids=str)
def test_the_print_stylesheet_prints_the_trial_and_nothing_else(browser, site_data, page_type):
    page = browser.new_page()
    page_type.open(page, site_data)
    page.emulate_media(media="print")
    # Forms, and the sections that only hold one, are no use on paper.
    for hidden in (
        ".skip-link",
        ".site-header nav",
        ".site-footer nav",
        "form",
        "section:has(form)",
    ):
        for element in page.locator(hidden).all():
            expect(element, f"{page_type}: {hidden} is printed").to_be_hidden()
    for heading in page.locator("main section:not(:has(form)) h2").all():
        expect(heading, f"{page_type}: a section is not printed").to_be_visible()
    colours = page.evaluate(
        "[getComputedStyle(document.body).color, getComputedStyle(document.body).backgroundColor]"
    )
    assert colours == ["rgb(0, 0, 0)", "rgb(255, 255, 255)"], (
        f"{page_type}: not printed black on white: {colours}"
    )
    registry_link = page.locator(".registry-link a")
    after = registry_link.evaluate("(a) => getComputedStyle(a, '::after').content")
    assert "clinicaltrials.gov/study/" in after, f"{page_type}: the registry address is not printed"
    pdf = page.pdf(format="Letter")
    assert pdf.startswith(b"%PDF"), f"{page_type}: Chromium could not print the page"
