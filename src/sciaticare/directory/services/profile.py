"""A therapist's directory entry: the profile, its places and session types."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext

from sciaticare.accounts.models import Role, User
from sciaticare.core.errors import Conflict, Invalid, NotFound
from sciaticare.directory import search_table
from sciaticare.directory.models import (
    Location,
    SessionType,
    TherapistLocation,
    TherapistProfile,
)
from sciaticare.directory.ranking import MODALITIES
from sciaticare.directory.services.checks import NotAllowed, full_clean, may_edit


def ensure_profile(*, therapist: User) -> TherapistProfile:
    """The therapist's directory profile, made empty (and so unlisted) the first time."""
    if not therapist.has_role(Role.THERAPIST):
        raise NotAllowed(
            "not_a_therapist", gettext("Only massage therapists have a directory profile.")
        )
    profile, _ = TherapistProfile.objects.get_or_create(user=therapist)
    return profile


@dataclass(frozen=True, kw_only=True)
class ProfileChanges:
    """What a therapist (or their clinic admin) may change on a profile."""

    bio: str
    modalities: frozenset[str]
    years_experience: int
    years_sciatica: int
    languages: Sequence[str]
    accepting_new_patients: bool
    is_mobile: bool
    service_radius_km: int | None
    base_latitude: float | None
    base_longitude: float | None
    location_ids: Iterable[int]


def update_profile(
    *, actor: User, profile: TherapistProfile, changes: ProfileChanges
) -> TherapistProfile:
    """Change a profile: by the therapist, or an admin of one of their clinics."""
    if not may_edit(actor, profile):
        raise NotFound("therapist profile")
    unknown = changes.modalities - MODALITIES.keys()
    if unknown:
        raise Invalid(
            "unknown_modality",
            gettext("Unknown modality."),
            [("modalities", gettext("Unknown: %(codes)s") % {"codes": ", ".join(sorted(unknown))})],
        )
    languages = sorted({code.strip().lower() for code in changes.languages if code.strip()})
    bad = [code for code in languages if not (len(code) == 2 and code.isalpha())]
    if bad:
        raise Invalid(
            "invalid_language",
            gettext("Languages are two-letter ISO 639-1 codes, e.g. en, pl."),
            [
                (
                    "languages",
                    gettext("Not a two-letter code: %(codes)s") % {"codes": ", ".join(bad)},
                )
            ],
        )
    with transaction.atomic():
        profile = TherapistProfile.objects.select_for_update().get(pk=profile.pk)
        profile.bio = changes.bio.strip()
        for code in MODALITIES:
            setattr(profile, f"offers_{code}", code in changes.modalities)
        profile.years_experience = changes.years_experience
        profile.years_sciatica = changes.years_sciatica
        profile.languages = languages
        profile.accepting_new_patients = changes.accepting_new_patients
        profile.is_mobile = changes.is_mobile
        profile.service_radius_km = changes.service_radius_km
        profile.base_latitude = changes.base_latitude
        profile.base_longitude = changes.base_longitude
        profile.updated_at = timezone.now()
        full_clean(profile, exclude=["user"])
        profile.save()

        wanted = set(changes.location_ids)
        allowed = set(
            Location.objects.filter(clinic__therapists=profile, pk__in=wanted).values_list(
                "pk", flat=True
            )
        )
        if wanted - allowed:
            raise Invalid(
                "location_not_at_clinic",
                gettext("A therapist can only work at their own clinics' locations."),
                [("locations", gettext("Choose among your clinics' locations."))],
            )
        TherapistLocation.objects.filter(therapist=profile).exclude(location__in=wanted).delete()
        have = set(
            TherapistLocation.objects.filter(therapist=profile).values_list(
                "location_id", flat=True
            )
        )
        TherapistLocation.objects.bulk_create(
            TherapistLocation(therapist=profile, location_id=pk) for pk in sorted(wanted - have)
        )
        search_table.refresh(profile_ids=[profile.pk])
    return profile


def add_session_type(
    *,
    actor: User,
    profile: TherapistProfile,
    name: str,
    minutes: int,
    price: Decimal,
    currency: str,
    is_standard: bool,
) -> SessionType:
    """Offer a kind of session; the first one, or one marked standard, becomes the standard."""
    if not may_edit(actor, profile):
        raise NotFound("therapist profile")
    with transaction.atomic():
        TherapistProfile.objects.select_for_update().get(pk=profile.pk)
        first = not SessionType.objects.filter(therapist=profile).exists()
        session = SessionType(
            therapist=profile,
            name=name.strip(),
            minutes=minutes,
            price=price,
            currency=currency.strip().upper(),
            is_standard=False,
        )
        full_clean(session, exclude=["therapist"])
        session.save()
        if is_standard or first:
            _make_standard(profile, session)
        search_table.refresh(profile_ids=[profile.pk])
    return session


def _make_standard(profile: TherapistProfile, session: SessionType) -> None:
    SessionType.objects.filter(therapist=profile, is_standard=True).exclude(pk=session.pk).update(
        is_standard=False
    )
    SessionType.objects.filter(pk=session.pk).update(is_standard=True)
    session.is_standard = True


def set_standard_session(*, actor: User, session: SessionType) -> SessionType:
    if not may_edit(actor, session.therapist):
        raise NotFound("session type")
    with transaction.atomic():
        TherapistProfile.objects.select_for_update().get(pk=session.therapist_id)
        _make_standard(session.therapist, session)
        search_table.refresh(profile_ids=[session.therapist_id])
    return session


def remove_session_type(*, actor: User, session: SessionType) -> None:
    """Stop offering a session; if it was the standard one, the shortest left takes over."""
    profile = session.therapist
    if not may_edit(actor, profile):
        raise NotFound("session type")
    with transaction.atomic():
        TherapistProfile.objects.select_for_update().get(pk=profile.pk)
        was_standard = session.is_standard
        try:
            with transaction.atomic():
                session.delete()
        except ProtectedError:
            # Booked or past appointments keep their session type (their record), so it stays.
            raise Conflict(
                "session_in_use",
                gettext("This session has appointments, so it cannot be removed."),
            ) from None
        if was_standard:
            successor = SessionType.objects.filter(therapist=profile).order_by("minutes").first()
            if successor is not None:
                _make_standard(profile, successor)
        search_table.refresh(profile_ids=[profile.pk])
