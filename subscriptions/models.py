"""Who follows what, the news each of them is owed, and messages relayed to study teams.

An address (`Subscriber`) follows trials and condition groups (`Subscription`). Each sign-up
is confirmed on its own by a signed link, so no one can add subscriptions to someone else's
address. A `Delivery` row per (subscription, trial version) records the news an address is owed
and whether it went out; its unique constraint is what stops the same news being sent twice.
"""

import datetime as dt
import secrets

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from trials.models import ConditionCategory, Trial, TrialVersion

CONFIRM_SALT = "subscriptions.confirm"
MANAGE_SALT = "subscriptions.manage"
UNSUBSCRIBE_SALT = "subscriptions.unsubscribe"
RELAY_SALT = "subscriptions.relay"

# How long a confirmation link works, and when an unconfirmed sign-up is deleted.
CONFIRM_MAX_AGE = dt.timedelta(days=3)
PURGE_UNCONFIRMED_AFTER = dt.timedelta(days=7)


def new_key() -> str:
    return secrets.token_urlsafe(24)


def absolute(path: str) -> str:
    """Links in emails are built from SITE_URL, never from the request that caused them."""
    return f"{settings.SITE_URL}{path}"


def _load(token: str, salt: str, max_age: dt.timedelta | None = None) -> dict | None:
    try:
        value = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:  # also SignatureExpired
        return None
    return value if isinstance(value, dict) else None


class SubscriberQuerySet(models.QuerySet):
    def for_email(self, email: str):
        return self.filter(email__iexact=email.strip())

    def purge_unconfirmed(self, now: dt.datetime | None = None) -> dict[str, int]:
        """Delete sign-ups and messages never confirmed in time, and addresses left with nothing.

        Returns how many of each were deleted.
        """
        now = now or timezone.now()
        with transaction.atomic():
            _, signups = Subscription.objects.stale(now).delete()
            _, messages = RelayMessage.objects.stale(now).delete()
            orphans = self.filter(
                confirmed_at=None,
                created_at__lt=now - PURGE_UNCONFIRMED_AFTER,
                subscriptions=None,
                messages=None,
            )
            _, addresses = orphans.delete()
        return {
            "sign-ups": signups.get("subscriptions.Subscription", 0),
            "messages": messages.get("subscriptions.RelayMessage", 0),
            "addresses": addresses.get("subscriptions.Subscriber", 0),
        }


class Subscriber(models.Model):
    """One email address. Deleting it deletes everything we hold about the address.

    Two secrets make its links: `key` opens the manage page (see, stop, download, delete), and
    `unsubscribe_key` only stops every update: it is the one handed to mail providers in the
    List-Unsubscribe header. `rotate_keys()` makes new ones; old links then open nothing.
    """

    email = models.EmailField(max_length=254)
    key = models.CharField(max_length=64, default=new_key, editable=False)
    unsubscribe_key = models.CharField(max_length=64, default=new_key, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the address first confirmed a sign-up."
    )

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="subscriber_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.email

    @classmethod
    def for_signup(cls, email: str) -> "Subscriber":
        """The address's row, created if new; safe when two requests arrive at once."""
        email = email.strip()
        found = cls.objects.for_email(email).first()
        if found:
            return found
        try:
            with transaction.atomic():
                return cls.objects.create(email=email)
        except IntegrityError:
            # Another request created it between our read and our insert.
            found = cls.objects.for_email(email).first()
            if found is None:
                raise
            return found

    @property
    def manage_token(self) -> str:
        return signing.dumps({"a": self.pk, "k": self.key}, salt=MANAGE_SALT)

    @classmethod
    def from_manage_token(cls, token: str) -> "Subscriber | None":
        value = _load(token, MANAGE_SALT)
        if value is None:
            return None
        subscriber = cls.objects.filter(pk=value.get("a")).first()
        if subscriber is None or not constant_time_compare(str(value.get("k")), subscriber.key):
            return None
        return subscriber

    @property
    def manage_url(self) -> str:
        return absolute(reverse("subscriptions:manage", args=[self.manage_token]))

    @property
    def unsubscribe_token(self) -> str:
        return signing.dumps({"u": self.pk, "k": self.unsubscribe_key}, salt=UNSUBSCRIBE_SALT)

    @classmethod
    def from_unsubscribe_token(cls, token: str) -> "Subscriber | None":
        value = _load(token, UNSUBSCRIBE_SALT)
        if value is None:
            return None
        subscriber = cls.objects.filter(pk=value.get("u")).first()
        if subscriber is None:
            return None
        if not constant_time_compare(str(value.get("k")), subscriber.unsubscribe_key):
            return None
        return subscriber

    @property
    def unsubscribe_url(self) -> str:
        """The RFC 8058 one-click address: a POST there stops every alert to this address, and
        the link can do nothing else."""
        return absolute(reverse("subscriptions:unsubscribe", args=[self.unsubscribe_token]))

    def rotate_keys(self) -> None:
        """New secrets for this address's links: every link sent before stops working."""
        self.key, self.unsubscribe_key = new_key(), new_key()
        self.save(update_fields=["key", "unsubscribe_key"])

    def export(self) -> dict:
        """Everything we hold about the address, as the visitor may download it."""
        subscriptions = self.subscriptions.select_related("trial", "category")
        return {
            "email": self.email,
            "created_at": self.created_at.isoformat(),
            "confirmed_at": self.confirmed_at.isoformat() if self.confirmed_at else None,
            "subscriptions": [s.export() for s in subscriptions],
            "messages_to_study_teams": [m.export() for m in self.messages.select_related("trial")],
        }

    def delete_data(self) -> None:
        """Forget the address: its subscriptions, delivery records and relayed messages."""
        self.delete()


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.exclude(confirmed_at=None)

    def unconfirmed(self):
        return self.filter(confirmed_at=None)

    def stale(self, now: dt.datetime | None = None):
        """Sign-ups never confirmed within the purge period."""
        now = now or timezone.now()
        return self.unconfirmed().filter(created_at__lt=now - PURGE_UNCONFIRMED_AFTER)


class Subscription(models.Model):
    """One address following one trial, or new trials in one condition group."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    trial = models.ForeignKey(
        Trial, on_delete=models.CASCADE, null=True, blank=True, related_name="subscriptions"
    )
    category = models.ForeignKey(
        ConditionCategory,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
        verbose_name="condition group",
    )
    key = models.CharField(max_length=64, default=new_key, editable=False)
    terms_version = models.CharField(max_length=20)
    consented_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(trial__isnull=False, category__isnull=True)
                | Q(trial__isnull=True, category__isnull=False),
                name="subscription_follows_one_thing",
            ),
            models.UniqueConstraint(
                fields=["subscriber", "trial"],
                condition=Q(trial__isnull=False),
                name="subscription_trial_unique",
            ),
            models.UniqueConstraint(
                fields=["subscriber", "category"],
                condition=Q(category__isnull=False),
                name="subscription_category_unique",
            ),
        ]
        indexes = [models.Index(fields=["confirmed_at", "created_at"], name="subscription_state")]

    def __str__(self) -> str:
        return f"{self.subscriber} follows {self.subject}"

    @classmethod
    def sign_up(
        cls,
        email: str,
        *,
        trial: Trial | None = None,
        category: ConditionCategory | None = None,
        consented_at: dt.datetime | None = None,
    ) -> "Subscription":
        """The address's subscription to this, new and unconfirmed unless it already existed.

        Two requests at once make one row: the unique constraints decide, not a check here.
        """
        subscriber = Subscriber.for_signup(email)
        target = {"trial": trial} if trial is not None else {"category": category}
        try:
            with transaction.atomic():
                return cls.objects.create(
                    subscriber=subscriber,
                    terms_version=settings.TERMS_VERSION,
                    consented_at=consented_at or timezone.now(),
                    **target,
                )
        except IntegrityError:
            return cls.objects.select_related("subscriber").get(subscriber=subscriber, **target)

    @property
    def subject(self) -> str:
        if self.trial_id:
            return f"{self.trial.nct_id}: {self.trial.title}"
        return f"new studies for {self.category.name}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def confirm_token(self) -> str:
        return signing.dumps({"s": self.pk, "k": self.key}, salt=CONFIRM_SALT)

    @property
    def confirm_url(self) -> str:
        return absolute(reverse("subscriptions:confirm", args=[self.confirm_token]))

    @classmethod
    def from_confirm_token(cls, token: str) -> "Subscription | None":
        """The sign-up a confirmation link is for, while the link is valid and the sign-up exists.

        A removed subscription is deleted, so its old links find nothing and cannot bring it back.
        """
        value = _load(token, CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
        if value is None:
            return None
        found = cls.objects.select_related("subscriber", "trial", "category")
        subscription = found.filter(pk=value.get("s")).first()
        if subscription is None or not constant_time_compare(str(value.get("k")), subscription.key):
            return None
        return subscription

    def confirm(self) -> None:
        now = timezone.now()
        if Subscription.objects.filter(pk=self.pk, confirmed_at=None).update(confirmed_at=now):
            self.confirmed_at = now
        Subscriber.objects.filter(pk=self.subscriber_id, confirmed_at=None).update(confirmed_at=now)

    def export(self) -> dict:
        return {
            "follows": self.subject,
            "trial": self.trial.nct_id if self.trial_id else None,
            "category": self.category.name if self.category_id else None,
            "signed_up_at": self.created_at.isoformat(),
            "terms_version": self.terms_version,
            "consented_at": self.consented_at.isoformat(),
            "confirmed_at": self.confirmed_at.isoformat() if self.confirmed_at else None,
            "updates_sent": [
                {"version": d.version.number, "sent_at": d.sent_at.isoformat()}
                for d in self.deliveries.exclude(sent_at=None).select_related("version")
            ],
        }


class Publication(models.Model):
    """When a trial first became public: a draft published later is news from that moment."""

    trial = models.OneToOneField(Trial, on_delete=models.CASCADE, related_name="publication")
    published_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.trial.nct_id} published {self.published_at:%Y-%m-%d %H:%M}"


class DeliveryQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(sent_at=None)

    def due(self, now: dt.datetime | None = None):
        return self.pending().filter(next_attempt_at__lte=now or timezone.now())


class Delivery(models.Model):
    """One piece of news owed to one subscription; sent once, in the address's next digest."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    version = models.ForeignKey(TrialVersion, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=500, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "version"], name="delivery_once_per_subscription"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=Q(sent_at=None), name="delivery_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} to {self.subscription.subscriber}"


class RelayMessageQuerySet(models.QuerySet):
    def stale(self, now: dt.datetime | None = None):
        now = now or timezone.now()
        return self.filter(confirmed_at=None, created_at__lt=now - PURGE_UNCONFIRMED_AFTER)

    def due(self, now: dt.datetime | None = None):
        return self.exclude(confirmed_at=None).filter(
            sent_at=None, next_attempt_at__lte=now or timezone.now()
        )

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
        return signing.dumps({"m": self.pk, "k": self.key}, salt=RELAY_SALT)

    @property
    def confirm_url(self) -> str:
        return absolute(reverse("subscriptions:contact-confirm", args=[self.confirm_token]))

    @classmethod
    def from_confirm_token(cls, token: str) -> "RelayMessage | None":
        value = _load(token, RELAY_SALT, max_age=CONFIRM_MAX_AGE)
        if value is None:
            return None
        message = cls.objects.select_related("trial", "sender").filter(pk=value.get("m")).first()
        if message is None or not constant_time_compare(str(value.get("k")), message.key):
            return None
        return message

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
