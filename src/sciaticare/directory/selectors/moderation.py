"""What clinic admins check and hide: pending credentials, recent reviews, their therapists."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from sciaticare.accounts.models import Role, User
from sciaticare.core.errors import NotFound
from sciaticare.directory.models import Credential, CredentialStatus, Review, TherapistProfile
from sciaticare.directory.selectors.access import administers


def _administered_profiles(user: User) -> Q:
    if user.has_role(Role.SITE_ADMIN):
        return Q()
    return Q(therapist__clinics__admins=user)


def credentials_to_check(*, user: User) -> QuerySet[Credential]:
    """Pending credentials of the therapists the user administers, oldest first."""
    if not (user.has_role(Role.SITE_ADMIN) or user.has_role(Role.CLINIC_ADMIN)):
        return Credential.objects.none()
    return (
        Credential.objects.filter(_administered_profiles(user), status=CredentialStatus.PENDING)
        .exclude(therapist__user=user)
        .select_related("therapist__user")
        .distinct()
        .order_by("created_at", "id")
    )


def reviews_to_moderate(*, user: User, limit: int = 50) -> QuerySet[Review]:
    """Recent visible reviews of the therapists the user administers, newest first."""
    if not (user.has_role(Role.SITE_ADMIN) or user.has_role(Role.CLINIC_ADMIN)):
        return Review.objects.none()
    return (
        Review.objects.filter(_administered_profiles(user), hidden_at__isnull=True)
        .select_related("therapist__user")
        .distinct()
        .order_by("-created_at", "-id")[:limit]
    )


def therapists_administered(*, user: User) -> QuerySet[TherapistProfile]:
    if user.has_role(Role.SITE_ADMIN):
        return TherapistProfile.objects.none()  # a site admin uses the Django admin for the list
    return (
        TherapistProfile.objects.filter(clinics__admins=user)
        .select_related("user")
        .distinct()
        .order_by("user__last_name", "user__first_name", "id")
    )


def review_to_hide(*, user: User, review_id: int) -> Review:
    """A visible review the user may hide (as an admin of the therapist's clinic), or NotFound."""
    review = (
        Review.objects.filter(pk=review_id, hidden_at__isnull=True)
        .select_related("therapist__user")
        .first()
    )
    if review is None or not administers(user, review.therapist):
        raise NotFound("review")
    return review
