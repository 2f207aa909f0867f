"""Every page type of the site, in one list: each check and the screenshots run over it.

Adding a page type is one line in PAGES. A page is a path (a function of the served data when
it depends on it; a whole address for a page another server serves, such as the site with its
database out of reach), or, for a page that only a form leads to, a Submission: the page the
form is on and what to fill in. Both Playwright and Lighthouse (tests/e2e/lighthouse.mjs) read
it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from playwright.sync_api import Page, Response

from .site_data import LOCKED_STAFF, SiteData

PathSpec = str | Callable[[SiteData], str]


def _resolve(path: PathSpec, data: SiteData) -> str:
    return path(data) if callable(path) else path


@dataclass(frozen=True)
class Submission:
    start: PathSpec
    form: str  # CSS selector of the form
    fill: dict[str, str] = field(default_factory=dict)  # field name -> value typed in
    check: tuple[str, ...] = ()  # names of checkboxes to tick
    # Sent from another site: the form is copied onto a page of no site (about:blank) and sent
    # from there, as a forged form would be.
    cross_site: bool = False

    def as_json(self, data: SiteData) -> dict:
        return {
            "start": _resolve(self.start, data),
            "form": self.form,
            "fill": self.fill,
            "check": list(self.check),
            "crossSite": self.cross_site,
        }


@dataclass(frozen=True)
class PageType:
    name: str
    path: PathSpec | None = None
    submit: Submission | None = None
    status: int = 200
    # Lighthouse audits this page fails on purpose, each with the reason.
    lighthouse_by_design: dict[str, str] = field(default_factory=dict)
    printable: bool = False
    # The screenshots start at this element (a section far down a long page) when given.
    screenshot_from: str | None = None

    def __str__(self) -> str:
        return self.name

    def url(self, data: SiteData) -> str | None:
        return _resolve(self.path, data) if self.path else None

    def open(self, page: Page, data: SiteData) -> Response:
        """Load the page in `page`; fails naming the page if it answers the wrong status."""
        response = self._submit(page, data) if self.submit else page.goto(self.url(data))
        assert response is not None, f"{self.name}: no response"
        assert response.status == self.status, (
            f"{self.name}: expected HTTP {self.status}, got {response.status} for {response.url}"
        )
        return response

    def _submit(self, page: Page, data: SiteData) -> Response:
        page.goto(_resolve(self.submit.start, data))
        form = page.locator(self.submit.form)
        if self.submit.cross_site:
            copy = form.evaluate(COPY_FORM)
            page.goto("about:blank")
            page.set_content(copy)
            form = page.locator("form")
        for name, value in self.submit.fill.items():
            form.locator(f'[name="{name}"]').fill(value)
        for name in self.submit.check:
            form.locator(f'[name="{name}"]').check()
        with page.expect_navigation() as navigation:
            form.locator('[type="submit"]').click()
        return navigation.value


def selected_pages(request, test_name: str) -> list[PageType]:
    """The page types this run checks with `test_name` (all of them unless -k narrows it), for
    the checks that measure every page in one batch."""
    chosen = {
        item.callspec.params["page_type"].name
        for item in request.session.items
        if item.originalname == test_name
    }
    return [page_type for page_type in PAGES if page_type.name in chosen]


# The form with its address made absolute, to be sent from another page.
COPY_FORM = "form => { form.setAttribute('action', form.action); return form.outerHTML; }"


def _demo(data: SiteData) -> str:
    return f"/trials/{data.demo_nct_id}/"


SIGN_UP = "#get-updates form"
CONTACT = "#contact-study-team form"
MESSAGE = {"name": "Ada Reader", "email": "ada@example.org", "message": "Is there a site near me?"}
# A visitor's own pages (sign-ups, messages, secret links): `noindex`, and /updates/ is
# disallowed in robots.txt.
PRIVATE = {"is-crawlable": "a visitor's own page is kept out of search engines"}
BAD_REQUEST = {"http-status-code": "a form with mistakes answers 400 Bad Request"}

PAGES = [
    PageType("home", "/"),
    PageType("trial-list", "/trials/"),
    PageType("search-results", lambda d: f"/trials/?q={d.search_term.replace(' ', '+')}"),
    PageType("search-no-results", "/trials/?q=zebrafish+hiccups"),
    PageType("search-hostile-input", "/trials/?q=%3Cscript%3Ealert(1)%3C/script%3E%22%3E%3Cb%3E"),
    PageType(
        "search-bad-input",
        "/trials/?zip=99999&distance=-5&age=old",
        status=400,
        lighthouse_by_design={"http-status-code": "a search it cannot use answers 400"},
    ),
    PageType("demo-trial", _demo, printable=True),
    PageType("trial-100-sites", lambda d: f"/trials/{d.large_nct_id}/", printable=True),
    PageType(
        "trial-results",
        lambda d: f"/trials/{d.results_nct_id}/",
        printable=True,
        screenshot_from="#what-the-study-found",
    ),
    # Real record NCT05819398: no editor's text, so the text written automatically, labelled.
    PageType("trial-written-automatically", "/trials/NCT05819398/", printable=True),
    # Real record NCT05584540: withdrawn, with the study team's reason.
    PageType("trial-stopped", "/trials/NCT05584540/"),
    PageType("history", lambda d: f"/trials/{d.demo_nct_id}/history/"),
    PageType("condition-index", "/conditions/"),
    PageType("glossary", "/glossary/"),
    PageType("condition-group", lambda d: f"/conditions/{d.group_slug}/"),
    PageType(
        "sign-up-sent",
        submit=Submission(_demo, SIGN_UP, {"email": "new.reader@example.org"}, ("consent",)),
        lighthouse_by_design=PRIVATE,
    ),
    PageType(
        "sign-up-errors",
        submit=Submission(_demo, SIGN_UP, {"email": "not-an-address"}),
        status=400,
        lighthouse_by_design={**PRIVATE, **BAD_REQUEST},
    ),
    PageType("sign-up-confirm", lambda d: d.confirm_path, lighthouse_by_design=PRIVATE),
    PageType("manage-updates", lambda d: d.manage_path, lighthouse_by_design=PRIVATE),
    PageType("delete-data", lambda d: d.delete_path, lighthouse_by_design=PRIVATE),
    PageType("unsubscribe", lambda d: d.unsubscribe_path, lighthouse_by_design=PRIVATE),
    PageType(
        "unsubscribed",
        submit=Submission(lambda d: d.unsubscribe_path, "main form"),
        lighthouse_by_design=PRIVATE,
    ),
    PageType(
        "link-expired",
        "/updates/confirm/no-longer-valid/",
        status=404,
        lighthouse_by_design={**PRIVATE, "http-status-code": "an unknown link answers 404"},
    ),
    PageType("contact-sent", submit=Submission(_demo, CONTACT, MESSAGE, ("consent",))),
    PageType(
        "contact-errors",
        submit=Submission(_demo, CONTACT, {"email": "ada@"}),
        status=400,
        lighthouse_by_design={**PRIVATE, **BAD_REQUEST},
    ),
    PageType("contact-confirm", lambda d: d.contact_confirm_path, lighthouse_by_design=PRIVATE),
    PageType(
        "form-address-reloaded",
        "/updates/",
        status=405,
        lighthouse_by_design={**PRIVATE, "http-status-code": "GET on a form's address is 405"},
    ),
    PageType(
        "form-from-another-site",
        submit=Submission(_demo, SIGN_UP, {"email": "forged@example.org"}, ("consent",), True),
        status=403,
        lighthouse_by_design={**PRIVATE, "http-status-code": "a refused cross-site form is 403"},
    ),
    PageType(
        "sign-in-paused",
        submit=Submission(
            "/admin/login/", "#login-form", {"username": LOCKED_STAFF, "password": "a guess"}
        ),
        status=429,
        lighthouse_by_design={
            **PRIVATE,
            "http-status-code": "sign-in paused after wrong passwords answers 429",
        },
    ),
    PageType("terms", "/terms/"),
    PageType("privacy", "/privacy/"),
    PageType("disclaimer", "/disclaimer/"),
    PageType("how-we-write", "/how-we-write/"),
    PageType(
        "site-busy",
        lambda d: f"{d.database_down_url}/trials/{d.demo_nct_id}/",
        status=503,
        lighthouse_by_design={
            "http-status-code": "a page that cannot be made while the database is away is 503",
            "is-crawlable": "the busy page is kept out of search engines",
        },
    ),
    PageType(
        "not-found",
        "/trials/NCT00000000/",
        status=404,
        lighthouse_by_design={"http-status-code": "a missing page must answer 404"},
    ),
]
