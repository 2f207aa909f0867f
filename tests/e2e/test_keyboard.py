"""Keyboard alone, no mouse: search with filters, and sign up for a trial's updates."""

import re

from playwright.sync_api import Page, expect


def tab_to(page: Page, selector: str, limit: int = 100) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"Tab never reaches {selector}")


def test_a_keyboard_user_searches_with_filters(browser, site_data):
    page = browser.new_page()
    page.goto("/trials/")
    tab_to(page, "main input[name=q]")
    page.keyboard.type("lung cancer")
    tab_to(page, "summary")
    page.keyboard.press("Enter")
    tab_to(page, "input[name=zip]")
    page.keyboard.type(site_data.near_zip)
    tab_to(page, "input[name=status][value=recruiting]")
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"status=recruiting"))
    expect(page.get_by_role("status")).to_contain_text("miles of")
    expect(page.locator(".trial-card__title").first).to_have_text(site_data.demo_title)


def test_a_keyboard_user_signs_up_for_updates(browser, site_data):
    page = browser.new_page()
    page.goto(f"/trials/{site_data.demo_nct_id}/")
    tab_to(page, "#get-updates input[name=email]")
    page.keyboard.type("keys@example.org")
    tab_to(page, "#get-updates input[name=consent]")
    page.keyboard.press("Space")
    tab_to(page, "#get-updates [type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
