"""Reads about accounts shared by views, the API and middleware."""

from enum import StrEnum

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest

from sciaticare.accounts.models import ApiToken, User


class TwoFactorStep(StrEnum):
    """What a staff member still owes before they see patient data."""

    ENROL = "enrol"  # no authenticator yet: set one up
    ENTER_CODE = "enter_code"  # an authenticator, but this session has not passed it


def _must_use_two_factor(user: User) -> bool:
    # `is_staff` too: anyone the Django admin lets in is held to the staff rule.
    return bool(settings.STAFF_MFA_REQUIRED) and (user.has_staff_role or user.is_staff)


def needs_mfa_enrollment(user: User) -> bool:
    """True when this person holds a staff role but has not set up two-factor authentication.

    Such a person may manage their account but sees no patient data until they enrol.
    """
    if not _must_use_two_factor(user):
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def _passed_ids(request: HttpRequest, user: User) -> set[object]:
    """The authenticators this session's sign-in took a code from.

    allauth writes each step of a sign-in into the session (`get_authentication_records`); a
    password alone (the Django admin's old login, for one) leaves no "mfa" record.
    """
    return {
        record.get("id")
        for record in get_authentication_records(request, user)
        if record.get("method") == "mfa"
    }


def two_factor_step_due(*, request: HttpRequest, user: User) -> TwoFactorStep | None:
    """The two-factor step this signed-in session must pass before any patient data, if any."""
    if not _must_use_two_factor(user):
        return None
    # One query, as the enrolment check alone took: this runs on every staff request.
    devices = dict(Authenticator.objects.filter(user=user).values_list("pk", "type"))
    if Authenticator.Type.TOTP not in devices.values():
        return TwoFactorStep.ENROL
    # The code must come from a device the user still has: a removed one does not count.
    if not _passed_ids(request, user) & set(devices):
        return TwoFactorStep.ENTER_CODE
    return None


def api_tokens_for(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)
