"""The Django admin for site admins: clinics, their locations and admins, and who works where.

Credentials, reviews and flare-up plans are not edited here: verification, hiding and plans go
through their services (and pages), which record who did what and keep the search columns right.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sciaticare.directory.models import (
    Clinic,
    Credential,
    Location,
    Review,
    SessionType,
    TherapistLocation,
    TherapistProfile,
)


class LocationInline(admin.TabularInline):
    model = Location
    extra = 0
    fields = [
        "name",
        "address",
        "latitude",
        "longitude",
        "time_zone",
        "step_free",
        "parking",
        "adjustable_table",
    ]


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    filter_horizontal = ["admins"]
    inlines = [LocationInline]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "clinic", "address", "latitude", "longitude"]
    list_select_related = ["clinic"]
    search_fields = ["name", "address", "clinic__name"]
    autocomplete_fields = ["clinic"]


class TherapistLocationInline(admin.TabularInline):
    model = TherapistLocation
    extra = 0
    autocomplete_fields = ["location"]


class SessionTypeInline(admin.TabularInline):
    model = SessionType
    extra = 0


@admin.register(TherapistProfile)
class TherapistProfileAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "years_sciatica",
        "licence_verified_on",
        "licence_expires_on",
        "review_count",
    ]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["clinics"]
    readonly_fields = ["licence_verified_on", "licence_expires_on", "review_count", "review_mean"]
    inlines = [TherapistLocationInline, SessionTypeInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Credential)
class CredentialAdmin(ReadOnlyAdmin):
    list_display = [
        "therapist",
        "kind",
        "number",
        "status",
        "expires_on",
        "checked_by",
        "checked_at",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["therapist__user", "checked_by"]
    exclude = ["document"]  # opened through the access-checked download, never a storage URL


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["therapist", "rating", "created_at", "hidden_at", "hidden_by"]
    list_filter = ["rating"]
    list_select_related = ["therapist__user", "hidden_by"]
