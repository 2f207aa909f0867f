"""The log of messages passed on to study teams, for staff with the permission. Read-only."""

from django.contrib import admin

from subscriptions.admin import ReadOnlyAdmin

from .models import RelayMessage


@admin.register(RelayMessage)
class RelayMessageAdmin(ReadOnlyAdmin):
    list_display = ("trial", "sender_name", "sender", "created_at", "confirmed_at", "sent_at")
    list_filter = (
        ("confirmed_at", admin.EmptyFieldListFilter),
        ("sent_at", admin.EmptyFieldListFilter),
    )
    list_select_related = ("trial", "sender")
    search_fields = ("trial__nct_id", "sender__email", "sender_name")
    fields = (
        "trial",
        "sender",
        "sender_name",
        "message",
        "terms_version",
        "consented_at",
        "created_at",
        "confirmed_at",
        "sent_at",
        "recipient_email",
        "attempts",
        "next_attempt_at",
        "last_error",
    )
