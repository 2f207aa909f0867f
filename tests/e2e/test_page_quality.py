"""Each page type, in Chromium: axe-core, dark mode, 320 px, keyboard, no JavaScript, reduced
motion and the Content-Security-Policy. A failure names the page (the test id) and the rule."""

import pytest

from .browser import Problems, csp_violations, describe_axe, run_axe
from .pages import PAGES

pytestmark = pytest.mark.parametrize("page_type", PAGES, ids=str)

# Relative luminance (WCAG) of an "rgb(r, g, b)" colour, computed in the page.
_LUMINANCE = """(colour) => {
  const [r, g, b] = colour.match(/[0-9.]+/g).slice(0, 3).map(Number).map((c) => {
    c /= 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}"""


def test_axe_finds_no_violations(browser, site_data, page_type):
    page = browser.new_page()
    page_type.open(page, site_data)
    violations = run_axe(page)
    assert not violations, f"{page_type}: axe-core violations\n{describe_axe(violations)}"


def test_dark_mode_is_dark_and_passes_axe(chromium, live_url, site_data, page_type):
    with chromium.context(live_url, color_scheme="dark") as context:
        page = context.new_page()
        page_type.open(page, site_data)
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        text = page.evaluate("getComputedStyle(document.body).color")
        luminance = page.evaluate(
            f"([b, t]) => [({_LUMINANCE})(b), ({_LUMINANCE})(t)]", [background, text]
        )
        assert luminance[0] < 0.05 < 0.6 < luminance[1], (
            f"{page_type}: prefers-color-scheme: dark not followed (background {background}, "
            f"text {text})"
        )
        violations = run_axe(page)
        assert not violations, (
            f"{page_type}: axe-core violations in dark mode\n{describe_axe(violations)}"
        )


def test_no_horizontal_scrolling_at_320_px(chromium, live_url, site_data, page_type):
    with chromium.context(live_url, viewport={"width": 320, "height": 640}) as context:
        page = context.new_page()
        page_type.open(page, site_data)
        # Open every disclosure, so what it hides is measured too.
        page.evaluate("document.querySelectorAll('details').forEach((d) => d.open = true)")
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        overflowing = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter((el) => el.getBoundingClientRect().right > innerWidth + 0.5)
                .filter((el) => getComputedStyle(el).position !== 'absolute')
                .slice(0, 5).map((el) => el.tagName.toLowerCase() + '.' + el.className)"""
        )
        assert widths[0] <= widths[1], (
            f"{page_type}: scrolls sideways at 320 px ({widths[0]} px wide): {overflowing}"
        )


def test_keyboard_alone_reaches_everything_with_a_visible_focus(browser, site_data, page_type):
    page = browser.new_page()
    page_type.open(page, site_data)
    page.keyboard.press("Tab")
    first = page.evaluate("document.activeElement.className")
    assert "skip-link" in first, f"{page_type}: the first Tab stop is not the skip link"
    skip_box = page.locator(".skip-link").bounding_box()
    assert skip_box and skip_box["y"] >= 0, f"{page_type}: the focused skip link is not visible"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main", (
        f"{page_type}: the skip link does not move focus to the main content"
    )
    # One Tab stop per element, and one per group of radio buttons.
    expected = page.evaluate(
        """() => {
            const main = document.getElementById('main');
            const stops = [...document.querySelectorAll(
                'a[href], button, input, select, textarea, summary, [tabindex]')]
              .filter((el) => el.tabIndex >= 0 && !el.disabled
                      && el.checkVisibility({visibilityProperty: true})
                      && main.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING);
            const radios = new Set();
            return stops.filter((el) => {
              if (el.type !== 'radio') return true;
              if (radios.has(el.name)) return false;
              radios.add(el.name);
              return true;
            }).length;
        }"""
    )
    seen = 0
    for _ in range(min(expected, 150)):
        page.keyboard.press("Tab")
        focus = page.evaluate(
            """() => {
                const el = document.activeElement;
                const style = getComputedStyle(el);
                const box = el.getBoundingClientRect();
                return {
                  name: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                        + ' ' + (el.textContent || el.name || '').trim().slice(0, 40),
                  outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
                  shadow: style.boxShadow !== 'none',
                  inView: box.width > 0 && box.height > 0 && box.bottom > 0
                          && box.top < innerHeight && box.right > 0 && box.left < innerWidth,
                  isBody: el === document.body,
                };
            }"""
        )
        if focus["isBody"]:
            break
        seen += 1
        assert focus["outline"] or focus["shadow"], (
            f"{page_type}: no visible focus indicator on {focus['name']}"
        )
        assert focus["inView"], f"{page_type}: focused {focus['name']} is off screen"
    assert seen >= min(expected, 150), (
        f"{page_type}: Tab reached {seen} of {expected} focusable elements after the skip link"
    )


def test_it_works_with_javascript_disabled(chromium, live_url, site_data, page_type):
    with chromium.context(live_url) as context:
        page = context.new_page()
        page_type.open(page, site_data)
        with_js = page.locator("main").inner_text()
        scripts = page.evaluate(
            """[...document.scripts].filter((s) => s.type !== 'application/ld+json')
                .map((s) => s.src || 'inline script')"""
        )
    assert not scripts, f"{page_type}: the page runs scripts: {scripts}"
    with chromium.context(live_url, java_script_enabled=False) as context:
        page = context.new_page()
        page_type.open(page, site_data)
        assert page.locator("h1").count() == 1, f"{page_type}: no single h1 without JavaScript"
        without_js = page.locator("main").inner_text()
    assert _without_tokens(without_js) == _without_tokens(with_js), (
        f"{page_type}: the page reads differently without JavaScript"
    )


def _without_tokens(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if "csrf" not in line.lower())


def test_reduced_motion_stops_all_motion(chromium, live_url, site_data, page_type):
    with chromium.context(live_url, reduced_motion="reduce") as context:
        page = context.new_page()
        page_type.open(page, site_data)
        page.evaluate("document.querySelectorAll('details').forEach((d) => d.open = true)")
        moving = page.evaluate(
            """() => [...document.querySelectorAll('*')].flatMap((el) => {
                const s = getComputedStyle(el);
                const longest = (v) => Math.max(...v.split(',').map(parseFloat));
                const parts = [];
                if (s.animationName !== 'none' && longest(s.animationDuration) > 0.01)
                  parts.push(el.tagName + ' animation ' + s.animationName);
                if (longest(s.transitionDuration) > 0.01)
                  parts.push(el.tagName + ' transition ' + s.transitionProperty);
                if (s.scrollBehavior === 'smooth') parts.push(el.tagName + ' smooth scrolling');
                return parts;
            }).slice(0, 10)"""
        )
        assert not moving, f"{page_type}: moves despite prefers-reduced-motion: {moving}"
        honoured = page.evaluate(
            """() => [...document.styleSheets].some((sheet) => [...sheet.cssRules].some((rule) =>
                rule.conditionText && rule.conditionText.includes('prefers-reduced-motion')))"""
        )
        assert honoured, f"{page_type}: its stylesheet has no prefers-reduced-motion rules"


def test_the_content_security_policy_is_strict_and_never_violated(browser, site_data, page_type):
    page = browser.new_page()
    problems = Problems()
    problems.watch(page, expected_status=page_type.status)
    response = page_type.open(page, site_data)
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "style-src 'self'" in policy, (
        f"{page_type}: weak or missing Content-Security-Policy: {policy!r}"
    )
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, (
        f"{page_type}: the Content-Security-Policy allows inline code: {policy!r}"
    )
    page.wait_for_load_state("networkidle")
    violations = csp_violations(page)
    assert not violations, f"{page_type}: Content-Security-Policy violations: {violations}"
    assert not problems.console, f"{page_type}: {problems.console}"
    assert not problems.failed_requests, f"{page_type}: failed requests: {problems.failed_requests}"
