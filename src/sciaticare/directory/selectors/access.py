"""Who may see or run what in the directory: fetch-and-check selectors that answer NotFound
alike for missing and forbidden, and the clinics a person runs or works for."""

from __future__ import annotations

from django.db.models import QuerySet

from sciaticare.accounts.models import Role, User
from sciaticare.core.errors import NotFound
from sciaticare.directory.models import Clinic, Credential, Location, TherapistProfile


def administers(user: User, profile: TherapistProfile) -> bool:
    """Whether the user is a clinic admin of one of the therapist's clinics, or a site admin."""
    if not user.is_authenticated:
        return False
    if user.has_role(Role.SITE_ADMIN):
        return True
    if not user.has_role(Role.CLINIC_ADMIN):
        return False
    # From the primary, whichever database the profile was read from (the public profile's
    # may come from the replica): a decision about rights.
    return Clinic.objects.filter(therapists=profile, admins=user).exists()


def profile_for_edit(*, user: User, profile_id: int) -> TherapistProfile:
    """A profile the user may edit (their own, or their clinic's), else NotFound."""
    profile = TherapistProfile.objects.filter(pk=profile_id).select_related("user").first()
    if profile is None or not (profile.user_id == user.pk or administers(user, profile)):
        raise NotFound("therapist profile")
    return profile


def credential_for(*, user: User, credential_id: int) -> Credential:
    """A credential the user may see: the therapist's own, or as an admin of their clinic."""
    credential = (
        Credential.objects.filter(pk=credential_id)
        .select_related("therapist__user", "checked_by")
        .first()
    )
    if credential is None or not (
        credential.therapist.user_id == user.pk or administers(user, credential.therapist)
    ):
        raise NotFound("credential")
    return credential


def credential_to_check(*, user: User, credential_id: int) -> Credential:
    """A credential the user may verify or reject: as an admin, never their own."""
    credential = credential_for(user=user, credential_id=credential_id)
    if credential.therapist.user_id == user.pk or not administers(user, credential.therapist):
        raise NotFound("credential")
    return credential


def clinics_administered(*, user: User) -> QuerySet[Clinic]:
    """The clinics the user runs (every clinic for a site admin)."""
    if user.has_role(Role.SITE_ADMIN):
        return Clinic.objects.all()
    if not user.has_role(Role.CLINIC_ADMIN):
        return Clinic.objects.none()
    return Clinic.objects.filter(admins=user)


def clinics_run_by(*, user: User) -> QuerySet[Clinic]:
    """The clinics this clinic admin runs, by name: their own clinic's tools (imports, webhooks).
    A site admin runs no clinic's patients or systems, so gets none."""
    if not user.is_authenticated or not user.has_role(Role.CLINIC_ADMIN):
        return Clinic.objects.none()
    return Clinic.objects.filter(admins=user).order_by("name", "id")


def clinic_run_by(*, user: User, clinic_id: int) -> Clinic:
    """One clinic this clinic admin runs; NotFound alike for a clinic missing or someone else's."""
    clinic = clinics_run_by(user=user).filter(pk=clinic_id).first()
    if clinic is None:
        raise NotFound("clinic")
    return clinic


def staff_clinic_ids(*, user: User) -> set[int]:
    """The clinics a therapist or clinic admin works for: those they run, those on their
    therapist profile and those of their practice locations (never every clinic, even for a
    site admin: this answers "whose content is theirs to see")."""
    ids = set(Clinic.objects.filter(admins=user).values_list("id", flat=True))
    ids |= set(Clinic.objects.filter(therapists__user=user).values_list("id", flat=True))
    ids |= set(Location.objects.filter(therapists__user=user).values_list("clinic_id", flat=True))
    return ids
