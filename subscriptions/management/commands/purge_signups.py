from django.core.management.base import BaseCommand

from subscriptions.models import PURGE_UNCONFIRMED_AFTER, Subscriber


class Command(BaseCommand):
    help = (
        f"Delete sign-ups and study-team messages not confirmed within "
        f"{PURGE_UNCONFIRMED_AFTER.days} days, and addresses left with nothing. Run it daily."
    )

    def handle(self, *args, **options):
        deleted = Subscriber.objects.purge_unconfirmed()
        self.stdout.write(
            f"Deleted {deleted['sign-ups']} unconfirmed sign-up(s), {deleted['messages']} "
            f"unconfirmed message(s) and {deleted['addresses']} address(es)."
        )
