from django.core.management.base import BaseCommand

from subscriptions.models import PURGE_UNCONFIRMED_AFTER, Subscriber


class Command(BaseCommand):
    help = (
        f"Delete sign-ups and study-team messages not confirmed within "
        f"{PURGE_UNCONFIRMED_AFTER.days} days, and addresses left with nothing. Run it daily."
    )

    def handle(self, *args, **options):
        counts = [f"{n} {what}" for what, n in Subscriber.objects.purge_unconfirmed().items()]
        self.stdout.write(f"Deleted {', '.join(counts[:-1])} and {counts[-1]}.")
