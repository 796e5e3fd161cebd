"""Accounts for patients a clinic brings from another system (integrations' import): made
without a password and without mail; the person claims theirs with "Forgot your password?"."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction

from sciaticare.accounts.models import Role, User


def find_person(*, email: str) -> User | None:
    """The account with this email, compared without case."""
    return User.objects.filter(email__iexact=email.strip()).first()


def import_patient(
    *, email: str, first_name: str, last_name: str, time_zone: str
) -> tuple[User, bool]:
    """The patient with this email: the existing account (given the patient role; its names
    are left as the person wrote them), or a new one without a usable password. No mail is
    sent. True when it was made."""
    with transaction.atomic():
        existing = find_person(email=email)
        if existing is not None:
            if not existing.has_role(Role.PATIENT):
                existing.is_patient = True
                existing.save(update_fields=["is_patient"])
            return existing, False
        user = User.objects.create_user(
            email.strip().lower(),
            None,
            first_name=first_name,
            last_name=last_name,
            is_patient=True,
            time_zone=time_zone,
        )
        user.full_clean(exclude=["password"])
        # Not verified: the password-reset mail proves the address when the person claims it.
        EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
        return user, True
