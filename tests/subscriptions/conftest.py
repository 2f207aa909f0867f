import pytest
import time_machine

from trials.models import ConditionGroup, Contact, Location

from .helpers import SITE_EMAIL, SITE_PHONE, STUDY_EMAIL, STUDY_PHONE, make_trial
from .smtp import SmtpServer


@pytest.fixture
def counted_in_redis(redis_cache):
    """Rate limits counted in Redis as in production, from well inside one clock hour (counts
    are per hour), so that no test straddles two."""
    with time_machine.travel("2026-11-25 10:15:00+00:00", tick=True):
        yield redis_cache


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what views defer to the end of their transaction (enqueuing tasks)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback, which the site's mail goes to."""
    with SmtpServer() as server:
        settings.MAILERS = server.mailers()
        yield server


@pytest.fixture
def group(db):
    return ConditionGroup.objects.create(name="Solid tumors")


@pytest.fixture
def trial(db, group):
    """A published trial with study and site contacts, followed by nobody yet."""
    trial = make_trial(group=group)
    Contact.objects.create(trial=trial, name="Dr. Study", phone=STUDY_PHONE, email=STUDY_EMAIL)
    site = Location.objects.create(
        trial=trial, facility="NIH Clinical Center", city="Bethesda", state="Maryland"
    )
    Contact.objects.create(trial=trial, location=site, phone=SITE_PHONE, email=SITE_EMAIL)
    return trial
