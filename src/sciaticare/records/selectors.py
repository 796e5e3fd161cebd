"""Who may read which session note, checked and audited here; and the lists built on them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from sciaticare.accounts.models import Role, User
from sciaticare.audit.services import record_event
from sciaticare.errors import Invalid, NotFound
from sciaticare.records.models import SessionNote
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from sciaticare.scheduling.selectors import treats

OVERDUE_AFTER = timedelta(hours=72)
Access = Literal["author", "care", "clinic", "patient"]


@dataclass(frozen=True)
class NoteView:
    note: SessionNote
    access: Access  # author: writes the draft; care: another therapist who treats the patient; clinic: admin; patient: summary


def read_note(*, viewer: User, appointment_id: int, reason: str = "") -> NoteView:
    """The note of an appointment as this viewer may see it; 404 alike for missing and
    forbidden. A clinic admin must state a reason. Every read is audited."""
    note = (
        SessionNote.objects.select_related(
            "appointment__location__clinic", "therapist__user", "patient", "signed_by"
        )
        .filter(appointment_id=appointment_id)
        .first()
    )
    if note is None:
        raise NotFound("note")
    access: Access | None = None
    if note.therapist.user_id == viewer.pk:
        access = "author"
    elif note.patient_id == viewer.pk:
        access = "patient" if note.is_signed else None
    elif (
        viewer.has_role(Role.THERAPIST)
        and note.is_signed
        and treats(therapist=viewer, patient=note.patient)
    ):
        access = "care"
    elif (
        viewer.has_role(Role.CLINIC_ADMIN)
        and note.appointment.location.clinic.admins.filter(pk=viewer.pk).exists()
    ):
        if not reason.strip():
            raise Invalid(
                "reason_required",
                "State why you are opening this clinical record.",
                [("reason", "required")],
            )
        access = "clinic"
    if access is None:
        raise NotFound("note")
    if access != "patient":
        record_event(
            actor=viewer, action="note.view", patient=note.patient, obj=note, reason=reason.strip()
        )
    return NoteView(note, access)


def summaries_for(*, patient: User) -> QuerySet[SessionNote]:
    """The patient's own signed notes, newest first (shown as plain-language summaries)."""
    return (
        SessionNote.objects.filter(patient=patient, signed_at__isnull=False)
        .select_related("appointment__location", "therapist__user")
        .prefetch_related("amendments")
    )


def overdue_for(*, therapist_user: User) -> QuerySet[Appointment]:
    """Sessions that ended over 72 hours ago without a signed note."""
    signed = SessionNote.objects.filter(appointment=OuterRef("pk"), signed_at__isnull=False)
    return (
        Appointment.objects.filter(
            therapist__user=therapist_user,
            end__lt=timezone.now() - OVERDUE_AFTER,
            status__in=[AppointmentStatus.BOOKED, AppointmentStatus.COMPLETED],
        )
        .exclude(Exists(signed))
        .select_related("patient")
        .order_by("start")
    )


def clinic_notes(*, admin: User) -> QuerySet[SessionNote]:
    """Notes of the clinics this admin runs (listing shows no clinical text)."""
    return (
        SessionNote.objects.filter(appointment__location__clinic__admins=admin)
        .select_related("patient", "therapist__user", "appointment")
        .order_by("-appointment__start")
    )


def therapist_sessions(*, therapist_user: User) -> QuerySet[Appointment]:
    """The therapist's sessions that have begun, with or without notes, newest first."""
    return (
        Appointment.objects.filter(
            Q(status__in=[AppointmentStatus.BOOKED, AppointmentStatus.COMPLETED]),
            therapist__user=therapist_user,
            start__lte=timezone.now(),
        )
        .select_related("patient", "note")
        .order_by("-start")
    )
