from django.contrib import admin

from .models import SyncMark


@admin.register(SyncMark)
class SyncMarkAdmin(admin.ModelAdmin):
    """Where each `sync_ctgov` query stands; written only by the command."""

    list_display = (
        "__str__",
        "updated_since",
        "last_success_at",
        "last_summary",
        "last_failure_at",
    )
    readonly_fields = [field.name for field in SyncMark._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
