"""Reads about accounts shared by views, the API and middleware."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db.models import QuerySet

from sciaticare.accounts.models import ApiToken, User


def needs_mfa_enrollment(user: User) -> bool:
    """True when this person holds a staff role but has not set up two-factor authentication.

    Such a person may manage their account but sees no patient data until they enrol.
    """
    if not settings.STAFF_MFA_REQUIRED or not user.has_staff_role:
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def api_tokens_for(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)
