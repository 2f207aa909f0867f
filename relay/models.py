"""Messages patients ask us to pass on to a study team.

A message is sent only after its sender confirms their address from a signed link; the study's
address is looked up when it goes out and never shown to the patient. The sender is an address
of the subscriptions app (`Subscriber`), so the manage page shows, downloads and deletes their
messages with everything else.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.signing import SignedLink
from subscriptions.models import (
    CONFIRM_MAX_AGE,
    PURGE_UNCONFIRMED_AFTER,
    Subscriber,
    absolute,
    new_key,
)
from trials.models import Trial

# The salt predates this app (links in emails already sent carry it).
CONFIRM_LINK = SignedLink("subscriptions.relay", "m", max_age=CONFIRM_MAX_AGE)


class RelayMessageQuerySet(models.QuerySet):
    def stale(self, now: dt.datetime | None = None):
        """Messages never confirmed within the purge period."""
        now = now or timezone.now()
        return self.filter(confirmed_at=None, created_at__lt=now - PURGE_UNCONFIRMED_AFTER)

    def waiting(self):
        """Confirmed and not sent yet."""
        return self.exclude(confirmed_at=None).filter(sent_at=None)

    def due(self, now: dt.datetime | None = None):
        return self.waiting().filter(next_attempt_at__lte=now or timezone.now())

    def next_retry_at(self, now: dt.datetime | None = None) -> dt.datetime | None:
        """When the earliest message waiting for a retry becomes due."""
        waiting = self.waiting().filter(next_attempt_at__gt=now or timezone.now())
        return waiting.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()

    def for_study_in_last_day(self, trial: Trial, now: dt.datetime | None = None):
        """Messages confirmed for this trial's study team in the last 24 hours."""
        since = (now or timezone.now()) - dt.timedelta(days=1)
        return self.filter(trial=trial, confirmed_at__gte=since)


class RelayMessage(models.Model):
    """A patient's message to a study team, sent only after the patient confirms their address.

    The study's address is looked up when the message goes out and never shown to the patient.
    """

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="relay_messages")
    sender = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="messages")
    sender_name = models.CharField(max_length=100)
    message = models.TextField(max_length=5000)
    terms_version = models.CharField(max_length=20)
    consented_at = models.DateTimeField()
    key = models.CharField(max_length=64, default=new_key, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    recipient_email = models.EmailField(
        max_length=254, blank=True, help_text="The study contact it went to (staff only)."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=500, blank=True)

    objects = RelayMessageQuerySet.as_manager()

    class Meta:
        # The table the rows were stored in when the relay was part of subscriptions.
        db_table = "subscriptions_relaymessage"
        ordering = ["-created_at"]
        verbose_name = "message to a study team"
        verbose_name_plural = "messages to study teams"

    def __str__(self) -> str:
        return f"{self.sender_name} about {self.trial.nct_id}"

    @classmethod
    def compose(
        cls, trial: Trial, email: str, *, name: str, message: str, at: dt.datetime | None = None
    ) -> "RelayMessage":
        """A new message from this address, waiting for the sender to confirm it."""
        return cls.objects.create(
            trial=trial,
            sender=Subscriber.for_signup(email),
            sender_name=name,
            message=message,
            terms_version=settings.TERMS_VERSION,
            consented_at=at or timezone.now(),
        )

    @property
    def confirm_token(self) -> str:
        return CONFIRM_LINK.token(self)

    @property
    def confirm_url(self) -> str:
        return absolute(reverse("relay:confirm", args=[self.confirm_token]))

    @classmethod
    def from_confirm_token(cls, token: str) -> "RelayMessage | None":
        return CONFIRM_LINK.find(token, cls.objects.select_related("trial", "sender"))

    def confirm(self) -> bool:
        """Mark the sender's address confirmed; False when it already was (a second click)."""
        now = timezone.now()
        updated = RelayMessage.objects.filter(pk=self.pk, confirmed_at=None).update(
            confirmed_at=now, next_attempt_at=now
        )
        if updated:
            self.confirmed_at = now
        Subscriber.objects.filter(pk=self.sender_id, confirmed_at=None).update(confirmed_at=now)
        return bool(updated)

    def study_contact_email(self) -> str:
        """Where the message goes: the study's own contact first, then a site contact."""
        contacts = self.trial.contacts.exclude(email="").order_by(
            models.F("location").asc(nulls_first=True), "position", "id"
        )
        return contacts.values_list("email", flat=True).first() or ""

    def export(self) -> dict:
        return {
            "trial": self.trial.nct_id,
            "name": self.sender_name,
            "message": self.message,
            "written_at": self.created_at.isoformat(),
            "confirmed_at": self.confirmed_at.isoformat() if self.confirmed_at else None,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
        }
