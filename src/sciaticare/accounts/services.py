"""Every write to accounts: roles, API tokens, and closing an account (the privacy app decides
when: docs/privacy.md)."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from allauth.account.internal.flows.login import record_authentication
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sciaticare.accounts.models import ApiToken, Role, User, site_time_zone
from sciaticare.accounts.phones import NotAMobileNumber, region_of_zone, to_e164
from sciaticare.core.errors import Conflict, Invalid
from sciaticare.core.sql import columns, instances, table
from sciaticare.core.time import is_time_zone, parse_utc

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "sct_"  # noqa: S105 - a public marker, not a secret


class TokenNotFound(Exception):
    """No such active token belongs to this user."""


def _digest(raw: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough; a slow one would only cost time.
    return hashlib.sha256(raw.encode()).hexdigest()


def grant_role(*, user: User, role: Role) -> None:
    """Give a person a role on top of the ones they hold."""
    field = {
        Role.PATIENT: "is_patient",
        Role.THERAPIST: "is_therapist",
        Role.CLINIC_ADMIN: "is_clinic_admin",
        Role.SITE_ADMIN: "is_superuser",
    }[role]
    setattr(user, field, True)
    update = [field]
    if role is Role.SITE_ADMIN:
        user.is_staff = True  # site admins use the Django admin
        update.append("is_staff")
    user.save(update_fields=update)


def complete_sign_up(
    *,
    user: User,
    first_name: str,
    last_name: str,
    is_therapist: bool,
    time_zone: str = "",
    language: str = "",
) -> None:
    """What the sign-up form adds once allauth has made the account: the name, the browser's
    time zone (the site's when the browser sent none, or none we know), the language the page
    was read in, and the therapist role if the person asked for it."""
    user.first_name = first_name
    user.last_name = last_name
    user.time_zone = time_zone if is_time_zone(time_zone) else site_time_zone()
    user.language = language if is_language(language) else settings.LANGUAGE_CODE
    user.save(update_fields=["first_name", "last_name", "time_zone", "language"])
    if is_therapist:
        grant_role(user=user, role=Role.THERAPIST)


def set_time_zone(*, user: User, time_zone: object) -> User:
    """Change the person's zone. Past diary days keep the days they were logged on: a day is
    stored as a date, never recomputed from an instant. Invalid names the field."""
    if not is_time_zone(time_zone):
        raise Invalid(
            "invalid_time_zone",
            _("That is not a time zone we know."),
            [("time_zone", _("use an IANA time zone name, such as Europe/London"))],
        )
    assert isinstance(time_zone, str)
    if user.time_zone != time_zone:
        user.time_zone = time_zone
        user.save(update_fields=["time_zone"])
    return user


def is_language(code: object) -> bool:
    return isinstance(code, str) and code in dict(settings.LANGUAGES)


def set_language(*, user: User, language: object) -> User:
    """Keep the language the person reads the site and their messages in."""
    if not is_language(language):
        raise Invalid(
            "invalid_language",
            _("That is not a language the site is written in."),
            [("language", ", ".join(code for code, _name in settings.LANGUAGES))],
        )
    assert isinstance(language, str)
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


def phone_region(user: User) -> str | None:
    """The country a number typed without its country code is read in: that of the person's
    time zone (None for zones of no one country, such as UTC)."""
    return region_of_zone(user.time_zone)


def normalise_phone(*, user: User, phone: str) -> str:
    """The typed mobile number in E.164 ("" for none). Invalid names the field and says what
    was wrong: no country code where the zone gives no country, not a number, a landline."""
    return phone_in_zone(phone=phone, time_zone=user.time_zone)


def phone_in_zone(*, phone: str, time_zone: str) -> str:
    """`normalise_phone` for a person whose zone is `time_zone` (one with no account yet)."""
    if not phone.strip():
        return ""
    try:
        return to_e164(phone, region_of_zone(time_zone))
    except NotAMobileNumber as exc:
        messages = {
            "no_country": _("Start the number with + and its country code, e.g. +44 7400 123456."),
            "invalid": _(
                "That is not a mobile number we can text: check the digits, or start with + "
                "and the country code."
            ),
            "landline": _("That is a landline: text reminders need a mobile number."),
        }
        message = messages[exc.reason]
        raise Invalid("invalid_phone", message, [("phone", message)]) from exc


def set_phone(*, user: User, phone: str) -> User:
    """Keep the person's mobile number (typed in any format) in E.164, or remove it with ""."""
    value = normalise_phone(user=user, phone=phone)
    if user.phone != value:
        user.phone = value
        user.save(update_fields=["phone"])
    return user


@dataclass(frozen=True)
class NewPatientAccount:
    """A patient's account checked and ready to be made (booking first): the password is kept
    only as its hash, the phone in E.164, the zone one we know."""

    email: str
    password_hash: str
    first_name: str
    last_name: str
    phone: str
    time_zone: str
    language: str


EMAIL_TAKEN = "email_taken"


def check_new_patient_account(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    phone: str,
    time_zone: str = "",
    language: str = "",
    place_time_zone: str = "",
) -> NewPatientAccount:
    """What a new patient typed to book first, checked as sign-up checks it: the password
    rules, a mobile number (required: reminders of the session go to it too), the browser's
    zone (the site's when unknown; the place booked's, `place_time_zone`, when the browser's
    names no country). A number without its country code is read in the zone's country: a
    browser set to UTC made "07911 123456" for a clinic in England a refusal, and the account
    kept UTC (both found by an outside test). Writes nothing, so the hashing happens before
    the booking's transaction. Invalid names each field; Conflict `email_taken` when an
    account has the address (booking first cannot keep that secret: the person must sign in
    instead)."""
    email = User.objects.normalize_email(email.strip()).lower()
    zone = time_zone if is_time_zone(time_zone) else site_time_zone()
    if region_of_zone(zone) is None and place_time_zone:
        # A browser on a zone of no country (UTC, as privacy modes report) says nothing of
        # where the person lives; the place they book at does: their days, reminder times and
        # the country a number without its code is read in are that place's.
        zone = place_time_zone
    errors: list[tuple[str, str]] = []
    try:
        validate_password(
            password, user=User(email=email, first_name=first_name, last_name=last_name)
        )
    except ValidationError as exc:
        errors += [("password", message) for message in exc.messages]
    e164 = ""
    if not phone.strip():
        errors.append(("phone", _("Enter your mobile number.")))
    else:
        try:
            e164 = phone_in_zone(phone=phone, time_zone=zone)
        except Invalid as exc:
            errors += exc.errors
    if errors:
        raise Invalid("invalid_account", _("Please check the details marked."), errors)
    if email_taken(email):
        raise _email_taken()
    return NewPatientAccount(
        email=email,
        password_hash=make_password(password),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        phone=e164,
        time_zone=zone,
        language=language if is_language(language) else settings.LANGUAGE_CODE,
    )


def email_taken(email: str) -> bool:
    """Whether an account has this address, as its login or as another of its addresses."""
    return (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    )


def _email_taken() -> Conflict:
    return Conflict(
        EMAIL_TAKEN,
        _(
            "An account already uses this email address. Sign in to book (your symptom check "
            "is kept in this browser for two hours), or use another address."
        ),
        [("email", _("An account already uses this email address."))],
    )


def create_patient_account(*, account: NewPatientAccount) -> User:
    """Make the patient's account and its email address, not yet verified (the person is sent
    the link once the booking is made), inside the caller's transaction. Conflict
    `email_taken` when the address was taken since it was checked."""
    try:
        with transaction.atomic():
            user = User(
                email=account.email,
                password=account.password_hash,
                first_name=account.first_name,
                last_name=account.last_name,
                phone=account.phone,
                time_zone=account.time_zone,
                language=account.language,
                is_patient=True,
            )
            user.save(force_insert=True)
            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    except IntegrityError:  # the same address, signed up at the same moment
        raise _email_taken() from None
    return user


def sign_in_new_patient(*, request: HttpRequest, user: User) -> None:
    """Sign in the account booking first has just made, for this visit (they typed its
    password a moment ago), and mail the link that verifies its address, as after sign-up: the
    next sign-in waits for it (ACCOUNT_EMAIL_VERIFICATION). Call once the booking is committed."""
    login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
    record_authentication(request, user, "password", email=user.email)
    address = EmailAddress.objects.filter(user=user, primary=True, verified=False).first()
    if address is not None:
        address.send_confirmation(request, signup=True)


def token_lifetime() -> timedelta:
    return timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)


def create_api_token(
    *, user: User, name: str, lifetime: timedelta | None = None, now: datetime | None = None
) -> tuple[ApiToken, str]:
    """Make a token that works for `lifetime` (by default settings.API_TOKEN_LIFETIME_DAYS); the
    raw value is returned once and never stored. The caller has asked for the password again
    (the account page) or is an operator at the server (`manage.py create_api_token`)."""
    now = now or timezone.now()
    lifetime = lifetime or token_lifetime()
    if lifetime <= timedelta(0):
        raise ValueError("A token's lifetime is a positive duration.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip() or _("API token"),
        prefix=raw[:12],
        digest=_digest(raw),
        created_at=now,
        expires_at=now + lifetime,
    )
    return token, raw


def revoke_api_token(*, user: User, token_id: int) -> ApiToken:
    with transaction.atomic():
        token = (
            ApiToken.objects.select_for_update()
            .filter(user=user, pk=token_id, revoked_at__isnull=True)
            .first()
        )
        if token is None:
            raise TokenNotFound(token_id)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        return token


def revoke_all_api_tokens(*, user: User, reason: str) -> int:
    """Revoke every token of the account still in force; returns how many. Called when the
    password is changed, reset or set (accounts/signals.py, the admin) and when the person asks
    to delete the account: a token must not outlive the proof of identity it was made with."""
    now = timezone.now()
    revoked = ApiToken.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=now
    ).update(revoked_at=now)
    if revoked:
        logger.info("revoked %s API token(s) of user %s: %s", revoked, user.pk, reason)
    return revoked


# Plain SQL: every call a program makes asks this, and compiling the ORM's join of the token
# to its user cost more than the database takes to answer (docs/benchmarks.md).
_TOKEN_USER_SQL = f"""
SELECT {columns(User, "u")}, t.id, CAST(t.last_used_at AS TEXT)
  FROM {table(User)} u JOIN {table(ApiToken)} t ON t.user_id = u.id
 WHERE t.digest = %s AND t.revoked_at IS NULL AND t.expires_at > %s AND u.is_active
"""  # noqa: S608 - table names from the models; values go as parameters


def authenticate_api_token(raw: str) -> User | None:
    """The active user a bearer token in force belongs to, or None (unknown, revoked, expired);
    records when it was last used."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    at = connection.ops.adapt_datetimefield_value(now)
    found = instances(_TOKEN_USER_SQL, [_digest(raw), at], (User,))
    if not found:
        return None
    user, token_id, last_used = found[0]  # last_used: text on both databases
    # One write a minute at most: a busy script must not turn every read into a write.
    if last_used is None or (now - parse_utc(last_used)).total_seconds() > 60:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return cast(User, user)


def close_account(*, user: User) -> None:
    """Erase the account's sign-in (API tokens, email addresses, two-factor devices) and its
    mobile number, and keep the row under a name only: kept records point at it, the address is
    freed for a new account, no mail or text can reach the old one and nobody can sign in. Caller: the privacy app's
    erasure, inside its transaction."""
    ApiToken.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.email = f"deleted-{user.pk}@deleted.invalid"
    user.phone = ""
    user.set_unusable_password()
    user.is_active = False
    user.save(update_fields=["email", "phone", "password", "is_active"])
