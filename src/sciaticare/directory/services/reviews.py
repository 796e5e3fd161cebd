"""Reviews of a completed session, their moderation, and the review figures on the profile."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from sciaticare.accounts.models import User
from sciaticare.core.errors import Conflict, Invalid, NotFound
from sciaticare.directory import search_table
from sciaticare.directory.models import (
    Review,
    TherapistProfile,
)
from sciaticare.directory.selectors.access import administers
from sciaticare.directory.services.checks import NotAllowed, full_clean
from sciaticare.directory.sessions import CompletedSession, ledger


def can_review(*, patient: User, therapist: TherapistProfile, session_id: int) -> bool:
    """Whether this patient may review this therapist for this session.

    Only for a completed session of this patient with this therapist (``sessions.ledger()``),
    and once per session.
    """
    if not patient.is_authenticated or patient.pk == therapist.user_id:
        return False
    session = ledger().completed(session_id)
    if session is None:
        return False
    if session.patient_id != patient.pk or session.therapist_user_id != therapist.user_id:
        return False
    return not Review.objects.filter(session_id=session_id).exists()


def reviewable_sessions(*, patient: User, therapist: TherapistProfile) -> list[CompletedSession]:
    """This patient's completed sessions with the therapist that have no review yet."""
    if not patient.is_authenticated or patient.pk == therapist.user_id:
        return []
    sessions = ledger().completed_between(
        patient_id=patient.pk, therapist_user_id=therapist.user_id
    )
    ids = [session.id for session in sessions]
    reviewed = set(Review.objects.filter(session_id__in=ids).values_list("session_id", flat=True))
    return [session for session in sessions if session.id not in reviewed]


def add_review(
    *, patient: User, therapist: TherapistProfile, session_id: int, rating: int, text: str
) -> Review:
    """A patient reviews a completed session with the therapist (once per session)."""
    if not (1 <= rating <= 5):
        raise Invalid("invalid_rating", _("Give 1 to 5 stars."), [("rating", _("1 to 5."))])
    with transaction.atomic():
        TherapistProfile.objects.select_for_update().get(pk=therapist.pk)
        if not can_review(patient=patient, therapist=therapist, session_id=session_id):
            if Review.objects.filter(session_id=session_id).exists():
                raise Conflict("already_reviewed", _("You have already reviewed this session."))
            raise NotAllowed(
                "no_completed_session",
                _("You can review a therapist after a session with them has taken place."),
            )
        review = Review(
            patient=patient,
            therapist=therapist,
            session_id=session_id,
            rating=rating,
            text=text.strip(),
        )
        full_clean(review, exclude=["patient", "therapist"])
        try:
            with transaction.atomic():
                review.save()
        except IntegrityError as exc:  # a second tab won the race for this session
            raise Conflict(
                "already_reviewed", _("You have already reviewed this session.")
            ) from exc
        refresh_review_figures(profile_id=therapist.pk)
    return review


def hide_review(*, actor: User, review: Review, reason: str) -> Review:
    """Hide an abusive review, recording who, when and why; its words are never changed."""
    reason = reason.strip()
    if not reason:
        raise Invalid(
            "reason_required", _("Say why the review is hidden."), [("reason", _("Required."))]
        )
    if not administers(actor, review.therapist):
        raise NotFound("review")
    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        if locked.hidden_at is not None:
            raise Conflict("already_hidden", _("This review is already hidden."))
        locked.hidden_at = timezone.now()
        locked.hidden_by = actor
        locked.hidden_reason = reason
        locked.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        refresh_review_figures(profile_id=locked.therapist_id)
    return locked


def refresh_review_figures(*, profile_id: int) -> None:
    """Copy the count and mean of a therapist's visible reviews onto their profile (and its
    search rows). Caller: inside the transaction that changed a review."""
    figures = Review.objects.filter(therapist_id=profile_id, hidden_at__isnull=True).aggregate(
        count=Count("id"), mean=Avg("rating")
    )
    TherapistProfile.objects.filter(pk=profile_id).update(
        review_count=figures["count"],
        review_mean=float(figures["mean"]) if figures["count"] else None,
    )
    search_table.refresh(profile_ids=[profile_id])
