"""Every write to the directory: one function per use case, transactional, raising domain errors.

Callers fetch the object with a selector that checks access (404 for what the caller may not
see); the service checks again that this actor may do this, so it is safe from any caller.
The derived columns of ``TherapistProfile`` (licence summary, review figures) are kept in sync
here and nowhere else, and so is the search table: every write that changes one of its inputs
calls ``search_table.refresh`` for that therapist in its transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, ProtectedError, Q
from django.utils import timezone

from sciaticare.accounts.models import Role, User
from sciaticare.directory import documents, search_table
from sciaticare.directory.models import (
    PLAN_SIZE,
    Credential,
    CredentialKind,
    CredentialStatus,
    FlareUpPlanEntry,
    Location,
    Review,
    SessionType,
    TherapistLocation,
    TherapistProfile,
)
from sciaticare.directory.ranking import MODALITIES
from sciaticare.directory.selectors import administers
from sciaticare.directory.sessions import CompletedSession, ledger
from sciaticare.errors import Conflict, DomainError, Invalid, NotFound


class NotAllowed(DomainError):
    """The actor can see the object but may not do this to it."""

    status = 403


def _invalid_from(exc: ValidationError) -> Invalid:
    errors = [
        (field if field != "__all__" else "", message)
        for field, messages in exc.message_dict.items()
        for message in messages
    ]
    return Invalid("invalid", "Some fields are not valid.", errors)


def _full_clean(obj: object, **kwargs: object) -> None:
    try:
        obj.full_clean(**kwargs)  # type: ignore[attr-defined]
    except ValidationError as exc:
        raise _invalid_from(exc) from exc


def _may_edit(actor: User, profile: TherapistProfile) -> bool:
    return profile.user_id == actor.pk or administers(actor, profile)


# --- Profiles -------------------------------------------------------------------------------


def ensure_profile(*, therapist: User) -> TherapistProfile:
    """The therapist's directory profile, made empty (and so unlisted) the first time."""
    if not therapist.has_role(Role.THERAPIST):
        raise NotAllowed("not_a_therapist", "Only massage therapists have a directory profile.")
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
    if not _may_edit(actor, profile):
        raise NotFound("therapist profile")
    unknown = changes.modalities - MODALITIES.keys()
    if unknown:
        raise Invalid(
            "unknown_modality",
            "Unknown modality.",
            [("modalities", f"Unknown: {', '.join(sorted(unknown))}")],
        )
    languages = sorted({code.strip().lower() for code in changes.languages if code.strip()})
    bad = [code for code in languages if not (len(code) == 2 and code.isalpha())]
    if bad:
        raise Invalid(
            "invalid_language",
            "Languages are two-letter ISO 639-1 codes, e.g. en, pl.",
            [("languages", f"Not a two-letter code: {', '.join(bad)}")],
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
        _full_clean(profile, exclude=["user"])
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
                "A therapist can only work at their own clinics' locations.",
                [("locations", "Choose among your clinics' locations.")],
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
    if not _may_edit(actor, profile):
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
        _full_clean(session, exclude=["therapist"])
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
    if not _may_edit(actor, session.therapist):
        raise NotFound("session type")
    with transaction.atomic():
        TherapistProfile.objects.select_for_update().get(pk=session.therapist_id)
        _make_standard(session.therapist, session)
        search_table.refresh(profile_ids=[session.therapist_id])
    return session


def remove_session_type(*, actor: User, session: SessionType) -> None:
    """Stop offering a session; if it was the standard one, the shortest left takes over."""
    profile = session.therapist
    if not _may_edit(actor, profile):
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
                "This session has appointments, so it cannot be removed.",
            ) from None
        if was_standard:
            successor = SessionType.objects.filter(therapist=profile).order_by("minutes").first()
            if successor is not None:
                _make_standard(profile, successor)
        search_table.refresh(profile_ids=[profile.pk])


# --- Credentials ----------------------------------------------------------------------------


def _read_document(upload: IO[bytes], size: int | None) -> tuple[bytes, str]:
    """The file's bytes and kind, or Invalid with a message a person can act on."""
    if size is not None and size > documents.MAX_DOCUMENT_BYTES:
        raise Invalid(
            "document_too_big",
            "The document is larger than 5 MB.",
            [("document", "Upload a file of 5 MB or less (a scan at 150–300 dpi is enough).")],
        )
    data = upload.read(documents.MAX_DOCUMENT_BYTES + 1)
    if len(data) > documents.MAX_DOCUMENT_BYTES:
        raise Invalid(
            "document_too_big",
            "The document is larger than 5 MB.",
            [("document", "Upload a file of 5 MB or less (a scan at 150–300 dpi is enough).")],
        )
    if not data:
        raise Invalid("document_empty", "The document is empty.", [("document", "Empty file.")])
    kind = documents.sniff(data[: documents.HEAD_BYTES])
    if kind is None:
        raise Invalid(
            "document_type",
            "The document must be a PDF, PNG or JPEG file.",
            [
                (
                    "document",
                    "This file is not a PDF, PNG or JPEG (judged by its content, not its "
                    "name). Export or scan the licence to one of those.",
                )
            ],
        )
    return data, kind


def add_credential(
    *,
    actor: User,
    kind: str,
    title: str,
    number: str,
    issuing_body: str,
    jurisdiction: str,
    expires_on: date | None,
    document: IO[bytes],
    document_size: int | None = None,
) -> Credential:
    """Record a licence or certification of the actor (a therapist), pending a check."""
    profile = ensure_profile(therapist=actor)
    if kind not in CredentialKind.values:
        raise Invalid("invalid_kind", "Choose licence or certification.", [("kind", "Unknown.")])
    if expires_on is not None and expires_on < timezone.localdate():
        raise Invalid(
            "already_expired",
            "This credential has already expired.",
            [("expires_on", "The expiry date is in the past.")],
        )
    data, doc_kind = _read_document(document, document_size)
    credential = Credential(
        therapist=profile,
        kind=kind,
        title=title.strip(),
        number=number.strip(),
        issuing_body=issuing_body.strip(),
        jurisdiction=jurisdiction.strip(),
        expires_on=expires_on,
        document=data,
        document_type=doc_kind,
        document_size=len(data),
    )
    _full_clean(credential, exclude=["therapist"])
    credential.save()
    return credential


def _check(actor: User, credential: Credential) -> Credential:
    if not administers(actor, credential.therapist):
        raise NotFound("credential")
    if credential.therapist.user_id == actor.pk:
        raise NotAllowed("own_credential", "Someone else must check your own credentials.")
    locked = Credential.objects.select_for_update().get(pk=credential.pk)
    if locked.status != CredentialStatus.PENDING:
        raise Conflict(
            "already_checked",
            f"This credential is no longer waiting for a check (it is {locked.get_status_display().lower()}).",
        )
    return locked


def verify_credential(*, actor: User, credential: Credential) -> Credential:
    """Mark a pending credential verified (a clinic admin of the therapist's clinic, or a site
    admin; never the therapist themself), recording who and when."""
    with transaction.atomic():
        locked = _check(actor, credential)
        if locked.expires_on is not None and locked.expires_on < timezone.localdate():
            raise Conflict("expired", "This credential has expired; it cannot be verified.")
        locked.status = CredentialStatus.VERIFIED
        locked.checked_by = actor
        locked.checked_at = timezone.now()
        locked.save(update_fields=["status", "checked_by", "checked_at"])
        refresh_licence_summary(profile_id=locked.therapist_id)
    return locked


def reject_credential(*, actor: User, credential: Credential, reason: str) -> Credential:
    """Mark a pending credential rejected, with a reason the therapist will read."""
    reason = reason.strip()
    if not reason:
        raise Invalid(
            "reason_required",
            "Say why the credential is rejected.",
            [("reason", "The therapist sees this reason.")],
        )
    with transaction.atomic():
        locked = _check(actor, credential)
        locked.status = CredentialStatus.REJECTED
        locked.checked_by = actor
        locked.checked_at = timezone.now()
        locked.rejection_reason = reason
        locked.save(update_fields=["status", "checked_by", "checked_at", "rejection_reason"])
        refresh_licence_summary(profile_id=locked.therapist_id)
    return locked


def refresh_licence_summary(*, profile_id: int, today: date | None = None) -> None:
    """Copy the therapist's best licence in force onto their profile and its search rows.

    The best is the verified, unexpired licence that lasts longest (no expiry beats any date).
    Caller: inside the transaction that changed a credential.
    """
    today = today or timezone.localdate()
    licences = Credential.objects.filter(
        therapist_id=profile_id,
        kind=CredentialKind.LICENCE,
        status=CredentialStatus.VERIFIED,
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    best = None
    for licence in licences:
        if best is None or _lasts_longer(licence, best):
            best = licence
    TherapistProfile.objects.filter(pk=profile_id).update(
        licence_verified_on=timezone.localdate(best.checked_at)
        if best and best.checked_at
        else None,
        licence_expires_on=best.expires_on if best else None,
    )
    search_table.refresh(profile_ids=[profile_id])


def _lasts_longer(a: Credential, b: Credential) -> bool:
    if a.expires_on is None or b.expires_on is None:
        return a.expires_on is None and b.expires_on is not None
    return a.expires_on > b.expires_on


def expire_credentials(*, today: date | None = None) -> int:
    """Mark every pending or verified credential past its expiry date expired; returns how many.

    Run daily (``tasks.expire_credentials``). Search does not wait for it: it compares expiry
    dates itself, so a licence stops listing a therapist on the day after it expires.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        due = Credential.objects.select_for_update().filter(
            status__in=[CredentialStatus.PENDING, CredentialStatus.VERIFIED],
            expires_on__lt=today,
        )
        profile_ids = set(due.values_list("therapist_id", flat=True))
        count = due.update(status=CredentialStatus.EXPIRED)
        for profile_id in sorted(profile_ids):
            refresh_licence_summary(profile_id=profile_id, today=today)
    return count


# --- Reviews --------------------------------------------------------------------------------


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
        raise Invalid("invalid_rating", "Give 1 to 5 stars.", [("rating", "1 to 5.")])
    with transaction.atomic():
        TherapistProfile.objects.select_for_update().get(pk=therapist.pk)
        if not can_review(patient=patient, therapist=therapist, session_id=session_id):
            if Review.objects.filter(session_id=session_id).exists():
                raise Conflict("already_reviewed", "You have already reviewed this session.")
            raise NotAllowed(
                "no_completed_session",
                "You can review a therapist after a session with them has taken place.",
            )
        review = Review(
            patient=patient,
            therapist=therapist,
            session_id=session_id,
            rating=rating,
            text=text.strip(),
        )
        _full_clean(review, exclude=["patient", "therapist"])
        try:
            with transaction.atomic():
                review.save()
        except IntegrityError as exc:  # a second tab won the race for this session
            raise Conflict("already_reviewed", "You have already reviewed this session.") from exc
        refresh_review_figures(profile_id=therapist.pk)
    return review


def hide_review(*, actor: User, review: Review, reason: str) -> Review:
    """Hide an abusive review, recording who, when and why; its words are never changed."""
    reason = reason.strip()
    if not reason:
        raise Invalid("reason_required", "Say why the review is hidden.", [("reason", "Required.")])
    if not administers(actor, review.therapist):
        raise NotFound("review")
    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        if locked.hidden_at is not None:
            raise Conflict("already_hidden", "This review is already hidden.")
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


# --- Flare-up plan --------------------------------------------------------------------------


def _plan(patient: User) -> list[FlareUpPlanEntry]:
    return list(
        FlareUpPlanEntry.objects.select_for_update().filter(patient=patient).order_by("rank")
    )


def _rewrite_plan(patient: User, entries: list[FlareUpPlanEntry]) -> None:
    # Ranks are unique per patient, so a reorder rewrites the rows rather than swapping in place
    # (SQLite has no deferrable unique constraints).
    FlareUpPlanEntry.objects.filter(patient=patient).delete()
    FlareUpPlanEntry.objects.bulk_create(
        FlareUpPlanEntry(
            patient=patient, therapist_id=entry.therapist_id, rank=rank, added_at=entry.added_at
        )
        for rank, entry in enumerate(entries)
    )


def add_to_plan(*, patient: User, therapist: TherapistProfile) -> FlareUpPlanEntry:
    """Put a listed therapist in the patient's plan: preferred if it is empty, else a backup."""
    if not patient.has_role(Role.PATIENT):
        raise NotAllowed("not_a_patient", "Only patients keep a flare-up plan.")
    if therapist.user_id == patient.pk:
        raise Invalid("own_profile", "You cannot add yourself to your own plan.")
    if not therapist.licence_valid_on(timezone.localdate()):
        raise Invalid(
            "not_verified",
            "Only therapists with a verified licence can be in a flare-up plan.",
        )
    with transaction.atomic():
        entries = _plan(patient)
        if any(entry.therapist_id == therapist.pk for entry in entries):
            raise Conflict("already_in_plan", f"{therapist.name} is already in your plan.")
        if len(entries) >= PLAN_SIZE:
            raise Conflict(
                "plan_full",
                "Your plan already has a preferred therapist and three backups; remove one first.",
            )
        return FlareUpPlanEntry.objects.create(
            patient=patient, therapist=therapist, rank=len(entries)
        )


def remove_from_plan(*, patient: User, therapist_id: int) -> None:
    """Take a therapist out of the plan; the ones after move up (a backup may become preferred)."""
    with transaction.atomic():
        entries = _plan(patient)
        kept = [entry for entry in entries if entry.therapist_id != therapist_id]
        if len(kept) == len(entries):
            raise NotFound("therapist in your plan")
        _rewrite_plan(patient, kept)


def reorder_plan(*, patient: User, therapist_ids: Sequence[int]) -> None:
    """Put the plan in this order (first is preferred); the ids must be exactly the plan's."""
    with transaction.atomic():
        entries = _plan(patient)
        by_therapist = {entry.therapist_id: entry for entry in entries}
        if sorted(therapist_ids) != sorted(by_therapist):
            raise Invalid(
                "plan_changed",
                "Your plan changed in the meantime; reload the page and try again.",
            )
        _rewrite_plan(patient, [by_therapist[pk] for pk in therapist_ids])


def move_in_plan(*, patient: User, therapist_id: int, up: bool) -> None:
    """Move one therapist a place up (towards preferred) or down; at an end, nothing changes."""
    with transaction.atomic():
        order = [entry.therapist_id for entry in _plan(patient)]
        if therapist_id not in order:
            raise NotFound("therapist in your plan")
        i = order.index(therapist_id)
        j = i - 1 if up else i + 1
        if 0 <= j < len(order):
            order[i], order[j] = order[j], order[i]
            reorder_plan(patient=patient, therapist_ids=order)
