"""Reads about accounts shared by views, the API and middleware."""

from datetime import date, datetime
from enum import StrEnum

from allauth.account.authentication import get_authentication_records
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from sciaticare.accounts.models import ApiToken, User, site_time_zone
from sciaticare.core.time import day_bounds, is_time_zone, local_day, local_time


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


def language_of_address(email: str) -> str | None:
    """The language kept on the account that `email` belongs to (its sign-in address or one it
    added), or None when no account has it: mail to that address is written in it."""
    kept = (
        EmailAddress.objects.filter(email__iexact=email)
        .values_list("user__language", flat=True)
        .first()
    )
    return (
        kept or User.objects.filter(email__iexact=email).values_list("language", flat=True).first()
    )


def api_tokens_for(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


# --- The person's own day (docs/architecture.md, "The person's own day") ----------------------
# The one rule for "what day is it for this person": the date their own zone's clock shows.
# Every "today" that means a person's day (the diary, nudges, the dashboard, the charts) asks
# here, with the instant it is about (`now`, the clock by default) so that callers and tests
# can pin it.


def zone_name(user: User) -> str:
    """The person's IANA zone; the site's if the stored one is somehow not a zone."""
    zone = user.time_zone
    return zone if is_time_zone(zone) else site_time_zone()


def local_now(user: User, now: datetime | None = None) -> datetime:
    """The person's wall-clock time at `now` (the clock by default)."""
    return local_time(now or timezone.now(), zone_name(user))


def today_for(user: User, now: datetime | None = None) -> date:
    """The person's date at `now`: their "today"."""
    return local_day(now or timezone.now(), zone_name(user))


def today_for_id(user_id: int, now: datetime | None = None) -> date:
    """`today_for` when only the person's id is at hand (one query)."""
    zone = User.objects.filter(pk=user_id).values_list("time_zone", flat=True).first()
    return local_day(
        now or timezone.now(),
        zone if isinstance(zone, str) and is_time_zone(zone) else site_time_zone(),
    )


def day_of(user: User, moment: datetime) -> date:
    """The person's date at an instant in the past or future: the day a session or an answer
    falls on for them (naive instants, as SQLite's driver gives them, are UTC)."""
    return local_day(moment, zone_name(user))


def day_span(user: User, day: date) -> tuple[datetime, datetime]:
    """When one of the person's days starts and ends, [start, end) in UTC."""
    return day_bounds(day, zone_name(user))
