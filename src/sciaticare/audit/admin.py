from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sciaticare.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: no add, change or delete path exists for the audit log."""

    list_display = ("at", "actor", "action", "patient", "object_type", "object_id", "ip")
    list_filter = ("action",)
    search_fields = ("actor__email", "patient__email", "object_id", "request_id")
    date_hierarchy = "at"
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
