"""Two sign-ups for the same thing at the same moment make one subscription."""

import pytest
from django.db import connection

from subscriptions.models import Subscriber, Subscription
from tests.concurrency import at_once

from .helpers import TABLES, make_trial, run_tasks

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a database server for real concurrency"
)


def race(times: int, work) -> list:
    results, errors = at_once(times, work)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True, available_apps=TABLES)
def test_concurrent_sign_ups_make_one_subscription_and_one_address():
    trial = make_trial()
    for _ in range(5):  # several rounds: the race window is small
        Subscriber.objects.all().delete()
        results = race(4, lambda: Subscription.sign_up("ada@example.org", trial=trial).pk)
        assert len(set(results)) == 1
        assert Subscriber.objects.count() == 1
        assert Subscription.objects.count() == 1


@pytest.mark.django_db(transaction=True, available_apps=TABLES)
def test_concurrent_posts_to_the_form_make_one_subscription():
    from django.test import Client

    trial = make_trial()
    data = {"email": "ada@example.org", "follow": "trial", "trial": trial.nct_id, "consent": "on"}
    statuses = race(4, lambda: Client().post("/updates/", data).status_code)
    assert statuses == [200, 200, 200, 200]
    run_tasks()  # the worker stores sign-ups (at once, too: see the test above)
    assert Subscription.objects.count() == 1


@pytest.mark.django_db(transaction=True, available_apps=TABLES)
def test_the_database_refuses_a_duplicate_even_without_the_check():
    from django.db import IntegrityError
    from django.utils import timezone

    trial = make_trial()
    subscriber = Subscriber.objects.create(email="ada@example.org")
    fields = {
        "subscriber": subscriber,
        "trial": trial,
        "terms_version": "1",
        "consented_at": timezone.now(),
    }
    Subscription.objects.create(**fields)
    with pytest.raises(IntegrityError):
        Subscription.objects.create(**fields)
    with pytest.raises(IntegrityError):
        Subscriber.objects.create(email="ADA@Example.org")
