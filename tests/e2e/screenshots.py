"""`make screenshots`: every page type at phone and desktop width, into docs/screenshots/, and
the README's gallery rewritten to match. Run through pytest for the served site and Chromium;
not collected by `make test` or `make e2e` (the file name does not start with test_)."""

import re

from django.conf import settings

from .pages import PAGES

FOLDER = settings.BASE_DIR / "docs" / "screenshots"
README = settings.BASE_DIR / "README.md"
WIDTHS = {"phone": (390, 844), "desktop": (1280, 800)}
# Long pages (a trial with 148 sites) are cut here: the top is what a reader sees first.
MAX_HEIGHT = {"phone": 3000, "desktop": 2000}
GALLERY = re.compile(r"(<!-- screenshots -->\n).*?(<!-- /screenshots -->)", re.S)


def test_write_screenshots(chromium, live_url, site_data):
    FOLDER.mkdir(parents=True, exist_ok=True)
    rows = []
    for page_type in PAGES:
        for kind, (width, height) in WIDTHS.items():
            with chromium.context(live_url, viewport={"width": width, "height": height}) as context:
                page = context.new_page()
                page_type.open(page, site_data)
                full = page.evaluate("document.documentElement.scrollHeight")
                top = 0
                if page_type.screenshot_from:
                    box = page.locator(page_type.screenshot_from).bounding_box()
                    top = max(0, int(box["y"]) - 16)
                page.screenshot(
                    path=FOLDER / f"{page_type.name}-{kind}.png",
                    full_page=True,
                    clip={
                        "x": 0,
                        "y": top,
                        "width": width,
                        "height": min(full - top, MAX_HEIGHT[kind]),
                    },
                )
        title = page_type.name.replace("-", " ").capitalize()
        rows.append(
            f"| {title} | "
            + " | ".join(
                f'<img src="docs/screenshots/{page_type.name}-{kind}.png" '
                f'width="{195 if kind == "phone" else 400}" alt="{title}, {kind}">'
                for kind in WIDTHS
            )
            + " |"
        )
    table = "| Page | Phone (390 px) | Desktop (1280 px) |\n| --- | --- | --- |\n"
    readme = README.read_text()
    assert GALLERY.search(readme), "README.md has no <!-- screenshots --> section"
    README.write_text(GALLERY.sub(lambda m: m[1] + table + "\n".join(rows) + "\n" + m[2], readme))
