from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sciaticare.accounts.models import ApiToken, User
from sciaticare.accounts.services import revoke_all_api_tokens


class PasswordChangeRevokingTokensForm(AdminPasswordChangeForm):
    """A password a site admin sets ends the account's API tokens, as the person's own change
    or reset does (accounts/signals.py)."""

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=commit)
        if commit:
            revoke_all_api_tokens(user=user, reason="password set by a site admin")
        return user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    change_password_form = PasswordChangeRevokingTokensForm
    ordering = ("email",)
    list_display = (
        "email",
        "first_name",
        "last_name",
        "is_patient",
        "is_therapist",
        "is_clinic_admin",
        "is_superuser",
    )
    list_filter = ("is_patient", "is_therapist", "is_clinic_admin", "is_superuser", "is_active")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Name"), {"fields": ("first_name", "last_name")}),
        (
            _("Roles"),
            {
                "fields": (
                    "is_patient",
                    "is_therapist",
                    "is_clinic_admin",
                    "is_superuser",
                    "is_staff",
                    "is_active",
                )
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "digest",
        "created_at",
        "expires_at",
        "last_used_at",
    )

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # tokens are made by their owner, shown once
