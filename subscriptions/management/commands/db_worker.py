"""`manage.py db_worker`: django-tasks-db's worker, made to outlast a database that goes away.

The library's worker stops with an error the moment the database cannot be reached. This one
logs one warning, waits with growing pauses (1 s doubling to 60 s) until the database answers,
puts back the tasks it was running when the connection was lost (their work was rolled back
with it) and carries on. Everything else, options included, is the library's.
"""

import logging
import os
import time

from django.db import InterfaceError, OperationalError, connection, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("subscriptions.worker")

FIRST_PAUSE = 1.0
LONGEST_PAUSE = 60.0


class PatientWorker(db_worker.Worker):
    def run(self) -> None:
        while True:
            try:
                return super().run()
            except (OperationalError, InterfaceError) as error:
                self.wait_for_database(error)

    def wait_for_database(self, error: Exception) -> None:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        logger.warning(
            "The database cannot be reached (%s); the task worker waits and tries again "
            "(pauses growing to %d s).",
            reason,
            LONGEST_PAUSE,
        )
        pause = FIRST_PAUSE
        while self.running:
            connections.close_all()
            time.sleep(pause)
            try:
                connection.ensure_connection()
                self.put_back_interrupted_tasks()
            except (OperationalError, InterfaceError):
                pause = min(pause * 2, LONGEST_PAUSE)
                continue
            logger.warning("The database answers again; the task worker carries on.")
            return

    def put_back_interrupted_tasks(self) -> None:
        """Tasks this worker was running when the connection went: ready to run again."""
        running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
        mine = [task.pk for task in running if self.worker_id in (task.worker_ids or [])[-1:]]
        if mine:
            DBTaskResult.objects.filter(pk__in=mine).update(
                status=TaskResultStatus.READY, started_at=None
            )
            logger.warning("Put back %d interrupted task(s) to run again.", len(mine))


class Command(db_worker.Command):
    help = db_worker.Command.help + " It waits out a database that cannot be reached."

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ) -> None:
        self.configure_logging(verbosity)
        if reload and batch:
            logger.warning("--reload and --batch cannot be used together: not reloading.")
            reload = False
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise db_worker.CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = PatientWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
