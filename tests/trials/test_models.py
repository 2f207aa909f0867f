import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from trials.eligibility import Eligibility
from trials.models import ConditionGroup, Location, Trial, TrialVersion

from .search_data import make_trial

pytestmark = pytest.mark.django_db


def test_nct_id_is_unique(example_trial):
    with pytest.raises(IntegrityError), transaction.atomic():
        Trial.objects.create(nct_id="NCT07509034", brief_title="Duplicate")


@pytest.mark.parametrize("bad", ["NCT123", "nct07509034", "XYZ07509034", "NCT0750903X", ""])
def test_the_database_refuses_a_malformed_nct_id(bad):
    with pytest.raises(IntegrityError), transaction.atomic():
        Trial.objects.create(nct_id=bad, brief_title="Bad id")


def test_the_form_validator_explains_a_malformed_nct_id():
    trial = Trial(nct_id="NCT123", brief_title="Bad id")
    with pytest.raises(ValidationError) as error:
        trial.full_clean()
    assert "eight digits" in str(error.value)


def test_the_database_refuses_an_inverted_age_range():
    with pytest.raises(IntegrityError), transaction.atomic():
        Trial.objects.create(
            nct_id="NCT00000010", brief_title="Ages", minimum_age_years=65, maximum_age_years=18
        )


def test_the_database_refuses_an_unknown_status():
    with pytest.raises(IntegrityError), transaction.atomic():
        Trial.objects.create(nct_id="NCT00000011", brief_title="Status", status="MAYBE")


@pytest.mark.parametrize(
    "coordinates", [{"latitude": 91, "longitude": 0}, {"latitude": 10, "longitude": None}]
)
def test_the_database_refuses_impossible_coordinates(example_trial, coordinates):
    with pytest.raises(IntegrityError), transaction.atomic():
        Location.objects.create(trial=example_trial, facility="Nowhere", **coordinates)


def test_a_trial_has_one_version_per_number(example_trial):
    seen = example_trial.first_seen_at
    TrialVersion.objects.create(trial=example_trial, number=1, kind="NEW", seen_at=seen)
    with pytest.raises(IntegrityError), transaction.atomic():
        TrialVersion.objects.create(trial=example_trial, number=1, kind="CHANGED", seen_at=seen)


def test_published_hides_drafts(example_trial):
    Trial.objects.create(nct_id="NCT00000012", brief_title="Draft")
    assert list(Trial.objects.published()) == [example_trial]


def test_needing_review_lists_trials_whose_registry_moved_on(example_trial):
    example_trial.plain_language_version = 4
    example_trial.save()
    assert not Trial.objects.needing_review().exists()
    Trial.objects.filter(pk=example_trial.pk).update(current_version=5)
    assert list(Trial.objects.needing_review()) == [example_trial]


def test_eligibility_splits_numbered_and_bulleted_criteria():
    text = (
        "Inclusion Criteria:\n\n1. Adults aged 18 or over\n2. Confirmed diagnosis,\n"
        "   confirmed by biopsy\n\nExclusion Criteria:\n\n- Pregnancy\n- Prior CAR T therapy"
    )
    eligibility = Eligibility.from_text(text)
    assert eligibility.inclusion == [
        "Adults aged 18 or over",
        "Confirmed diagnosis, confirmed by biopsy",
    ]
    assert eligibility.exclusion == ["Pregnancy", "Prior CAR T therapy"]


def test_eligibility_keeps_unstructured_text_whole():
    eligibility = Eligibility.from_text("Anyone with asthma who can attend weekly visits.")
    assert not eligibility.is_split
    assert eligibility.text == "Anyone with asthma who can attend weekly visits."


def test_eligibility_reads_key_and_short_headings_and_registry_escapes():
    text = (
        "Key Inclusion Criteria:\n\n* Age 4 to \\<8 years\n\nExclusion:\n\n* Prior \\*study\\* drug"
    )
    eligibility = Eligibility.from_text(text)
    assert eligibility.inclusion == ["Age 4 to <8 years"]
    assert eligibility.exclusion == ["Prior *study* drug"]


def test_count_by_group_counts_only_the_given_trials(db):
    make_trial("NCT00000501", groups=["Heart", "Lungs"])
    make_trial("NCT00000502", groups=["Heart"])
    make_trial("NCT00000503", groups=["Heart"], is_published=False)
    counts = Trial.objects.published().count_by_group()
    names = dict(ConditionGroup.objects.values_list("pk", "name"))
    assert {names[pk]: n for pk, n in counts.items()} == {"Heart": 2, "Lungs": 1}
