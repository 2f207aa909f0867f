"""The site served by gunicorn with production settings over a test database, and Chromium.

Data is written once per session, committed, so the server process sees it. The database is
its own (``test_<name>_e2e``) and made afresh on every run, so the unit tests' reused database
never holds browser-test rows.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from .browser import BrowserSession
from .site_data import SiteData, build_site_data

# Playwright's synchronous API runs an event loop in this thread; the ORM calls that the tests
# make between browser steps are plain synchronous code all the same.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(settings.BASE_DIR)
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
        teardown_databases(created, verbosity=0)


def _database_url(db: dict) -> str:
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}{port}/{db['NAME']}"


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port in {PORTS.start}-{PORTS.stop - 1} for the test server.")


@pytest.fixture(scope="session")
def site_data(e2e_database, django_db_blocker) -> SiteData:
    from django.core.cache import cache

    with django_db_blocker.unblock():
        cache.clear()
        return build_site_data()


@pytest.fixture(scope="session")
def live_url(site_data, django_db_blocker, tmp_path_factory) -> Iterator[str]:
    """The site's base URL, served as in production: gunicorn, DEBUG off, WhiteNoise."""
    from django.db import connection

    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        pytest.fail("Run collectstatic first (make e2e does).")
    cache_url = os.environ.get("CACHE_URL")
    if not cache_url:
        pytest.fail("Set CACHE_URL to a cache the server and the tests share (make e2e does).")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "e2e-only-not-a-secret",
        "SITE_URL": base,
        "DATABASE_URL": _database_url(connection.settings_dict),
        "CACHE_URL": cache_url,
        "LOG_LEVEL": "WARNING",
    }
    env.update(site_data.server_env)
    log = (tmp_path_factory.mktemp("server") / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "2",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(base, server)
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}; see its log.")
        try:
            with urllib.request.urlopen(f"{base}/robots.txt", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise RuntimeError("The test server did not answer within 30 s.")


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
