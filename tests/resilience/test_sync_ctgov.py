"""`manage.py sync_ctgov` against a local API v2 serving recorded studies (registry_server.py):
paging, the high-water mark, faults retried or failing the run, the rate limit."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from registry.models import SyncMark
from trials.importer import api as registry_api
from trials.models import Trial, TrialVersion

from .registry_server import RecordedRegistry, nct_id, posted, shared_records

pytestmark = pytest.mark.django_db

COUNT = 50  # recorded studies: three pages of at most 20


def sync(*args) -> tuple[int, str, str]:
    """Run sync_ctgov; its exit status, standard output and standard error."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("sync_ctgov", *args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exit:
        status = exit.code
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def registry(settings, monkeypatch):
    monkeypatch.setattr(registry_api, "API_RETRY_PAUSE", 0.05)
    with RecordedRegistry(shared_records(COUNT)) as server:
        settings.CTGOV_API_URL = server.url
        yield server


def newest(server: RecordedRegistry) -> dt.date:
    return dt.date.fromisoformat(max(posted(s) for s in server.studies.values()))


def test_a_first_run_loads_everything_page_by_page_and_sets_the_mark(registry):
    status, out, err = sync()
    assert status == 0, err
    assert out.splitlines()[-1] == f"imported: {COUNT} created, 0 updated, 0 unchanged, 0 failed"
    assert Trial.objects.count() == COUNT
    assert [r.params.get("pageToken") for r in registry.requests] == [None, "page-2", "page-3"]
    assert {r.params["pageSize"] for r in registry.requests} == {"1000"}  # the API's largest
    assert all("filter.advanced" not in r.params for r in registry.requests)
    mark = SyncMark.objects.get(query="")
    assert mark.updated_since == newest(registry)
    assert mark.last_success_at is not None
    assert mark.last_summary == out.strip()
    assert f"next run reads from {newest(registry)}" in err


def test_the_next_run_reads_only_what_changed_since_the_mark(registry):
    sync()
    mark = newest(registry)
    later = (mark + dt.timedelta(days=3)).isoformat()
    changed = sorted(registry.studies)[:3]
    for number, nct in enumerate(changed):
        registry.change(nct, later, title=f"A clearer title, version {number}")
    extra = shared_records(COUNT + 1)[-1]
    extra["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = later
    registry.add(extra)
    on_mark_day = sum(posted(s) == mark.isoformat() for s in registry.studies.values())
    registry.requests.clear()

    status, out, err = sync()
    assert status == 0, err
    assert registry.requests[0].params["filter.advanced"] == (
        f"AREA[LastUpdatePostDate]RANGE[{mark.isoformat()},MAX]"
    )
    assert out.strip() == (f"imported: 1 created, 3 updated, {on_mark_day} unchanged, 0 failed")
    for number, nct in enumerate(changed):
        trial = Trial.objects.get(nct_id=nct)
        assert trial.brief_title == f"A clearer title, version {number}"
        assert TrialVersion.objects.filter(trial=trial).count() == 2  # new, then changed
    assert Trial.objects.filter(nct_id=nct_id(extra)).exists()
    assert SyncMark.objects.get(query="").updated_since == dt.date.fromisoformat(later)


def test_busy_slow_and_cut_answers_are_retried_and_nothing_is_skipped(registry, monkeypatch):
    monkeypatch.setattr(registry_api, "API_TIMEOUT", 0.5)
    registry.fail(page=1, kind="slow", seconds=1.5)  # longer than the time-out
    registry.fail(page=2, kind="429", seconds=1)  # Retry-After: 1
    registry.fail(page=2, kind="drop")
    registry.fail(page=3, kind="503", times=2)
    status, out, err = sync()
    assert status == 0, err
    assert out.strip() == f"imported: {COUNT} created, 0 updated, 0 unchanged, 0 failed"
    answers = [(r.page, r.answer) for r in registry.requests]
    assert answers == [
        (1, "slow"),
        (1, "200"),
        (2, "429"),
        (2, "drop"),
        (2, "200"),
        (3, "503"),
        (3, "503"),
        (3, "200"),
    ]
    after_429 = registry.requests[3].at - registry.requests[2].at
    assert after_429 >= 1.0  # Retry-After honoured
    assert SyncMark.objects.get(query="").updated_since == newest(registry)


def test_a_failed_run_leaves_the_mark_and_the_next_one_reads_the_same_range(registry):
    sync()
    mark = SyncMark.objects.get(query="").updated_since
    later = (mark + dt.timedelta(days=1)).isoformat()
    for nct in sorted(registry.studies)[:25]:  # two pages' worth of changes
        registry.change(nct, later, title="Changed while the registry was failing")
    registry.fail(page=2, kind="503", times=registry_api.API_ATTEMPTS)
    registry.requests.clear()

    status, out, err = sync()
    assert status == 1
    attempts = registry_api.API_ATTEMPTS
    assert f"failed: API page 2: the registry answered HTTP 503, after {attempts} attempts" in err
    assert f"the mark stays at {mark.isoformat()}" in err
    assert out.strip() == "imported: 0 created, 20 updated, 0 unchanged, 1 failed"
    stored = SyncMark.objects.get(query="")
    assert stored.updated_since == mark
    assert "HTTP 503" in stored.last_failure

    registry.requests.clear()
    status, out, err = sync()
    assert status == 0, err
    assert registry.requests[0].params["filter.advanced"].endswith(f"[{mark.isoformat()},MAX]")
    assert out.strip().startswith("imported: 0 created, 5 updated, ")
    assert Trial.objects.filter(brief_title="Changed while the registry was failing").count() == 25
    assert SyncMark.objects.get(query="").updated_since == dt.date.fromisoformat(later)


def test_a_first_run_that_fails_keeps_no_mark(registry):
    registry.fail(page=3, kind="503", times=registry_api.API_ATTEMPTS)
    status, _, _ = sync()
    assert status == 1
    assert SyncMark.objects.get(query="").updated_since is None
    registry.requests.clear()
    assert sync()[0] == 0
    assert "filter.advanced" not in registry.requests[0].params  # everything again


def test_a_retry_after_too_long_to_wait_for_fails_the_run_at_once(registry):
    registry.fail(page=1, kind="429", seconds=3600)
    status, _, err = sync()
    assert status == 1
    assert "HTTP 429 and asked us to wait 3600 s, after 1 attempt" in err
    assert len(registry.requests) == 1


def test_requests_keep_to_the_registrys_rate_limit(registry, settings):
    settings.CTGOV_REQUESTS_PER_MINUTE = 120  # one every half second
    assert sync()[0] == 0
    times = [r.at for r in registry.requests]
    assert len(times) == 3
    gaps = [round(b - a, 3) for a, b in zip(times, times[1:], strict=False)]
    assert all(gap >= 0.49 for gap in gaps), gaps


def test_since_overrides_the_mark(registry):
    sync()
    registry.requests.clear()
    status, out, _ = sync("--since", "2020-01-01")
    assert status == 0
    assert registry.requests[0].params["filter.advanced"] == (
        "AREA[LastUpdatePostDate]RANGE[2020-01-01,MAX]"
    )
    count = sum(posted(s) >= "2020-01-01" for s in registry.studies.values())
    assert out.strip() == f"imported: 0 created, 0 updated, {count} unchanged, 0 failed"


def test_a_query_keeps_its_own_mark_and_its_filter(registry):
    condition = registry.studies[sorted(registry.studies)[0]]["protocolSection"][
        "conditionsModule"
    ]["conditions"][0]
    status, out, _ = sync("--query", f"query.cond={condition}&filter.advanced=AREA[Phase]PHASE2")
    assert status == 0
    assert registry.requests[0].params["query.cond"] == condition
    assert SyncMark.objects.filter(query__startswith="query.cond=").exists()
    assert not SyncMark.objects.filter(query="").exists()
    registry.requests.clear()
    sync("--query", f"query.cond={condition}&filter.advanced=AREA[Phase]PHASE2")
    advanced = registry.requests[0].params["filter.advanced"]
    assert advanced.startswith("(AREA[Phase]PHASE2) AND AREA[LastUpdatePostDate]RANGE[")


def test_studies_the_registry_no_longer_returns_are_kept_and_reported(registry):
    sync()
    gone = sorted(registry.studies)[:2]
    for nct in gone:
        registry.remove(nct)
    status, out, err = sync("--full")
    assert status == 0
    assert "kept: 2 stored trial(s) the registry no longer returns (not deleted)" in err
    assert Trial.objects.filter(nct_id__in=gone).count() == 2
    assert out.strip() == f"imported: 0 created, 0 updated, {COUNT - 2} unchanged, 0 failed"


def test_bad_arguments_are_refused_plainly(registry):
    with pytest.raises(CommandError, match="--since takes a date such as 2026-11-30"):
        call_command("sync_ctgov", "--since", "yesterday")
    with pytest.raises(CommandError, match="is not a query"):
        call_command("sync_ctgov", "--query", "query.cond=")
    assert registry.requests == []


def test_an_unreachable_registry_fails_the_run_with_the_reason(settings, monkeypatch):
    monkeypatch.setattr(registry_api, "API_RETRY_PAUSE", 0)
    settings.CTGOV_API_URL = "http://127.0.0.1:9/api/v2"  # the discard port: nothing listens
    status, out, err = sync()
    assert status == 1
    assert "the registry could not be reached" in err
    assert out.strip() == "imported: 0 created, 0 updated, 0 unchanged, 1 failed"
    assert SyncMark.objects.get(query="").last_failure.startswith("API page 1: ")


def test_staff_see_where_each_sync_stands(registry, admin_client):
    sync()
    page = admin_client.get("/admin/registry/syncmark/")
    assert page.status_code == 200
    assert f"imported: {COUNT} created" in page.content.decode()
    assert admin_client.get("/admin/registry/syncmark/add/").status_code == 403
