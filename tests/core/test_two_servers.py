"""Two gunicorn servers sharing PostgreSQL and Redis, each with two worker processes that keep
their own copies of pages: after a change made through one, neither serves the old page."""

import urllib.error
import urllib.parse
import urllib.request
from contextlib import ExitStack, contextmanager
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.conf import global_settings, settings
from django.contrib.auth.models import User
from django.db import connection

from tests import servers
from tests.servers import database_url, free_port
from tests.trials.search_data import make_trial

NCT_ID = "NCT00000901"
PAGE = f"/trials/{NCT_ID}/"
LIST = "/trials/?q=stale"

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="servers share PostgreSQL"),
]


@contextmanager
def gunicorn(redis_url: str, log: Path):
    env = {"DATABASE_URL": database_url(connection.settings_dict), "CACHE_URL": redis_url}
    with servers.gunicorn(env, log, port=free_port(range(8140, 8180))) as base:
        yield Server(base)


class Server:
    def __init__(self, base: str):
        self.base = base
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str, staff: bool = False) -> tuple[int, str]:
        opener = self.opener if staff else urllib.request.build_opener()
        try:
            with opener.open(self.base + path, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, ""

    def post(self, path: str, data: dict) -> int:
        token = next(c.value for c in self.cookies if c.name == settings.CSRF_COOKIE_NAME)
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True)
        request = urllib.request.Request(
            self.base + path,
            data=body.encode(),
            headers={"Origin": self.base, "Sec-Fetch-Site": "same-origin"},
        )
        with self.opener.open(request, timeout=10) as response:
            return response.status

    def log_in(self, username: str, password: str) -> None:
        self.get("/admin/login/", staff=True)  # sets the admin's CSRF cookie
        self.post("/admin/login/", {"username": username, "password": password, "next": "/"})
        status, html = self.get("/admin/trials/trial/", staff=True)
        assert status == 200 and NCT_ID in html

    def act(self, action: str, trial_pk: int) -> None:
        # Under the filter the trial leaves: the list the action gets no longer holds it after.
        listed = {"unpublish": 1, "publish": 0}[action]
        data = {"action": action, "_selected_action": [trial_pk], "index": 0}
        assert self.post(f"/admin/trials/trial/?is_published__exact={listed}", data) == 200


def shows(server: Server, published: bool) -> None:
    """Every answer, from either worker, is the trial as it now is."""
    for _ in range(4):
        status, html = server.get(PAGE)
        assert status == (200 if published else 404)
        status, html = server.get(LIST)
        assert status == 200
        assert (NCT_ID in html) is published
        assert ("1 trial matching" if published else "0 trials matching") in html


def test_a_change_through_one_server_shows_at_once_on_the_other(redis_url, tmp_path, settings):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the ones the servers check
    trial = make_trial(NCT_ID, brief_title="Stale page study", headline="Stale page study")
    User.objects.create_superuser("admin", "admin@example.org", "two-servers-pw")
    with ExitStack() as stack:
        one = stack.enter_context(gunicorn(redis_url, tmp_path / "one.log"))
        two = stack.enter_context(gunicorn(redis_url, tmp_path / "two.log"))
        for server in (one, two):
            server.log_in("admin", "two-servers-pw")
        for writer, reader in [(one, two), (two, one), (one, two)]:
            shows(reader, published=True)  # cached by both of the reader's workers
            shows(writer, published=True)
            writer.act("unpublish", trial.pk)
            shows(reader, published=False)
            shows(writer, published=False)
            writer.act("publish", trial.pk)
            shows(reader, published=True)
