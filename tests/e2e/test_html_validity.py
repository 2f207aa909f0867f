"""The Nu HTML Checker (vnu-jar) on the HTML each page type is served with: zero errors.

The pages are fetched through the browser (forms submitted where a form leads to the page) and
checked in one run of the checker, so Java starts once."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from .pages import PAGES, selected_pages

VNU = settings.BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.fixture(scope="session")
def vnu_messages(browser_session_pages, tmp_path_factory) -> dict[str, list[dict]]:
    if not shutil.which("java"):
        pytest.fail("java not found: the Nu HTML Checker needs Java 11 or newer.")
    folder = tmp_path_factory.mktemp("html")
    paths = []
    for name, html in browser_session_pages.items():
        paths.append(folder / f"{name}.html")
        paths[-1].write_text(html)
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode in (0, 1), f"The Nu HTML Checker failed:\n{run.stderr[-2000:]}"
    messages = {name: [] for name in browser_session_pages}
    for message in json.loads(run.stderr)["messages"]:
        # The checker names files "file:/path/<page>.html".
        messages[Path(message["url"].removeprefix("file:")).stem].append(message)
    return messages


@pytest.fixture(scope="session")
def browser_session_pages(request, chromium, live_url, site_data) -> dict[str, str]:
    """The HTML each page type was served with, as bytes off the wire."""
    pages = {}
    with chromium.context(live_url) as context:
        page = context.new_page()
        for page_type in selected_pages(request, "test_the_html_is_valid"):
            pages[page_type.name] = page_type.open(page, site_data).text()
    return pages


@pytest.mark.parametrize("page_type", PAGES, ids=str)
def test_the_html_is_valid(vnu_messages, page_type):
    errors = [
        f"line {m.get('lastLine')}: {m['message']} ({m.get('extract', '').strip()[:80]})"
        for m in vnu_messages[page_type.name]
    ]
    assert not errors, f"{page_type}: Nu HTML Checker errors\n" + "\n".join(errors)
