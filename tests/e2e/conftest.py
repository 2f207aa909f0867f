"""The site served by gunicorn with production settings over a test database, and Chromium.

Data is written once per session, committed, so the server process sees it. The database is
its own (``test_<name>_e2e``) and made afresh on every run, so the unit tests' reused database
never holds browser-test rows.
"""

import os
import shutil
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests.servers import ROOT, database_url, free_port, gunicorn, process, production_env
from tests.subscriptions.smtp import SmtpServer

from .browser import BrowserSession
from .pages import PAGES
from .site_data import SiteData, build_site_data

# Playwright's synchronous API runs an event loop in this thread; the ORM calls that the tests
# make between browser steps are plain synchronous code all the same.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PORTS = range(
    int(os.environ.get("E2E_PORT_FIRST", 8104)), int(os.environ.get("E2E_PORT_LAST", 8119)) + 1
)
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def e2e_database(django_db_blocker, tmp_path_factory) -> Iterator[None]:
    """A database of its own, made afresh and migrated, dropped at the end."""
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    db = settings.DATABASES["default"]
    test = db.setdefault("TEST", {})
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # A file, not memory: the server is another process.
        test["NAME"] = str(tmp_path_factory.mktemp("db") / "e2e.sqlite3")
    else:
        test["NAME"] = f"test_{db['NAME']}_e2e"
    with django_db_blocker.unblock():
        created = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    yield
    with django_db_blocker.unblock():
        connections.close_all()
        if connections["default"].vendor == "postgresql":
            _disconnect_others(connections["default"])
        teardown_databases(created, verbosity=0)


def _disconnect_others(connection) -> None:
    """End sessions left on the test database (one opened where Playwright's greenlet ran an
    ORM call), so it can be dropped."""
    with connection._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        )


@pytest.fixture(scope="session")
def site_data(e2e_database, django_db_blocker, database_down_url) -> SiteData:
    from django.core.cache import cache

    with django_db_blocker.unblock():
        cache.clear()
        return build_site_data(database_down_url)


@pytest.fixture(scope="session")
def mailbox() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback: every email the site sends arrives here."""
    with SmtpServer(port=free_port(PORTS)) as server:
        yield server


@pytest.fixture(scope="session")
def live_url(site_data, mailbox, tmp_path_factory) -> Iterator[str]:
    """The site's base URL, run as in production: gunicorn (DEBUG off, WhiteNoise) and the
    task worker that sends email, over the test database. Both share this process's cache
    (CACHE_URL), so what the tests change reaches the pages the server has cached."""
    from django.db import connection

    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        pytest.fail("Run collectstatic first (make e2e does).")
    env = {
        "DATABASE_URL": database_url(connection.settings_dict),
        "EMAIL_URL": f"smtp://127.0.0.1:{mailbox.port}",
    }
    logs = tmp_path_factory.mktemp("logs")
    worker = [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay"]
    with (
        gunicorn(env, logs / "gunicorn.log", threads=2, port=free_port(PORTS)) as base,
        process([*worker, "--no-reload"], production_env(base, env), logs / "worker.log"),
    ):
        yield base


@pytest.fixture(scope="session")
def database_down_url(tmp_path_factory) -> Iterator[str]:
    """The site as it answers while its database cannot be reached: gunicorn as in production
    whose PostgreSQL address is a port held but never listened on, so every connection is
    refused. Its cache is its own (and empty), so every page but the static ones is the
    "busy" page."""
    with socket.socket() as refusing:
        refusing.bind(("127.0.0.1", 0))
        env = {
            "DATABASE_URL": f"postgres://nobody@127.0.0.1:{refusing.getsockname()[1]}/none",
            "DATABASE_CONNECT_TIMEOUT": "1",
            "CACHE_URL": "locmemcache://",
            "RATELIMIT_CACHE_URL": "locmemcache://",
        }
        log = tmp_path_factory.mktemp("logs") / "database-down.log"
        with gunicorn(env, log, workers=1, port=free_port(PORTS)) as base:
            yield base


@pytest.fixture(scope="session")
def chromium() -> Iterator[BrowserSession]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium).")
    with BrowserSession.launch(CHROMIUM) as session:
        yield session


@pytest.fixture
def browser(chromium, live_url):
    """A fresh browser context (no cookies) on the live site, closed after the test."""
    with chromium.context(live_url) as context:
        yield context


@pytest.fixture
def orm(django_db_blocker):
    """Database access in a test; writes are committed, so the server sees them."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture(autouse=True)
def _fast_passwords():
    """Passwords keep the production hashers here: the server checks the ones tests set."""


@pytest.fixture(autouse=True)
def _fresh_rate_limits(site_data, django_db_blocker):
    """Each test starts with the sign-up and contact limits unspent for this machine.

    The suite submits the same forms from 127.0.0.1 many times an hour, more than the limits
    allow one person; the limits themselves are tested in tests/subscriptions/.
    """
    from subscriptions import ratelimit
    from subscriptions.addresses import counting_identity

    from .site_data import LOCKED_STAFF

    addresses = {page.submit.fill.get("email", "") for page in PAGES if page.submit}
    for limit in (ratelimit.SIGNUP_PER_CLIENT, ratelimit.CONTACT_PER_CLIENT):
        ratelimit.reset(limit, "127.0.0.1")
    for address in addresses - {""}:
        ratelimit.reset(ratelimit.EMAILS_PER_ADDRESS, counting_identity(address))
    with django_db_blocker.unblock():
        _pause_sign_in_of(LOCKED_STAFF)


def _pause_sign_in_of(username: str) -> None:
    """Five wrong passwords for one account, just now: its sign-in page is the pause page. The
    browser's own address is forgiven, so the editor's flow still signs in."""
    from axes.models import AccessAttempt
    from axes.utils import reset
    from django.utils import timezone

    reset(ip="127.0.0.1")
    reset(username=username)
    AccessAttempt.objects.create(
        username=username,
        ip_address="192.0.2.1",
        user_agent="",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/admin/login/",
        failures_since_start=5,
    )
    AccessAttempt.objects.filter(username=username).update(attempt_time=timezone.now())
