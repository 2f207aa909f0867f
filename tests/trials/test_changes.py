from trials.changes import describe_all, diff
from trials.models import TrialVersion

NIH = {
    "facility": "NIH Clinical Center",
    "city": "Bethesda",
    "state": "Maryland",
    "postal_code": "20892",
    "country": "United States",
    "status": "RECRUITING",
}
BOSTON = {
    "facility": "Dana-Farber Cancer Institute",
    "city": "Boston",
    "state": "Massachusetts",
    "postal_code": "02215",
    "country": "United States",
    "status": "NOT_YET_RECRUITING",
}


def snapshot(**changes):
    base = {
        "status": "NOT_YET_RECRUITING",
        "enrollment": 40,
        "eligibility_criteria": "Inclusion Criteria:\n* Adults",
        "locations": [NIH],
        "contacts": [{"phone": "301-555-0147", "email": "team@example.org"}],
    }
    return {**base, **changes}


def test_the_same_snapshot_has_no_changes():
    assert diff(snapshot(), snapshot()) == []


def test_facts_are_quoted_in_plain_words():
    changes = diff(snapshot(), snapshot(status="RECRUITING", enrollment=60))
    assert describe_all(changes) == [
        "Status changed from Not yet recruiting to Recruiting",
        "Number of participants changed from 40 to 60",
    ]


def test_long_text_is_named_not_quoted():
    changes = diff(snapshot(), snapshot(eligibility_criteria="Inclusion Criteria:\n* Children"))
    assert describe_all(changes) == ["Eligibility criteria changed"]


def test_sites_added_removed_and_changing_status():
    moved = {**NIH, "status": "COMPLETED"}
    added = describe_all(diff(snapshot(), snapshot(locations=[NIH, BOSTON])))
    assert added == ["New location: Dana-Farber Cancer Institute, Boston, Massachusetts"]
    removed = describe_all(diff(snapshot(locations=[NIH, BOSTON]), snapshot()))
    assert removed == ["Location removed: Dana-Farber Cancer Institute, Boston, Massachusetts"]
    status = describe_all(diff(snapshot(), snapshot(locations=[moved])))
    assert status == [
        "NIH Clinical Center, Bethesda, Maryland: status changed from Recruiting to Completed"
    ]


def test_contact_changes_never_quote_the_contact():
    new = snapshot(contacts=[{"phone": "301-555-0199", "email": "new@example.org"}])
    changes = diff(snapshot(), new)
    assert changes == [{"field": "contacts"}]
    assert describe_all(changes) == ["Contact details changed"]


def test_added_and_removed_facts_and_dates_read_naturally():
    lines = describe_all(diff(snapshot(), snapshot(start_date="2026-07", enrollment=None)))
    assert lines == ["Number of participants removed (was 40)", "Start date added: July 2026"]


def test_a_new_version_reads_as_first_seen():
    assert TrialVersion(kind=TrialVersion.Kind.NEW).change_lines() == ["First seen on the registry"]
