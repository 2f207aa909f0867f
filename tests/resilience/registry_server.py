"""A local ClinicalTrials.gov API v2 serving recorded studies, with faults on demand.

`/api/v2/studies` answers search responses as the registry does: `pageSize`, `nextPageToken`
and `pageToken`, `query.cond`, and `filter.advanced=AREA[LastUpdatePostDate]RANGE[date,MAX]`.
It serves at most `page_cap` studies a page (the real API up to 1000), so that a few dozen
recorded studies make several pages. Faults are injected per page number: 429 with
Retry-After, 503, a slow answer, and a connection dropped half-way through the body. Tests
change studies between runs with `change`.
"""

import copy
import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings

SHARED = Path(settings.BASE_DIR).parent / "shared" / "data" / "ctgov"
_RANGE = re.compile(r"AREA\[LastUpdatePostDate\]RANGE\[(\d{4}-\d{2}-\d{2}),MAX\]")


def shared_records(count: int) -> list[dict]:
    """The first `count` real records of the shared ClinicalTrials.gov sample."""
    paths = sorted(SHARED.glob("NCT*.json"))[:count]
    return [json.loads(path.read_text()) for path in paths]


def nct_id(study: dict) -> str:
    return study["protocolSection"]["identificationModule"]["nctId"]


def posted(study: dict) -> str:
    return study["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"]


@dataclass
class Fault:
    page: int
    kind: str  # "429", "503", "slow" or "drop"
    times: int = 1
    seconds: float = 0  # Retry-After for 429 (None: no header), the delay of "slow"


@dataclass
class Request:
    at: float  # time.monotonic()
    params: dict
    page: int
    answer: str  # "200" or the fault served


class RecordedRegistry:
    def __init__(self, studies: list[dict], page_cap: int = 20):
        self.studies = {nct_id(s): copy.deepcopy(s) for s in studies}
        self.page_cap = page_cap
        self.faults: list[Fault] = []
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                registry._answer(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/api/v2"

    def __enter__(self) -> "RecordedRegistry":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    # What tests change ------------------------------------------------------------------

    def change(self, nct: str, day: str, title: str | None = None) -> None:
        """The registry posts an update of a study on `day` (a changed title, if given)."""
        study = self.studies[nct]["protocolSection"]
        study["statusModule"]["lastUpdatePostDateStruct"]["date"] = day
        if title:
            study["identificationModule"]["briefTitle"] = title

    def add(self, study: dict) -> None:
        self.studies[nct_id(study)] = copy.deepcopy(study)

    def remove(self, nct: str) -> None:
        del self.studies[nct]

    def fail(self, page: int, kind: str, times: int = 1, seconds: float = 0) -> None:
        self.faults.append(Fault(page, kind, times, seconds))

    # Serving ----------------------------------------------------------------------------

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        if url.path != "/api/v2/studies":
            return self._send(handler, 404, {"error": "not found"})
        token = params.get("pageToken", "")
        page = int(token.removeprefix("page-")) if token.startswith("page-") else 1
        fault = self._take_fault(page)
        with self._lock:
            self.requests.append(
                Request(time.monotonic(), params, page, fault.kind if fault else "200")
            )
        if fault and fault.kind == "429":
            headers = {"Retry-After": str(int(fault.seconds))} if fault.seconds is not None else {}
            return self._send(handler, 429, {"error": "too many requests"}, headers)
        if fault and fault.kind == "503":
            return self._send(handler, 503, {"error": "service unavailable"})
        if fault and fault.kind == "slow":
            time.sleep(fault.seconds)
        size = int(params.get("pageSize", "10"))
        if not 1 <= size <= 1000:
            return self._send(handler, 400, {"error": "pageSize must be 1 to 1000"})
        size = min(size, self.page_cap)
        found = self._search(params)
        chunk = found[(page - 1) * size : page * size]
        document = {"studies": chunk}
        if page * size < len(found):
            document["nextPageToken"] = f"page-{page + 1}"
        body = json.dumps(document).encode()
        if fault and fault.kind == "drop":
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body[: len(body) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            return
        return self._send(handler, 200, document)

    def _take_fault(self, page: int) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.page == page and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def _search(self, params: dict) -> list[dict]:
        studies = [self.studies[key] for key in sorted(self.studies)]
        found = _RANGE.search(params.get("filter.advanced", ""))
        if found:
            studies = [s for s in studies if posted(s) >= found[1]]
        if params.get("query.cond"):
            words = params["query.cond"].lower()
            studies = [
                s
                for s in studies
                if any(
                    words in c.lower()
                    for c in s["protocolSection"].get("conditionsModule", {}).get("conditions", [])
                )
            ]
        return studies

    @staticmethod
    def _send(handler, status: int, document, headers: dict | None = None) -> None:
        body = json.dumps(document).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)
