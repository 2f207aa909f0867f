"""The parts /health/ looks at, as django-health-check checks.

The database and the cache come with the library. The task worker and the registry sync are
ours: they read what the worker and `sync_ctgov` leave in the database, and warn (the site
still serves) when the worker lets tasks wait or the registry has not been read for too long.
"""

import dataclasses
import datetime as dt

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.exceptions import ServiceWarning

# Tasks the worker has not started this long after they became due mean it is not running.
TASK_WAIT_LIMIT = dt.timedelta(minutes=5)


def _ago(moment: dt.datetime | None) -> str:
    if moment is None:
        return "never"
    seconds = int((timezone.now() - moment).total_seconds())
    return f"{moment.isoformat(timespec='seconds')} ({seconds} s ago)"


class _ReadsDatabase(HealthCheck):
    """A check that reads rows: it says so plainly when the database cannot be read, and
    closes the connection it opened (checks run in a pool thread of their own)."""

    detail = ""

    def run(self) -> None:
        try:
            self.detail = self.read()
        except DatabaseError as error:
            raise ServiceWarning("cannot be read while the database is unreachable") from error
        finally:
            connection.close()

    def read(self) -> str:
        raise NotImplementedError


@dataclasses.dataclass
class TaskWorker(_ReadsDatabase):
    """The task worker (`manage.py db_worker`) takes tasks as they fall due."""

    def read(self) -> str:
        from django_tasks_db.models import DBTaskResult

        now = timezone.now()
        waiting = DBTaskResult.objects.ready().filter(enqueued_at__lte=now - TASK_WAIT_LIMIT)
        oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
        last = (
            DBTaskResult.objects.filter(finished_at__isnull=False)
            .order_by("-finished_at")
            .values_list("finished_at", flat=True)
            .first()
        )
        if oldest is not None:
            raise ServiceWarning(
                f"{waiting.count()} task(s) waiting, the oldest since {_ago(oldest)}; "
                f"is `manage.py db_worker` running? Last task finished: {_ago(last)}"
            )
        return f"last task finished: {_ago(last)}"


@dataclasses.dataclass
class RegistrySync(_ReadsDatabase):
    """`manage.py sync_ctgov` has brought the trials in step with the registry lately."""

    def read(self) -> str:
        from registry.models import SyncMark

        mark = SyncMark.objects.order_by("-last_success_at").first()
        last = mark.last_success_at if mark else None
        limit = dt.timedelta(hours=settings.CTGOV_SYNC_STALE_HOURS)
        if last is None or timezone.now() - last > limit:
            failure = ""
            if mark and mark.last_failure:
                failure = f"; last failure {_ago(mark.last_failure_at)}: {mark.last_failure}"
            raise ServiceWarning(
                f"last success {_ago(last)}, more than {settings.CTGOV_SYNC_STALE_HOURS} h "
                f"ago{failure}"
            )
        return f"last success: {_ago(last)} ({mark.last_summary})"
