"""Who follows what, and the news each of them is owed.

An address (`Subscriber`) follows trials and condition groups (`Subscription`). Each sign-up
is confirmed on its own by a signed link, so no one can add subscriptions to someone else's
address. A `Delivery` row per (subscription, trial version) records the news an address is
owed and whether it went out; its unique constraint is what stops the same news being sent
twice. Other apps keep rows for an address too (the study-team relay keeps its messages) and
join its purge and export through `subscriptions.hooks`.
"""

import datetime as dt
import secrets

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from core.signing import SignedLink
from trials.models import ConditionGroup, Trial, TrialVersion

from .hooks import exporting, purging

# How long a confirmation link works, and when an unconfirmed sign-up is deleted.
CONFIRM_MAX_AGE = dt.timedelta(days=3)
PURGE_UNCONFIRMED_AFTER = dt.timedelta(days=7)

CONFIRM_LINK = SignedLink("subscriptions.confirm", "s", max_age=CONFIRM_MAX_AGE)
MANAGE_LINK = SignedLink("subscriptions.manage", "a")
# Stops every update and can do nothing else: a secret of its own (see Subscriber).
UNSUBSCRIBE_LINK = SignedLink("subscriptions.unsubscribe", "u", key_field="unsubscribe_key")


def new_key() -> str:
    return secrets.token_urlsafe(24)


def absolute(path: str) -> str:
    """Links in emails are built from SITE_URL, never from the request that caused them."""
    return f"{settings.SITE_URL}{path}"


class SubscriberQuerySet(models.QuerySet):
    def for_email(self, email: str):
        return self.filter(email__iexact=email.strip())

    def holding_nothing(self):
        """Addresses that no row of any app refers to."""
        return self.filter(**{rel.name: None for rel in self.model._meta.related_objects})

    def purge_unconfirmed(self, now: dt.datetime | None = None) -> dict[str, int]:
        """Delete sign-ups (and, through `hooks.purging`, other apps' rows) never confirmed in
        time, and unconfirmed addresses left with nothing. Returns how many of each went:
        {"unconfirmed sign-up(s)": 2, …, "address(es)": 1}."""
        now = now or timezone.now()
        with transaction.atomic():
            _, signups = Subscription.objects.stale(now).delete()
            deleted = {"unconfirmed sign-up(s)": signups.get("subscriptions.Subscription", 0)}
            for _, counts in purging.send(sender=Subscriber, now=now):
                deleted.update(counts)
            orphans = self.holding_nothing().filter(
                confirmed_at=None, created_at__lt=now - PURGE_UNCONFIRMED_AFTER
            )
            _, addresses = orphans.delete()
        return {**deleted, "address(es)": addresses.get("subscriptions.Subscriber", 0)}


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
        return MANAGE_LINK.token(self)

    @classmethod
    def from_manage_token(cls, token: str) -> "Subscriber | None":
        return MANAGE_LINK.find(token, cls.objects.all())

    @property
    def manage_url(self) -> str:
        return absolute(reverse("subscriptions:manage", args=[self.manage_token]))

    @property
    def unsubscribe_token(self) -> str:
        return UNSUBSCRIBE_LINK.token(self)

    @classmethod
    def from_unsubscribe_token(cls, token: str) -> "Subscriber | None":
        return UNSUBSCRIBE_LINK.find(token, cls.objects.all())

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
        subscriptions = self.subscriptions.select_related("trial", "group")
        data = {
            "email": self.email,
            "created_at": self.created_at.isoformat(),
            "confirmed_at": self.confirmed_at.isoformat() if self.confirmed_at else None,
            "subscriptions": [s.export() for s in subscriptions],
        }
        for _, held in exporting.send(sender=Subscriber, subscriber=self):
            data.update(held)
        return data

    def delete_data(self) -> None:
        """Forget the address: its subscriptions, delivery records and every other app's rows
        that refer to it (relayed messages), which go with it."""
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
    group = models.ForeignKey(
        ConditionGroup,
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
                condition=Q(trial__isnull=False, group__isnull=True)
                | Q(trial__isnull=True, group__isnull=False),
                name="subscription_follows_one_thing",
            ),
            models.UniqueConstraint(
                fields=["subscriber", "trial"],
                condition=Q(trial__isnull=False),
                name="subscription_trial_unique",
            ),
            models.UniqueConstraint(
                fields=["subscriber", "group"],
                condition=Q(group__isnull=False),
                name="subscription_group_unique",
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
        group: ConditionGroup | None = None,
        consented_at: dt.datetime | None = None,
    ) -> "Subscription":
        """The address's subscription to this, new and unconfirmed unless it already existed.

        Two requests at once make one row: the unique constraints decide, not a check here.
        """
        subscriber = Subscriber.for_signup(email)
        target = {"trial": trial} if trial is not None else {"group": group}
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
        return f"new studies for {self.group.name}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def confirm_token(self) -> str:
        return CONFIRM_LINK.token(self)

    @property
    def confirm_url(self) -> str:
        return absolute(reverse("subscriptions:confirm", args=[self.confirm_token]))

    @classmethod
    def from_confirm_token(cls, token: str) -> "Subscription | None":
        """The sign-up a confirmation link is for, while the link is valid and the sign-up exists.

        A removed subscription is deleted, so its old links find nothing and cannot bring it back.
        """
        return CONFIRM_LINK.find(token, cls.objects.select_related("subscriber", "trial", "group"))

    def confirm(self) -> None:
        now = timezone.now()
        if Subscription.objects.filter(pk=self.pk, confirmed_at=None).update(confirmed_at=now):
            self.confirmed_at = now
        Subscriber.objects.filter(pk=self.subscriber_id, confirmed_at=None).update(confirmed_at=now)

    def export(self) -> dict:
        return {
            "follows": self.subject,
            "trial": self.trial.nct_id if self.trial_id else None,
            "condition_group": self.group.name if self.group_id else None,
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
