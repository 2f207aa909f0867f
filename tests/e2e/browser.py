"""Chromium through Playwright, with what every page visit records: console errors, failed
requests and Content-Security-Policy violations, and axe-core run inside the page."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"

# Runs before any of the page's own code: the browser reports each violation as an event.
_CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile || event.documentURI}:${event.lineNumber}`
  );
});
"""


@dataclass
class Problems:
    """What went wrong while a page was open, as messages that name the rule."""

    console: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def watch(self, page: Page, expected_status: int = 200) -> None:
        def on_console(message):
            if message.type != "error":
                return
            # The browser logs the page's own intended status (the 404 page) as an error.
            location = message.location.get("url", "")
            own_status = f"status of {expected_status}" in message.text
            if expected_status >= 400 and own_status and location in (page.url, ""):
                return
            self.console.append(f"console error: {message.text} ({location})")

        def on_response(response):
            if response.request.resource_type == "document":
                return
            if response.status >= 400:
                self.failed_requests.append(f"{response.status} for {response.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.console.append(f"page error: {error}"))
        page.on("response", on_response)

        def on_request_failed(request):
            # Aborted: the browser left the page (a form was sent) before this one finished.
            if request.failure != "net::ERR_ABORTED":
                self.failed_requests.append(f"{request.failure} for {request.url}")

        page.on("requestfailed", on_request_failed)


def csp_violations(page: Page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def run_axe(page: Page) -> list[dict]:
    """axe-core's violations of every rule it runs by default (WCAG A/AA and best practice).

    Evaluated through the DevTools protocol, which the page's CSP does not govern, so the page
    keeps its real policy while it is checked.
    """
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text() + "\n;0")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return result["violations"]


def describe_axe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']}; "
            f"{len(violation['nodes'])} element(s): {targets}"
        )
    return "\n".join(lines)


class BrowserSession:
    def __init__(self, browser: Browser):
        self.browser = browser

    @classmethod
    @contextmanager
    def launch(cls, executable: str) -> Iterator["BrowserSession"]:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield cls(browser)
            finally:
                browser.close()

    @contextmanager
    def context(self, base_url: str, **options) -> Iterator[BrowserContext]:
        options.setdefault("viewport", {"width": 1280, "height": 800})
        context = self.browser.new_context(base_url=base_url, **options)
        context.add_init_script(_CSP_LISTENER)
        context.set_default_timeout(15_000)
        try:
            yield context
        finally:
            context.close()
