from django.contrib import admin
from django.http import HttpRequest

from sciaticare.privacy.models import DeletionRequest


@admin.register(DeletionRequest)
class DeletionRequestAdmin(admin.ModelAdmin):
    """Read-only: patients ask and cancel themselves; the daily task carries requests out."""

    list_display = ("user", "requested_at", "due_at", "cancelled_at", "carried_out_at")
    list_filter = ("cancelled_at", "carried_out_at")
    readonly_fields = ("user", "requested_at", "due_at", "cancelled_at", "carried_out_at")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
