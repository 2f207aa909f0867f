"""The relay's part in what subscriptions does for every address (`subscriptions.hooks`)."""

from django.dispatch import receiver

from subscriptions.hooks import exporting, purging, sending_run
from subscriptions.models import Subscriber

from .models import RelayMessage
from .sending import send_due


@receiver(sending_run, sender=Subscriber)
def send_due_messages(sender, connection, now, **kwargs):
    return send_due(connection, now)


@receiver(purging, sender=Subscriber)
def purge_unconfirmed(sender, now, **kwargs) -> dict[str, int]:
    _, deleted = RelayMessage.objects.stale(now).delete()
    return {"unconfirmed message(s)": deleted.get("relay.RelayMessage", 0)}


@receiver(exporting, sender=Subscriber)
def export(sender, subscriber: Subscriber, **kwargs) -> dict[str, list]:
    messages = subscriber.messages.select_related("trial")
    return {"messages_to_study_teams": [message.export() for message in messages]}
