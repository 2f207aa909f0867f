"""Reading studies from the ClinicalTrials.gov API v2 (`/studies`, page by page).

`iter_pages` is the reader any command can build on: it takes the API's own query parameters,
follows `nextPageToken`, retries what is worth retrying and raises `ApiError` for a page it
cannot get. `iter_api` turns a query into importer items (`records.Item`).
"""

import json
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
API_TIMEOUT = 60
API_ATTEMPTS = 3
API_RETRY_PAUSE = 2.0  # seconds, growing with each attempt

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
    """The JSON at `url`, retrying server errors and lost connections; ApiError otherwise."""
    request = urllib.request.Request(  # noqa: S310 - the base URL is a setting, not input
        url, headers={"Accept": "application/json", "User-Agent": "trialfinder-import"}
    )
    last = ""
    for attempt in range(1, API_ATTEMPTS + 1):
        try:
            with opener(request, timeout=API_TIMEOUT) as response:
                body = response.read()
            return json.loads(body.decode("utf-8"))
        except urllib.error.HTTPError as error:
            last = f"the registry answered HTTP {error.code}"
            if error.code < 500 and error.code != 429:
                break
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            last = f"the registry could not be reached ({getattr(error, 'reason', error)})"
        except (UnicodeDecodeError, json.JSONDecodeError):
            last = "the registry's answer is not JSON"
            break
        if attempt < API_ATTEMPTS:
            time.sleep(API_RETRY_PAUSE * attempt)
    raise ApiError(page, url, last)
