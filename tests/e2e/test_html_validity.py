"""The Nu HTML Checker (vnu-jar) on the HTML each page type is served with: zero errors.

The pages are fetched through the browser (forms submitted where a form leads to the page) and
checked in one run of the checker, so Java starts once."""

import json
import shutil
import subprocess

import pytest
from django.conf import settings

from .pages import PAGES

VNU = settings.BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.fixture(scope="session")
def vnu_messages(browser_session_pages, tmp_path_factory) -> dict[str, list[dict]]:
    if not shutil.which("java"):
        pytest.fail("java not found: the Nu HTML Checker needs Java 11 or newer.")
    folder = tmp_path_factory.mktemp("html")
    files = {}
    for name, html in browser_session_pages.items():
        path = folder / f"{name}.html"
        path.write_text(html)
        files[path.as_uri()] = name
    run = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(run.stderr or run.stdout)
    messages = {name: [] for name in files.values()}
    for message in report["messages"]:
        messages[files[message["url"]]].append(message)
    return messages


@pytest.fixture(scope="session")
def browser_session_pages(chromium, live_url, site_data) -> dict[str, str]:
    """The HTML each page type was served with, as bytes off the wire."""
    pages = {}
    with chromium.context(live_url) as context:
        page = context.new_page()
        for page_type in PAGES:
            pages[page_type.name] = page_type.open(page, site_data).text()
    return pages


@pytest.mark.parametrize("page_type", PAGES, ids=str)
def test_the_html_is_valid(vnu_messages, page_type):
    errors = [
        f"line {m.get('lastLine')}: {m['message']} ({m.get('extract', '').strip()[:80]})"
        for m in vnu_messages[page_type.name]
    ]
    assert not errors, f"{page_type}: Nu HTML Checker errors\n" + "\n".join(errors)
