"""Accounts for patients a clinic brings from another system (integrations' import): made
without a password and without mail; the person claims theirs with "Forgot your password?"."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils.translation import gettext_noop

from sciaticare.accounts.models import User
from sciaticare.accounts.phones import NotAMobileNumber, region_of_zone, to_e164
from sciaticare.core.errors import Invalid, Refused


def find_person(*, email: str) -> User | None:
    """The account with this email, compared without case."""
    return User.objects.filter(email__iexact=email.strip()).first()


def is_staff_account(user: User) -> bool:
    """A therapist's, clinic admin's or site admin's account (or Django staff): never a
    patient an import links to."""
    return user.has_staff_role or user.is_staff or user.is_superuser


def staff_refusal() -> Refused:
    return Refused.saying(
        "staff_account",
        gettext_noop("This email belongs to a staff account: it is not imported as a patient."),
    )


def imported_phone(*, phone: str, time_zone: str) -> str:
    """Another system's phone number as we keep a mobile (E.164, read in the country of the
    clinic's zone when written without a country code); "" for none. Invalid says why it
    cannot be kept: a landline, or not a number (the patient is imported without it)."""
    if not phone.strip():
        return ""
    try:
        return to_e164(phone, region_of_zone(time_zone))
    except NotAMobileNumber as exc:
        if exc.reason == "landline":
            message = gettext_noop(
                "%(phone)s is a landline: the patient is imported without it (texts need a mobile)."
            )
        else:
            message = gettext_noop(
                "%(phone)s is not a mobile number we can read: the patient is imported without it."
            )
        raise Invalid.saying("invalid_phone", message, {"phone": phone.strip()[:40]}) from exc


def import_patient(
    *, email: str, first_name: str, last_name: str, time_zone: str, phone: str = ""
) -> tuple[User, bool]:
    """The patient with this email: the existing account, unchanged (no role is ever added:
    the caller has checked that it is already the clinic's patient; a staff account is
    Refused), or a new one without a usable password,
    with the mobile number when the file gave one we can keep (`imported_phone`; no text goes
    to it until the person chooses texts). No mail is sent. True when it was made."""
    with transaction.atomic():
        existing = find_person(email=email)
        if existing is not None:
            if is_staff_account(existing):
                raise staff_refusal()
            return existing, False
        user = User.objects.create_user(
            email.strip().lower(),
            None,
            first_name=first_name,
            last_name=last_name,
            is_patient=True,
            time_zone=time_zone,
            phone=phone,
        )
        user.full_clean(exclude=["password"])
        # Not verified: the password-reset mail proves the address when the person claims it.
        EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
        return user, True
