from django.core.management.base import BaseCommand, CommandError

from subscriptions import delivery


class Command(BaseCommand):
    help = (
        "Run one sending run in the foreground: record the news each confirmed subscription is "
        "owed, send one digest per address and pass confirmed messages on to study teams. Safe "
        "to run while the worker runs, and to run again: nothing is sent twice."
    )

    def handle(self, *args, **options):
        result = delivery.run()
        also = "".join(f" and {other.sent} {other.words}" for other in result.also)
        self.stdout.write(
            f"Queued {result.queued} new update(s); sent {result.digests_sent} digest(s){also}."
        )
        if result.retry_at:
            self.stdout.write(f"Waiting for a retry: the next one is due at {result.retry_at:%c}.")
        if result.errors:
            raise CommandError(
                "The mail server could not be reached; the updates are kept and sent on a "
                f"later run. {result.errors[0]}"
            )
