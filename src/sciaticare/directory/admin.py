"""The Django admin for site admins: clinics, their locations and admins, and who works where.

Credentials, reviews and flare-up plans are not edited here: verification, hiding and plans go
through their services (and pages), which record who did what and keep the search columns right.
What is edited here (locations, who works where, profiles, sessions) refreshes the search table
of the therapists it touches, in the same transaction as the save.
"""

from typing import Any

from django.contrib import admin
from django.db.models import Q
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from sciaticare.directory import search_table
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

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: list[BaseInlineFormSet], change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        _refresh_working_at(Q(location__clinic=form.instance))


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "clinic", "address", "latitude", "longitude"]
    list_select_related = ["clinic"]
    search_fields = ["name", "address", "clinic__name"]
    autocomplete_fields = ["clinic"]

    def save_model(
        self, request: HttpRequest, obj: Location, form: ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        _refresh_working_at(Q(location=obj))


def _refresh_working_at(where: Q) -> None:
    """Refresh the search rows of the therapists who work at the locations ``where`` picks."""
    ids = TherapistLocation.objects.filter(where).values_list("therapist_id", flat=True)
    search_table.refresh(profile_ids=set(ids))


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

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: list[BaseInlineFormSet], change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        search_table.refresh(profile_ids=[form.instance.pk])


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
    exclude = ["document"]  # the bytes open only through the access-checked download


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["therapist", "rating", "created_at", "hidden_at", "hidden_by"]
    list_filter = ["rating"]
    list_select_related = ["therapist__user", "hidden_by"]
