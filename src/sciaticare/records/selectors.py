"""Who may read which session note, checked and audited here; and the lists built on them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from sciaticare.accounts.models import Role, User
from sciaticare.accounts.selectors import day_of
from sciaticare.audit.services import record_event
from sciaticare.core.display import day
from sciaticare.core.errors import Invalid, NotFound
from sciaticare.intake import selectors as intake_selectors
from sciaticare.intake.bodymap import BETTER_WITH, QUALITIES, REGIONS, WORSE_WITH
from sciaticare.records.diary import recent_diary
from sciaticare.records.models import NOTE_TEXT_MAX_LENGTH, SessionNote
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from sciaticare.scheduling.selectors.appointments import sessions_of
from sciaticare.scheduling.selectors.care import treats

OVERDUE_AFTER = timedelta(hours=72)
Access = Literal["author", "care", "clinic", "patient"]


@dataclass(frozen=True)
class NoteView:
    note: SessionNote
    access: Access  # author: writes the draft; care: another therapist who treats the patient; clinic: admin; patient: summary


def _join(codes: list[str], names: Mapping[str, str]) -> str:
    # The body map's words, marked by intake: written in the therapist's language.
    return ", ".join(gettext(names[c]) if c in names else c for c in codes) or pgettext(
        "intake answer", "not given"
    )


def prefill_subjective(patient: User) -> str:
    """The patient's own account from their current intake and recent diary, to edit (cut to
    the field's limit), in the language of the therapist it is written for."""
    intake = intake_selectors.current_intake(patient=patient)
    if intake is None:
        return recent_diary(patient.pk).strip()[:NOTE_TEXT_MAX_LENGTH]
    if intake.safety_only:
        # Booked first: only the safety part is answered (intake.models.Intake).
        text = gettext(
            "From the intake of %(intake_day)s: pain since %(onset_day)s. Where it hurts, how "
            "it feels and the pain scores are not answered yet."
        ) % {
            "intake_day": day(day_of(patient, intake.created_at)),
            "onset_day": day(intake.onset_date),
        }
        return (text + recent_diary(patient.pk))[:NOTE_TEXT_MAX_LENGTH]
    where = ", ".join(
        gettext(REGIONS[c].label).lower() for c in intake.regions if c in REGIONS
    ) or pgettext("intake answer", "not marked")
    text = gettext(
        "From the intake of %(intake_day)s: pain since %(onset_day)s in %(where)s. "
        "Back pain now %(back_now)s/10 (worst %(back_worst)s), "
        "leg pain now %(leg_now)s/10 (worst %(leg_worst)s). "
        "Feels: %(feels)s. Worse with: %(worse_with)s. "
        "Better with: %(better_with)s. Goals: %(goals)s."
    ) % {
        "intake_day": day(day_of(patient, intake.created_at)),  # the patient's own day
        "onset_day": day(intake.onset_date),
        "where": where,
        "back_now": intake.back_pain_now,
        "back_worst": intake.back_pain_worst,
        "leg_now": intake.leg_pain_now,
        "leg_worst": intake.leg_pain_worst,
        "feels": _join(intake.qualities, QUALITIES),
        "worse_with": _join(intake.worse_with, WORSE_WITH),
        "better_with": _join(intake.better_with, BETTER_WITH),
        "goals": intake.goals or pgettext("intake answer", "not given"),
    }
    return (text + recent_diary(patient.pk))[:NOTE_TEXT_MAX_LENGTH]


def new_note(*, therapist_user: User, appointment_id: int, prefilled: bool = True) -> NoteView:
    """The prefilled draft the appointment's therapist sees before anything is saved: nothing
    is stored (a read writes no draft; the first save does, ``services.save_draft``). Reading
    the client's intake and diary for the prefill is audited as a read (``note.prefill``).
    Unprefilled, for a save that brings its own values, it reads nothing of the client's.
    404 alike for a missing appointment and someone else's."""
    appointment = (
        sessions_of(therapist_user=therapist_user)
        .select_related("therapist__user", "patient", "session_type", "location__clinic")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        raise NotFound("note")
    note = SessionNote(
        appointment=appointment,
        therapist=appointment.therapist,
        patient=appointment.patient,
        minutes=appointment.session_type.minutes,
    )
    if prefilled:
        note.subjective = prefill_subjective(appointment.patient)
        record_event(
            actor=therapist_user,
            action="note.prefill",
            patient=appointment.patient,
            obj=appointment,
        )
    return NoteView(note, "author")


def note_to_write(
    *, therapist_user: User, appointment_id: int, prefilled: bool = False
) -> NoteView:
    """The note for its own therapist to save, sign or amend: the stored one or, before the
    first save, :func:`new_note`. Not audited as a read (the write that follows is), so a
    sitting's autosaves leave one row each, not two. 404 for anyone else."""
    note = (
        SessionNote.objects.select_related(
            "appointment__location__clinic", "therapist__user", "patient", "signed_by"
        )
        .filter(appointment_id=appointment_id, therapist__user=therapist_user)
        .first()
    )
    if note is not None:
        return NoteView(note, "author")
    return new_note(
        therapist_user=therapist_user, appointment_id=appointment_id, prefilled=prefilled
    )


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
                gettext("State why you are opening this clinical record."),
                [("reason", gettext("required"))],
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
    """Sessions that ended over 72 hours ago without a signed note (imported ones aside)."""
    signed = SessionNote.objects.filter(appointment=OuterRef("pk"), signed_at__isnull=False)
    return (
        sessions_of(therapist_user=therapist_user)
        .filter(
            end__lt=timezone.now() - OVERDUE_AFTER,
            status__in=[AppointmentStatus.BOOKED, AppointmentStatus.COMPLETED],
        )
        .exclude(Exists(signed))
        # A session brought from another system (scheduling.services.imports) has its notes
        # there: it is history, not a note owed.
        .exclude(changes__kind="imported")
        .select_related("patient", "location")
        .order_by("start")
    )


def clinic_notes(*, admin: User) -> QuerySet[SessionNote]:
    """Notes of the clinics this admin runs (listing shows no clinical text)."""
    return (
        SessionNote.objects.filter(appointment__location__clinic__admins=admin)
        .select_related("patient", "therapist__user", "appointment__location")
        .order_by("-appointment__start")
    )


def therapist_sessions(*, therapist_user: User) -> QuerySet[Appointment]:
    """The therapist's sessions that have begun, with or without notes, newest first."""
    return (
        sessions_of(therapist_user=therapist_user)
        .filter(
            status__in=[AppointmentStatus.BOOKED, AppointmentStatus.COMPLETED],
            start__lte=timezone.now(),
        )
        .select_related("patient", "note", "location")
        .order_by("-start")
    )
