"""Lighthouse on every page type (mobile, simulated throttling): 100 for accessibility, best
practices and SEO, at least 95 for performance. One Chromium runs all pages (about 12 s each)."""

import json
import os
import subprocess
from urllib.parse import urljoin

import pytest
from django.conf import settings

from .browser import CHROMIUM_ARGS
from .pages import PAGES, selected_pages

RUNNER = settings.BASE_DIR / "tests" / "e2e" / "lighthouse.mjs"
REQUIRED = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}


@pytest.fixture(scope="session")
def lighthouse_results(request, live_url, site_data, tmp_path_factory) -> dict:
    specs = []
    for page_type in selected_pages(request, "test_lighthouse_scores"):
        spec = {"name": page_type.name}
        if page_type.submit:
            spec["submit"] = page_type.submit.as_json(site_data)
            spec["submit"]["start"] = live_url + spec["submit"]["start"]
        else:
            spec["url"] = urljoin(live_url, page_type.url(site_data))
        specs.append(spec)
    spec_file = tmp_path_factory.mktemp("lighthouse") / "pages.json"
    spec_file.write_text(json.dumps(specs))
    run = subprocess.run(
        ["node", str(RUNNER), str(spec_file)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60 * len(specs),
        env={
            **os.environ,
            "CHROMIUM": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            "CHROMIUM_ARGS": json.dumps(CHROMIUM_ARGS),
        },
    )
    assert run.returncode == 0, f"Lighthouse runner failed:\n{run.stderr[-3000:]}"
    results = json.loads(run.stdout)
    report = settings.BASE_DIR / "test-results" / "lighthouse.json"
    report.parent.mkdir(exist_ok=True)
    report.write_text(json.dumps(results, indent=2))
    return results


def _by_design(audit: dict, page_type, result: dict) -> bool:
    if audit["id"] in page_type.lighthouse_by_design:
        return True
    # A 404 or 400 page makes the browser log that status for the document itself; any other
    # console error still counts.
    return (
        audit["id"] == "errors-in-console"
        and page_type.status >= 400
        and bool(audit["items"])
        and all(
            item["url"] in (result["url"], "")
            and f"status of {page_type.status}" in item["description"]
            for item in audit["items"]
        )
    )


@pytest.mark.parametrize("page_type", PAGES, ids=str)
def test_lighthouse_scores(lighthouse_results, page_type):
    result = lighthouse_results[page_type.name]
    assert not result["error"], f"{page_type}: Lighthouse could not run: {result['error']}"
    problems = []
    for category, minimum in REQUIRED.items():
        score = result["scores"].get(category)
        audits = [audit for audit in result["failing"] if audit["category"] == category]
        failed = [a for a in audits if not _by_design(a, page_type, result)]
        named = ", ".join(f"{a['id']} ({a['title']})" for a in failed)
        # A score below the bar passes only when every audit behind it fails by design.
        if score is None or (score < minimum and (failed or not audits)):
            problems.append(f"{category} {score} < {minimum}: {named or 'metrics'}")
    assert not problems, f"{page_type}: Lighthouse\n" + "\n".join(problems)
