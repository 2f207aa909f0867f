"""Subscriptions for staff with the permission: who follows what, and what went out. Read-only:
rows change through the visitors' own links."""

from django.contrib import admin
from django.db.models import Count, Q

from .models import Delivery, Subscriber, Subscription


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 0
    fields = ("trial", "group", "created_at", "confirmed_at", "terms_version", "consented_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(ReadOnlyAdmin):
    list_display = ("email", "created_at", "confirmed_at", "following")
    search_fields = ("email",)
    list_filter = (("confirmed_at", admin.EmptyFieldListFilter),)
    fields = ("email", "created_at", "confirmed_at")
    inlines = [SubscriptionInline]
    actions = ["rotate_links"]

    @admin.action(
        description="Make new private links for the selected addresses (old ones stop working)",
        permissions=["view"],
    )
    def rotate_links(self, request, queryset):
        """For an address whose links leaked: its next email carries the new ones."""
        for subscriber in queryset:
            subscriber.rotate_keys()
        self.message_user(
            request,
            f"New links made for {len(queryset)} address(es): every link sent to them before no "
            "longer works; the next email each gets carries the new ones.",
        )

    def get_queryset(self, request):
        confirmed = Count("subscriptions", filter=Q(subscriptions__confirmed_at__isnull=False))
        return super().get_queryset(request).annotate(following=confirmed)

    @admin.display(description="Confirmed subscriptions", ordering="following")
    def following(self, subscriber):
        return subscriber.following


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("subscriber", "follows", "created_at", "confirmed_at")
    list_filter = (
        ("confirmed_at", admin.EmptyFieldListFilter),
        ("trial", admin.EmptyFieldListFilter),
        "group",
    )
    list_select_related = ("subscriber", "trial", "group")
    search_fields = ("subscriber__email", "trial__nct_id", "group__name")
    fields = (
        "subscriber",
        "trial",
        "group",
        "created_at",
        "confirmed_at",
        "terms_version",
        "consented_at",
    )
    date_hierarchy = "created_at"

    @admin.display(description="Follows")
    def follows(self, subscription):
        return subscription.subject

    def changelist_view(self, request, extra_context=None):
        """Above the list: how many confirmed followers each trial and condition group has."""
        confirmed = Subscription.objects.confirmed()
        extra_context = {
            **(extra_context or {}),
            "per_trial": confirmed.exclude(trial=None)
            .values(
                "trial__nct_id",
                "trial__brief_title",
                "trial__headline",
                "trial__generated_headline",
            )
            .annotate(followers=Count("pk"))
            .order_by("-followers", "trial__nct_id")[:25],
            "per_group": confirmed.exclude(group=None)
            .values("group__name")
            .annotate(followers=Count("pk"))
            .order_by("-followers", "group__name"),
            "pending_count": Subscription.objects.unconfirmed().count(),
        }
        return super().changelist_view(request, extra_context)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("version", "subscription", "created_at", "sent_at", "attempts", "last_error")
    list_filter = (("sent_at", admin.EmptyFieldListFilter),)
    list_select_related = ("version__trial", "subscription__subscriber")
    search_fields = ("subscription__subscriber__email", "version__trial__nct_id")
    fields = list_display + ("next_attempt_at",)
