"""Every write of session notes: drafts, signing, amendments, the home-care library, templates."""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from sciaticare.accounts.models import User
from sciaticare.audit.services import record_event
from sciaticare.directory.ranking import MODALITIES
from sciaticare.errors import Conflict, Invalid, NotFound
from sciaticare.intake import selectors as intake_selectors
from sciaticare.intake.bodymap import BETTER_WITH, QUALITIES, REGIONS, WORSE_WITH
from sciaticare.outcomes.models import PainEntry
from sciaticare.records.models import Amendment, HomeCareAdvice, NoteTemplate, SessionNote
from sciaticare.records.precautions import pressure_warnings
from sciaticare.records.seal import note_seal
from sciaticare.scheduling.models import Appointment, AppointmentStatus

# The fields a draft may set, and nothing else (never signed_at, never the appointment).
DRAFT_FIELDS = (
    "subjective",
    "objective",
    "assessment",
    "assessment_shared",
    "plan",
    "regions",
    "techniques",
    "pressure",
    "pressure_warning_acknowledged",
    "minutes",
    "back_pain_before",
    "back_pain_after",
    "leg_pain_before",
    "leg_pain_after",
    "adverse_event",
    "adverse_event_detail",
    "home_care",
)


def _own_appointment(user: User, appointment_id: int, *, lock: bool = False) -> Appointment:
    qs = Appointment.objects.select_related("therapist", "patient")
    if lock:
        qs = qs.select_for_update()
    appointment = qs.filter(pk=appointment_id, therapist__user=user).first()
    if appointment is None or appointment.status in (
        AppointmentStatus.HELD,
        AppointmentStatus.EXPIRED,
    ):
        raise NotFound("appointment")
    return appointment


def _join(codes: list[str], names: Mapping[str, str]) -> str:
    return ", ".join(names.get(code, code) for code in codes) or "not given"


def _recent_diary(patient: User) -> str:
    since = timezone.localdate() - timedelta(days=7)
    entries = list(
        PainEntry.objects.filter(patient=patient, day__gte=since).values_list(
            "back_pain", "leg_pain"
        )
    )
    if not entries:
        return ""
    back = statistics.median(b for b, _ in entries)
    leg = statistics.median(leg for _, leg in entries)
    return f" Pain diary, last 7 days ({len(entries)} entries): median back {back:g}/10, leg {leg:g}/10."


def prefill_subjective(patient: User) -> str:
    """The patient's own account from their current intake and recent diary, to edit."""
    intake = intake_selectors.current_intake(patient=patient)
    if intake is None:
        return _recent_diary(patient).strip()
    where = (
        ", ".join(REGIONS[c].label.lower() for c in intake.regions if c in REGIONS) or "not marked"
    )
    return (
        f"From the intake of {intake.created_at:%d %b %Y}: pain since {intake.onset_date:%d %b %Y} in {where}. "
        f"Back pain now {intake.back_pain_now}/10 (worst {intake.back_pain_worst}), "
        f"leg pain now {intake.leg_pain_now}/10 (worst {intake.leg_pain_worst}). "
        f"Feels: {_join(intake.qualities, QUALITIES)}. Worse with: {_join(intake.worse_with, WORSE_WITH)}. "
        f"Better with: {_join(intake.better_with, BETTER_WITH)}. Goals: {intake.goals or 'not given'}."
    ) + _recent_diary(patient)


def start_note(
    *, therapist_user: User, appointment_id: int, template_id: int | None = None
) -> SessionNote:
    """The appointment's note, created as a draft (prefilled) the first time it is opened."""
    with transaction.atomic():
        appointment = _own_appointment(therapist_user, appointment_id, lock=True)
        existing = SessionNote.objects.filter(appointment=appointment).first()
        if existing is not None:
            return existing
        values: dict[str, Any] = {}
        if template_id is not None:
            template = NoteTemplate.objects.filter(
                pk=template_id, therapist=appointment.therapist
            ).first()
            if template is None:
                raise NotFound("template")
            values = {k: v for k, v in template.values.items() if k in DRAFT_FIELDS}
        note = SessionNote.objects.create(
            appointment=appointment,
            therapist=appointment.therapist,
            patient=appointment.patient,
            subjective=prefill_subjective(appointment.patient),
            minutes=appointment.session_type.minutes,
            **values,
        )
        record_event(
            actor=therapist_user, action="note.create", patient=appointment.patient, obj=note
        )
        return note


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(DRAFT_FIELDS)
    if unknown:
        raise Invalid(
            "unknown_fields",
            "Unknown note fields.",
            [(name, "unknown field") for name in sorted(unknown)],
        )
    # Only the scores and minutes can be cleared; null elsewhere is a 422, not a database error.
    errors: list[tuple[str, str]] = [
        (name, "cannot be null")
        for name, value in values.items()
        if value is None and not SessionNote._meta.get_field(name).null
    ]
    if any(code not in REGIONS for code in values.get("regions") or []):
        errors.append(("regions", "must be body-map region codes"))
    if any(code not in MODALITIES for code in values.get("techniques") or []):
        errors.append(("techniques", f"must be among: {', '.join(MODALITIES)}"))
    if any(not isinstance(line, str) for line in values.get("home_care") or []):
        errors.append(("home_care", "must be a list of text lines"))
    if errors:
        raise Invalid("invalid_note", "Some fields are not valid.", errors)
    return dict(values)


def save_draft(
    *, therapist_user: User, appointment_id: int, values: Mapping[str, Any]
) -> SessionNote:
    """Save part or all of a draft (autosave sends what changed). A signed note is a 409."""
    changes = _clean(values)
    with transaction.atomic():
        appointment = _own_appointment(therapist_user, appointment_id)
        note = SessionNote.objects.select_for_update().filter(appointment=appointment).first()
        if note is None:
            note = start_note(therapist_user=therapist_user, appointment_id=appointment_id)
            note = SessionNote.objects.select_for_update().get(pk=note.pk)
        if note.is_signed:
            raise Conflict(
                "note_signed", "This note is signed and cannot change. Add an amendment instead."
            )
        if "pressure" in changes and changes["pressure"] != note.pressure:
            note.pressure_warning_acknowledged = False  # a new pressure needs a new acknowledgement
        for name, value in changes.items():
            setattr(note, name, value)
        note.updated_at = timezone.now()
        note.full_clean(exclude=["appointment", "therapist", "patient", "signed_by"])
        note.save()
        record_event(actor=therapist_user, action="note.update", patient=note.patient, obj=note)
        return note


def warnings_for(note: SessionNote) -> list[str]:
    intake = intake_selectors.current_intake(patient=note.patient)
    return pressure_warnings(note.pressure, intake.triage_precautions if intake else [])


def sign_note(*, therapist_user: User, appointment_id: int) -> SessionNote:
    """Sign and freeze the note: from now on only amendments."""
    with transaction.atomic():
        appointment = _own_appointment(therapist_user, appointment_id)
        note = SessionNote.objects.select_for_update().filter(appointment=appointment).first()
        if note is None:
            raise NotFound("note")
        if note.is_signed:
            raise Conflict("note_signed", "This note is already signed.")
        if appointment.start > timezone.now():
            raise Conflict(
                "session_not_started", "A note can be signed once the session has begun."
            )
        if warnings_for(note) and not note.pressure_warning_acknowledged:
            raise Invalid(
                "pressure_not_acknowledged",
                "The chosen pressure conflicts with the client's precautions: acknowledge the warning first.",
                [("pressure_warning_acknowledged", w) for w in warnings_for(note)],
            )
        note.signed_at = timezone.now()
        note.signed_by = therapist_user
        note.updated_at = note.signed_at
        note.seal = note_seal(note.sealed_values())
        note.save()
        if appointment.status == AppointmentStatus.BOOKED:
            Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.COMPLETED)
        record_event(actor=therapist_user, action="note.sign", patient=note.patient, obj=note)
        return note


def add_amendment(*, author: User, appointment_id: int, reason: str, text: str) -> Amendment:
    if not reason.strip() or not text.strip():
        raise Invalid(
            "amendment_incomplete",
            "An amendment needs a reason and a text.",
            [(f, "required") for f, v in (("reason", reason), ("text", text)) if not v.strip()],
        )
    with transaction.atomic():
        appointment = _own_appointment(author, appointment_id)
        note = SessionNote.objects.filter(appointment=appointment).first()
        if note is None or not note.is_signed:
            raise Conflict(
                "note_not_signed", "Only a signed note takes amendments; edit the draft instead."
            )
        amendment = Amendment.objects.create(
            note=note, reason=reason.strip()[:300], text=text.strip(), author=author
        )
        record_event(actor=author, action="note.amend", patient=note.patient, obj=amendment)
        return amendment


def add_home_care_advice(*, therapist_user: User, text: str) -> HomeCareAdvice:
    therapist = therapist_user.therapist_profile
    advice, _ = HomeCareAdvice.objects.get_or_create(therapist=therapist, text=text.strip()[:300])
    return advice


def save_template(*, therapist_user: User, name: str, values: Mapping[str, Any]) -> NoteTemplate:
    """Keep what a session usually looks like (never the client's pain scores or words)."""
    if not name.strip():
        raise Invalid("template_name", "Give the template a name.", [("name", "required")])
    therapist = therapist_user.therapist_profile
    personal = {
        "subjective",
        "back_pain_before",
        "back_pain_after",
        "leg_pain_before",
        "leg_pain_after",
    }
    cleaned = {k: v for k, v in _clean(values).items() if k not in personal}
    template, _ = NoteTemplate.objects.update_or_create(
        therapist=therapist, name=name.strip()[:80], defaults={"values": cleaned}
    )
    return template


def apply_template(*, therapist_user: User, appointment_id: int, template_id: int) -> SessionNote:
    """Fill a draft from one of the therapist's templates (what the template sets, nothing else)."""
    template = NoteTemplate.objects.filter(pk=template_id, therapist__user=therapist_user).first()
    if template is None:
        raise NotFound("template")
    return save_draft(
        therapist_user=therapist_user, appointment_id=appointment_id, values=template.values
    )
