import io
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from trials.importer import api as registry_api
from trials.importer import running
from trials.models import Trial

from .ctgov import REAL, record, write

pytestmark = pytest.mark.django_db


def run(*args, stdin: bytes | None = None, monkeypatch=None) -> tuple[int, str, str]:
    """Run import_ctgov; its exit status, standard output and standard error."""
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    try:
        call_command("import_ctgov", *args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exit:
        status = exit.code
    return status, out.getvalue(), err.getvalue()


def test_it_imports_files_and_ends_with_the_counts(tmp_path):
    status, out, err = run(str(REAL / "NCT03908762.json"), str(REAL / "NCT05993949.json"))
    assert status == 0
    assert out.splitlines()[-1] == "imported: 2 created, 0 updated, 0 unchanged, 0 failed"
    assert err == ""
    status, out, _ = run(str(REAL / "NCT03908762.json"))
    assert out.splitlines()[-1] == "imported: 0 created, 0 updated, 1 unchanged, 0 failed"


def test_it_imports_every_json_file_below_a_directory(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    write(tmp_path / "a", "one.json", record("NCT03908762"))
    write(tmp_path / "a" / "b", "two.json", record("NCT05993949"))
    (tmp_path / "a" / "notes.txt").write_text("not a record")
    status, out, _ = run(str(tmp_path))
    assert status == 0
    assert out.strip() == "imported: 2 created, 0 updated, 0 unchanged, 0 failed"


def test_it_imports_a_search_response_and_a_list(tmp_path):
    response = write(
        tmp_path,
        "response.json",
        {"studies": [record("NCT03908762"), record("NCT05993949")], "nextPageToken": "x"},
    )
    listing = write(tmp_path, "list.json", [record("NCT05878938")])
    status, out, _ = run(str(response), str(listing))
    assert status == 0
    assert out.strip() == "imported: 3 created, 0 updated, 0 unchanged, 0 failed"


def test_it_imports_json_lines_and_standard_input(tmp_path, monkeypatch):
    lines = "\n".join(json.dumps(record(n)) for n in ("NCT03908762", "NCT05993949"))
    (tmp_path / "studies.jsonl").write_text(lines + "\n")
    status, out, _ = run(str(tmp_path / "studies.jsonl"))
    assert out.strip() == "imported: 2 created, 0 updated, 0 unchanged, 0 failed"
    piped = json.dumps(record("NCT05878938")).encode()
    status, out, _ = run("-", stdin=piped, monkeypatch=monkeypatch)
    assert status == 0
    assert out.strip() == "imported: 1 created, 0 updated, 0 unchanged, 0 failed"
    assert Trial.objects.count() == 3


def test_standard_input_takes_json_lines_and_pretty_printed_responses(monkeypatch):
    lines = "\n".join(json.dumps(record(n)) for n in ("NCT03908762", "NCT05993949"))
    status, out, _ = run("-", stdin=f"{lines}\n{{bad\n".encode(), monkeypatch=monkeypatch)
    assert (status, out.strip()) == (1, "imported: 2 created, 0 updated, 0 unchanged, 1 failed")
    response = json.dumps({"studies": [record("NCT05878938")]}, indent=2).encode()
    status, out, _ = run("-", stdin=response, monkeypatch=monkeypatch)
    assert (status, out.strip()) == (0, "imported: 1 created, 0 updated, 0 unchanged, 0 failed")


def test_json_lines_in_a_json_file_are_read_line_by_line(tmp_path):
    lines = "\n".join(json.dumps(record(n)) for n in ("NCT03908762", "NCT05993949"))
    (tmp_path / "studies.json").write_text(lines)
    status, out, _ = run(str(tmp_path / "studies.json"))
    assert out.strip() == "imported: 2 created, 0 updated, 0 unchanged, 0 failed"


def test_failures_are_reported_and_the_exit_status_is_not_zero(tmp_path):
    bad = record("NCT05993949")
    bad["protocolSection"]["statusModule"]["startDateStruct"]["date"] = "2023-13-01"
    (tmp_path / "studies.jsonl").write_text(
        f"{json.dumps(record('NCT03908762'))}\n{json.dumps(bad)}\n"
    )
    status, out, err = run(str(tmp_path / "studies.jsonl"))
    assert status == 1
    assert out.splitlines()[-1] == "imported: 1 created, 0 updated, 0 unchanged, 1 failed"
    assert err.strip() == (
        f"failed: {tmp_path / 'studies.jsonl'}: line 2: protocolSection.statusModule."
        "startDateStruct.date “2023-13-01” is not a real date"
    )
    assert Trial.objects.get().nct_id == "NCT03908762"


def test_verbose_runs_report_progress_after_each_batch(tmp_path, monkeypatch):
    monkeypatch.setattr(running, "BATCH_SIZE", 1)
    status, out, err = run(
        "-v", "2", str(REAL / "NCT03908762.json"), str(REAL / "NCT05993949.json")
    )
    assert err.splitlines()[0] == "so far: 1 created, 0 updated, 0 unchanged, 0 failed"
    assert out.strip() == "imported: 2 created, 0 updated, 0 unchanged, 0 failed"


def test_draft_imports_new_trials_as_drafts(client):
    status, _, _ = run("--draft", str(REAL / "NCT03908762.json"))
    assert status == 0
    assert not Trial.objects.get().is_published
    assert client.get("/trials/NCT03908762/").status_code == 404


def test_it_needs_something_to_import():
    with pytest.raises(CommandError, match="Give at least one PATH"):
        call_command("import_ctgov")


# --api, against a local server that serves recorded pages -----------------------------------


class RecordedAPI(BaseHTTPRequestHandler):
    """Serves /api/v2/studies pages from `pages` keyed by pageToken ("" for the first)."""

    pages: dict[str, object] = {}
    requests: list[dict] = []
    failures: dict[str, int] = {}

    def do_GET(self):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        type(self).requests.append({"path": url.path, **query})
        token = query.get("pageToken", "")
        if url.path != "/api/v2/studies" or token not in self.pages:
            self.send_error(404)
            return
        if self.failures.get(token):
            self.failures[token] -= 1
            self.send_error(503)
            return
        body = json.dumps(self.pages[token]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def api(settings, monkeypatch):
    RecordedAPI.pages = {
        "": {"studies": [record("NCT03908762"), record("NCT05993949")], "nextPageToken": "p2"},
        "p2": {"studies": [record("NCT05878938")], "nextPageToken": "p3"},
        "p3": {"studies": [record("NCT05869903")]},
    }
    RecordedAPI.requests = []
    RecordedAPI.failures = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordedAPI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CTGOV_API_URL = f"http://127.0.0.1:{server.server_port}/api/v2"
    monkeypatch.setattr(registry_api, "API_RETRY_PAUSE", 0)
    yield RecordedAPI
    server.shutdown()
    server.server_close()


def test_api_pages_through_next_page_tokens(api):
    status, out, err = run("--api", "query.cond=small cell lung cancer")
    assert (status, err) == (0, "")
    assert out.strip() == "imported: 4 created, 0 updated, 0 unchanged, 0 failed"
    assert [r.get("pageToken") for r in api.requests] == [None, "p2", "p3"]
    first = api.requests[0]
    assert first["query.cond"] == "small cell lung cancer"
    assert (first["format"], first["pageSize"]) == ("json", "100")
    status, out, _ = run("--api", "query.cond=small cell lung cancer")
    assert out.strip() == "imported: 0 created, 0 updated, 4 unchanged, 0 failed"


def test_api_plain_words_are_a_free_text_query(api):
    run("--api", "lung cancer")
    assert api.requests[0]["query.term"] == "lung cancer"


def test_api_retries_a_busy_server_then_carries_on(api):
    api.failures["p2"] = 1
    status, out, _ = run("--api", "query.cond=x")
    assert status == 0
    assert out.strip() == "imported: 4 created, 0 updated, 0 unchanged, 0 failed"


def test_api_a_page_that_keeps_failing_is_reported_and_the_pages_before_it_are_kept(api):
    api.failures["p2"] = registry_api.API_ATTEMPTS
    status, out, err = run("--api", "query.cond=x")
    assert status == 1
    assert out.strip() == "imported: 2 created, 0 updated, 0 unchanged, 1 failed"
    attempts = registry_api.API_ATTEMPTS
    assert err.startswith(
        f"failed: API page 2: the registry answered HTTP 503, after {attempts} attempts "
        "(http://127.0.0.1:"
    )
    assert Trial.objects.count() == 2


def test_api_an_answer_that_is_not_a_search_response_is_reported(api):
    api.pages["p2"] = ["not", "a", "response"]
    status, _, err = run("--api", "query.cond=x")
    assert status == 1
    assert "failed: API page 2: is not a search response" in err


def test_api_unreachable_is_reported(settings, monkeypatch):
    monkeypatch.setattr(registry_api, "API_RETRY_PAUSE", 0)
    settings.CTGOV_API_URL = "http://127.0.0.1:9/api/v2"  # discard port: nothing listens
    status, out, err = run("--api", "query.cond=x")
    assert status == 1
    assert "the registry could not be reached" in err
    assert out.strip() == "imported: 0 created, 0 updated, 0 unchanged, 1 failed"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="worker processes need a database server"
)
def test_workers_share_the_records_and_keep_each_trials_states_in_order(tmp_path):
    first, second = record("NCT05993949"), record("NCT05993949")
    second["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"
    lines = [json.dumps(record(n)) for n in ("NCT03908762", "NCT05878938", "NCT05869903")]
    lines += [json.dumps(first), "{broken", json.dumps(second)]
    (tmp_path / "studies.jsonl").write_text("\n".join(lines) + "\n")
    status, out, err = run("--workers", "2", str(tmp_path / "studies.jsonl"))
    assert status == 1
    assert out.strip() == "imported: 4 created, 1 updated, 0 unchanged, 1 failed"
    assert "line 5: invalid JSON" in err
    trial = Trial.objects.get(nct_id="NCT05993949")
    assert (trial.status, trial.update_count) == ("COMPLETED", 1)
    del lines[3:5]  # the latest state of each trial only
    (tmp_path / "studies.jsonl").write_text("\n".join(lines) + "\n")
    status, out, _ = run("--workers", "2", str(tmp_path / "studies.jsonl"))
    assert (status, out.strip()) == (0, "imported: 0 created, 0 updated, 4 unchanged, 0 failed")
