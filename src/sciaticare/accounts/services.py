"""Every write to accounts: roles, API tokens, and deleting an account after a cooling-off
period (docs/privacy.md)."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from typing import Final

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from sciaticare.accounts.models import ApiToken, DeletionRequest, Role, User
from sciaticare.audit.services import record_event
from sciaticare.directory.models import FlareUpPlanEntry, Review
from sciaticare.directory.services.reviews import refresh_review_figures
from sciaticare.errors import NotFound, Refused
from sciaticare.intake.models import IntakeShare
from sciaticare.interop.models import DataExport, ExternalResource
from sciaticare.outcomes.models import DiaryPreference, PainEntry, ProgressReport
from sciaticare.scheduling.models import (
    Appointment,
    AppointmentStatus,
    CalendarFeed,
    SlotOffer,
    WaitlistEntry,
)
from sciaticare.scheduling.services import booking, waitlist

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
        name=name.strip() or "API token",
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


def authenticate_api_token(raw: str) -> User | None:
    """The active user a bearer token in force belongs to, or None (unknown, revoked, expired);
    records when it was last used."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(
            digest=_digest(raw),
            revoked_at__isnull=True,
            expires_at__gt=now,
            user__is_active=True,
        )
        .first()
    )
    if token is None:
        return None
    # One write a minute at most: a busy script must not turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- Account deletion ------------------------------------------------------------------------

#: Time to change one's mind before a deletion is carried out (docs/privacy.md).
COOLING_OFF: Final = timedelta(days=14)
#: Years clinical records are kept after the last session: the NHS England Records Management
#: Code of Practice 2021 (updated 2023) keeps most adult health records 8 years after the end of
#: treatment. It binds the NHS in England and its contractors; other clinics follow their own
#: law (docs/privacy.md says so plainly).
RETENTION_YEARS: Final = 8
RETENTION_NOTE: Final = (
    "If you delete your account, your clinical records (intakes, questionnaire scores, "
    "appointments and signed session notes, and the log of who opened them) are kept for "
    f"{RETENTION_YEARS} years after your last session, as health records must be, and then "
    "destroyed; everything else is erased. The rule and its source are on the Your data page."
)

#: What deleting an account does to each kind of data: the page shows this table and a test
#: checks that every table holding a person's data is in one of the two lists.
ERASED: Final = {
    "accounts.apitoken": "API tokens",
    "outcomes.painentry": "pain diary",
    "outcomes.diarypreference": "diary reminder setting",
    "outcomes.progressreport": "progress reports (PDF)",
    "interop.dataexport": "downloaded archives",
    "interop.externalresource": "history imported from another service",
    "scheduling.calendarfeed": "calendar feed link",
    "scheduling.waitlistentry": "waitlist places and offers",
    "directory.flareupplanentry": "flare-up plan",
    "directory.review": "reviews you wrote",
    "account.emailaddress": "email address and sign-in",
    "mfa.authenticator": "two-factor devices",
}
KEPT: Final = {
    "intake.episode": "episodes of sciatica",
    "intake.intake": "intakes (symptoms, red flags, triage)",
    "intake.intakeshare": "consents to read your intake (all revoked)",
    "intake.redflagrecheck": "red-flag questions answered again before booking",
    "intake.questionnaireresponse": "questionnaire scores",
    "scheduling.appointment": "appointments (upcoming ones are cancelled)",
    "scheduling.appointmentchange": "appointment history",
    "records.sessionnote": "session notes",
    "records.amendment": "amendments to session notes",
    "audit.auditevent": "the log of who opened or changed your records",
    "accounts.user": "your name, to identify the kept records (not your email or password)",
    "accounts.deletionrequest": "when you asked for the deletion and when it was done",
}


class DeletionRefused(Refused):
    pass


def _deletion_mail(user: User, subject: str, body: str) -> None:
    # No clinical detail in mail (docs/security.md).
    send_mail(f"[Sciaticare] {subject}", body, None, [user.email])


def pending_deletion(*, user: User) -> DeletionRequest | None:
    return DeletionRequest.objects.filter(
        user=user, cancelled_at__isnull=True, carried_out_at__isnull=True
    ).first()


def request_deletion(*, user: User, now: datetime | None = None) -> DeletionRequest:
    """Ask to delete a patient account; it is carried out after ``COOLING_OFF`` unless
    cancelled. The caller has re-authenticated and confirmed. Staff accounts (therapist, clinic
    admin, site admin) are refused: their names sign clinical records and run clinics, so a
    site admin deactivates them (docs/privacy.md). Asking twice returns the pending request."""
    if user.has_staff_role:
        raise DeletionRefused(
            "staff_deletion_by_site_admin",
            "Accounts of therapists and clinic admins are closed by a site admin: ask them.",
        )
    existing = pending_deletion(user=user)
    if existing is not None:
        return existing
    now = now or timezone.now()
    try:
        with transaction.atomic():
            found = DeletionRequest.objects.create(
                user=user, requested_at=now, due_at=now + COOLING_OFF
            )
            # Programs stop acting for the account now, not at the end of the cooling-off.
            revoke_all_api_tokens(user=user, reason="account deletion requested")
            record_event(actor=user, action="account.delete.request", patient=user, obj=found)
    except IntegrityError:  # a concurrent request won (one open request per account)
        existing = pending_deletion(user=user)
        assert existing is not None
        return existing
    link = settings.SITE_URL + reverse("interop:your_data")
    _deletion_mail(
        user,
        "Your account will be deleted",
        f"Hello {user.first_name or 'there'},\n\n"
        f"You asked us to delete your Sciaticare account. We will do it on "
        f"{timezone.localtime(found.due_at):%d %B %Y}. Until then you can sign in and cancel: "
        f"{link}\n\n"
        "If you did not ask for this, sign in, cancel, and change your password.\n",
    )
    return found


def cancel_deletion(*, user: User) -> DeletionRequest:
    """Cancel the account's pending deletion; NotFound when none is pending."""
    with transaction.atomic():
        found = (
            DeletionRequest.objects.select_for_update()
            .filter(user=user, cancelled_at__isnull=True, carried_out_at__isnull=True)
            .first()
        )
        if found is None:
            raise NotFound("deletion request")
        found.cancelled_at = timezone.now()
        found.save(update_fields=["cancelled_at"])
        record_event(actor=user, action="account.delete.cancel", patient=user, obj=found)
    _deletion_mail(
        user,
        "Your account will not be deleted",
        f"Hello {user.first_name or 'there'},\n\nYou cancelled the deletion of your Sciaticare "
        "account. Nothing has been erased.\n",
    )
    return found


def _cancel_upcoming(user: User, now: datetime) -> None:
    """Cancel booked sessions still to come (the therapist is told, the slot freed) and give
    back slots held for the person's waitlist offers."""
    for appointment_id in Appointment.objects.filter(
        patient=user, status=AppointmentStatus.BOOKED, start__gt=now
    ).values_list("pk", flat=True):
        booking.cancel_appointment(
            user=user, appointment_id=appointment_id, reason="account deleted", now=now
        )
    for offer_id in SlotOffer.objects.filter(
        entry__patient=user, accepted_at__isnull=True, appointment__status=AppointmentStatus.HELD
    ).values_list("pk", flat=True):
        waitlist.decline_offer(patient=user, offer_id=offer_id)


def erase_account(*, user: User, now: datetime | None = None) -> None:
    """Deactivate the account and erase the personal data not kept as clinical records (the
    ``ERASED`` table); the ``KEPT`` rows stay, attributable to the person by name only.

    The caller guarantees the deletion is due (or ordered by a site admin). One transaction:
    a failure erases nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        _cancel_upcoming(user, now)
        ApiToken.objects.filter(user=user).delete()
        PainEntry.objects.filter(patient=user).delete()
        DiaryPreference.objects.filter(patient=user).delete()
        ProgressReport.objects.filter(patient=user).delete()
        DataExport.objects.filter(patient=user).delete()
        ExternalResource.objects.filter(patient=user).delete()
        CalendarFeed.objects.filter(owner=user).delete()
        WaitlistEntry.objects.filter(patient=user).delete()
        FlareUpPlanEntry.objects.filter(patient=user).delete()
        reviewed = set(Review.objects.filter(patient=user).values_list("therapist_id", flat=True))
        Review.objects.filter(patient=user).delete()
        for profile_id in reviewed:
            refresh_review_figures(profile_id=profile_id)
        IntakeShare.objects.filter(patient=user, revoked_at__isnull=True).update(revoked_at=now)
        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        # The row stays (kept records point at it) under a name only: the address is freed for
        # a new account and no mail can reach the old one; nobody can sign in.
        user.email = f"deleted-{user.pk}@deleted.invalid"
        user.set_unusable_password()
        user.is_active = False
        user.save(update_fields=["email", "password", "is_active"])
        record_event(actor=None, action="account.delete.done", patient=user)


def carry_out_due_deletions(*, now: datetime | None = None) -> int:
    """Erase every account whose cooling-off has ended and was not cancelled; returns how many.
    Run daily (``manage.py carry_out_deletions``). Each account is its own transaction, so one
    failure does not hold back the others."""
    now = now or timezone.now()
    done = 0
    for request_id in DeletionRequest.objects.filter(
        cancelled_at__isnull=True, carried_out_at__isnull=True, due_at__lte=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            found = (
                DeletionRequest.objects.select_for_update()
                .select_related("user")
                .filter(pk=request_id, cancelled_at__isnull=True, carried_out_at__isnull=True)
                .first()
            )
            if found is None:
                continue  # cancelled meanwhile
            if found.user.has_staff_role:
                # Became staff during the cooling-off: a site admin decides (docs/privacy.md).
                logger.warning("deletion %s left open: the account holds a staff role", found.pk)
                continue
            erase_account(user=found.user, now=now)
            found.carried_out_at = now
            found.save(update_fields=["carried_out_at"])
            done += 1
    return done
