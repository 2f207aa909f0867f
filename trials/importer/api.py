"""Reading studies from the ClinicalTrials.gov API v2 (`/studies`, page by page).

`iter_pages` is the reader any command can build on: it takes the API's own query parameters,
follows `nextPageToken`, keeps to the registry's rate limit, retries what is worth retrying
(honouring Retry-After) and raises `ApiError` for a page it cannot get. `iter_api` turns a
query into importer items (`records.Item`).
"""

import email.utils
import http.client
import json
import random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

from django.conf import settings

from .records import Failure, Item
from .sources import studies_in

API_PAGE_SIZE = 100
API_LARGEST_PAGE = 1000  # the most the API returns in one page
API_TIMEOUT = 60
API_ATTEMPTS = 5
API_RETRY_PAUSE = 2.0  # seconds before the first retry, doubling with each attempt
API_LONGEST_WAIT = 300.0  # a Retry-After longer than this ends the run instead

Params = list[tuple[str, str]]
Opener = Callable[..., Any]


class ApiError(Exception):
    """A page of results that could not be had, and why, in plain words."""

    def __init__(self, page: int, url: str, reason: str):
        super().__init__(f"{reason} ({url})")
        self.page, self.url, self.reason = page, url, reason


class Page(NamedTuple):
    number: int  # from 1
    url: str
    document: dict[str, Any]  # the API's search response: {"studies": [...], ...}


def query_params(query: str) -> Params:
    """The API parameters a query means: a URL query string such as
    "query.cond=small cell lung cancer&filter.overallStatus=RECRUITING", or plain words for the
    API's free-text search. ValueError for a query that asks nothing."""
    if "=" in query:
        params = urllib.parse.parse_qsl(query.strip(), keep_blank_values=True)
    else:
        params = [("query.term", query.strip())]
    if not any(value for _, value in params):
        raise ValueError(f"“{query}” is not a query such as “query.cond=lung cancer”.")
    return params


def iter_pages(
    params: Sequence[tuple[str, str]],
    *,
    base_url: str | None = None,
    page_size: int = API_PAGE_SIZE,
    opener: Opener = urllib.request.urlopen,
) -> Iterator[Page]:
    """Every page of `/studies` for these parameters, following nextPageToken to the last.

    Raises ApiError for a page that cannot be fetched after a few attempts, or that is not a
    search response: the pages after it cannot be reached.
    """
    base = (base_url or settings.CTGOV_API_URL).rstrip("/")
    params = list(params)
    names = {name for name, _ in params}
    params += [("format", "json")] if "format" not in names else []
    params += [("pageSize", str(page_size))] if "pageSize" not in names else []
    token, number = None, 0
    while True:
        number += 1
        page_params = params + ([("pageToken", token)] if token else [])
        url = f"{base}/studies?{urllib.parse.urlencode(page_params)}"
        document = fetch_json(url, opener, page=number)
        if not isinstance(document, dict) or not isinstance(document.get("studies"), list):
            raise ApiError(number, url, "is not a search response")
        yield Page(number, url, document)
        token = document.get("nextPageToken")
        if not token:
            return


def iter_api(
    query: str,
    *,
    base_url: str | None = None,
    page_size: int = API_PAGE_SIZE,
    opener: Opener = urllib.request.urlopen,
) -> Iterator[Item]:
    """Every study the API returns for `query` (see `query_params`), as importer items.

    A page that cannot be had ends the reading with a failure for that page.
    """
    pages = iter_pages(query_params(query), base_url=base_url, page_size=page_size, opener=opener)
    try:
        for page in pages:
            yield from studies_in(f"API page {page.number}", "", page.document)
    except ApiError as error:
        source = f"API page {error.page}"
        yield source, "", Failure(source, "", str(error))


def fetch_json(url: str, opener: Opener = urllib.request.urlopen, *, page: int = 1) -> Any:
    """The JSON at `url`; ApiError when it cannot be had.

    Requests keep to the registry's published rate limit (`CTGOV_REQUESTS_PER_MINUTE`, across
    the process). “Too many requests” (429), server errors (5xx), time-outs and lost or cut
    connections are retried up to API_ATTEMPTS times, waiting as long as the server's
    Retry-After says, else API_RETRY_PAUSE doubling with each attempt (with a little jitter, so
    that several clients do not come back together).
    """
    request = urllib.request.Request(  # noqa: S310 - the base URL is a setting, not input
        url, headers={"Accept": "application/json", "User-Agent": "trialfinder-import"}
    )
    last = ""
    for attempt in range(1, API_ATTEMPTS + 1):
        wait = None
        _keep_pace()
        try:
            try:
                with opener(request, timeout=API_TIMEOUT) as response:
                    body = response.read()
            finally:
                _answered()
            return json.loads(body.decode("utf-8"))
        except urllib.error.HTTPError as error:
            last = f"the registry answered HTTP {error.code}"
            if error.code < 500 and error.code != 429:
                break
            wait = retry_after(error.headers.get("Retry-After") if error.headers else None)
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            last = f"the registry could not be reached ({getattr(error, 'reason', error)})"
        except http.client.HTTPException as error:  # the connection was cut mid-answer
            last = f"the registry's answer was cut off ({type(error).__name__})"
        except (UnicodeDecodeError, json.JSONDecodeError):
            last = "the registry's answer is not JSON"
            break
        if attempt == API_ATTEMPTS:
            break
        if wait is None:
            wait = API_RETRY_PAUSE * 2 ** (attempt - 1) * random.uniform(1.0, 1.25)
        elif wait > API_LONGEST_WAIT:
            last += f" and asked us to wait {wait:.0f} s"
            break
        time.sleep(wait)
    raise ApiError(page, url, f"{last}, after {attempt} attempt{'s' if attempt > 1 else ''}")


def retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header asks for (a number of seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


_pace = threading.Lock()
_last_answer = 0.0


def _keep_pace() -> None:
    """Wait until `60 / CTGOV_REQUESTS_PER_MINUTE` seconds have passed since the last answer
    (0: no limit). Counting from the answer, not the request, keeps the requests as the
    registry receives them that far apart, however long an answer took."""
    per_minute = settings.CTGOV_REQUESTS_PER_MINUTE
    if per_minute:
        with _pace:
            wait = _last_answer + 60 / per_minute - time.monotonic()
        if wait > 0:
            time.sleep(wait)


def _answered() -> None:
    global _last_answer
    with _pace:
        _last_answer = time.monotonic()
