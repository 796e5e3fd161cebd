"""Every write of session notes: drafts, signing, amendments, the home-care library, templates."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from sciaticare.accounts.models import User
from sciaticare.audit.services import record_event
from sciaticare.core.commit_hooks import after_commit
from sciaticare.core.errors import Conflict, Invalid, NotFound
from sciaticare.core.names import (
    has_control_characters,
    has_format_characters,
    has_hidden_characters,
    hidden_characters_refusal,
)
from sciaticare.directory.ranking import MODALITIES
from sciaticare.intake import selectors as intake_selectors
from sciaticare.intake.bodymap import REGIONS
from sciaticare.records import selectors
from sciaticare.records.models import (
    ADVERSE_EVENT_DETAIL_MAX_LENGTH,
    AMENDMENT_REASON_MAX_LENGTH,
    AMENDMENT_TEXT_MAX_LENGTH,
    NOTE_TEXT_FIELDS,
    NOTE_TEXT_MAX_LENGTH,
    Amendment,
    HomeCareAdvice,
    NoteTemplate,
    SessionNote,
)
from sciaticare.records.precautions import pressure_warnings
from sciaticare.records.seal import note_seal
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from sciaticare.scheduling.selectors.appointments import sessions_of
from sciaticare.scheduling.services.attendance import complete_appointment

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


TEXT_LIMITS = {
    **dict.fromkeys(NOTE_TEXT_FIELDS, NOTE_TEXT_MAX_LENGTH),
    "adverse_event_detail": ADVERSE_EVENT_DETAIL_MAX_LENGTH,
}

# Only an attended session takes a signed note: a booked one (signing marks it completed) or
# one already completed. Cancelled, moved and missed sessions never do, so they never reach the
# outcome figures either.
SIGNABLE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.COMPLETED)


def _own_appointment(user: User, appointment_id: int, *, lock: bool = False) -> Appointment:
    found = sessions_of(therapist_user=user).select_related("therapist", "patient")
    if lock:
        found = found.select_for_update()
    appointment = found.filter(pk=appointment_id).first()
    if appointment is None:
        raise NotFound("appointment")
    return appointment


def start_note(
    *, therapist_user: User, appointment_id: int, template_id: int | None = None
) -> SessionNote:
    """The appointment's note, created as a prefilled draft if it has none yet. Called by the
    first save (and by signing), never by a read: opening the editor writes nothing."""
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
            subjective=selectors.prefill_subjective(appointment.patient),
            minutes=appointment.session_type.minutes,
            **values,
        )
        record_event(
            actor=therapist_user, action="note.create", patient=appointment.patient, obj=note
        )
        return note


def _texts(value: object) -> list[str]:
    """The text a note field holds: itself, or its lines (home care)."""
    if isinstance(value, str):
        return [value]
    return [line for line in value if isinstance(line, str)] if isinstance(value, list) else []


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(DRAFT_FIELDS)
    if unknown:
        raise Invalid(
            "unknown_fields",
            gettext("Unknown note fields."),
            [(name, gettext("unknown field")) for name in sorted(unknown)],
        )
    # Only the scores and minutes can be cleared; null elsewhere is a 422, not a database error.
    errors: list[tuple[str, str]] = [
        (name, gettext("cannot be null"))
        for name, value in values.items()
        if value is None and not SessionNote._meta.get_field(name).null
    ]
    if any(code not in REGIONS for code in values.get("regions") or []):
        errors.append(("regions", gettext("must be body-map region codes")))
    if any(code not in MODALITIES for code in values.get("techniques") or []):
        errors.append(
            ("techniques", gettext("must be among: %(codes)s") % {"codes": ", ".join(MODALITIES)})
        )
    if any(not isinstance(line, str) for line in values.get("home_care") or []):
        errors.append(("home_care", gettext("must be a list of text lines")))
    errors += [
        (name, gettext("at most %(count)s characters") % {"count": limit})
        for name, limit in TEXT_LIMITS.items()
        if isinstance(values.get(name), str) and len(values[name]) > limit
    ]
    # A NUL among them, which PostgreSQL cannot store: a 422 naming the field, not a 500.
    errors += [
        (name, hidden_characters_refusal())
        for name in (*TEXT_LIMITS, "home_care")
        if any(has_hidden_characters(text) for text in _texts(values.get(name)))
    ]
    if errors:
        raise Invalid("invalid_note", gettext("Some fields are not valid."), errors)
    return dict(values)


def save_draft(
    *,
    therapist_user: User,
    appointment_id: int,
    values: Mapping[str, Any],
    based_on: str | None = None,
) -> SessionNote:
    """Save part or all of a draft (autosave sends what changed); the first save creates it.
    A signed note is a 409 ``note_signed``. ``based_on`` is the note's ``version`` the editor
    was opened on ("" before the first save): when the note has changed since (another tab
    saved), the save is a 409 ``note_changed`` rather than overwriting the newer text."""
    changes = _clean(values)
    with transaction.atomic():
        appointment = _own_appointment(therapist_user, appointment_id)
        note = SessionNote.objects.select_for_update().filter(appointment=appointment).first()
        current = note.version if note is not None else ""
        if note is not None and note.is_signed:
            raise Conflict(
                "note_signed",
                gettext(
                    "This note was signed (perhaps in another tab) and cannot change. "
                    "Your text is still here: copy what you need into an amendment."
                ),
            )
        if based_on is not None and based_on != current:
            raise Conflict(
                "note_changed",
                gettext(
                    "This note was changed in another tab or window since this page was "
                    "opened. Your text is still here: copy what you need, then reload the page."
                ),
            )
        if note is None:
            note = start_note(therapist_user=therapist_user, appointment_id=appointment_id)
            note = SessionNote.objects.select_for_update().get(pk=note.pk)
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


#: Called after the signing commits with the signed note's id (integrations' webhooks install
#: theirs from IntegrationsConfig.ready: records does not import them).
on_signed: list[Callable[[int], None]] = []


def sign_note(*, therapist_user: User, appointment_id: int) -> SessionNote:
    """Sign and freeze the note: from now on only amendments."""
    with transaction.atomic():
        appointment = _own_appointment(therapist_user, appointment_id)
        if appointment.status not in SIGNABLE_STATUSES:
            raise Conflict(
                "session_not_attended",
                # Translators: the status is a word from the appointment's statuses, lower case.
                gettext("Only an attended session takes a signed note: this one was %(status)s.")
                % {"status": str(appointment.get_status_display()).lower()},
            )
        note = SessionNote.objects.select_for_update().filter(appointment=appointment).first()
        if note is None:  # signed as prefilled, never saved before
            start_note(therapist_user=therapist_user, appointment_id=appointment_id)
            note = SessionNote.objects.select_for_update().get(appointment=appointment)
        if note.is_signed:
            raise Conflict("note_signed", gettext("This note is already signed."))
        if appointment.start > timezone.now():
            raise Conflict(
                "session_not_started",
                gettext("A note can be signed once the session has begun."),
            )
        if warnings_for(note) and not note.pressure_warning_acknowledged:
            raise Invalid(
                "pressure_not_acknowledged",
                gettext(
                    "The chosen pressure conflicts with the client's precautions: acknowledge "
                    "the warning first."
                ),
                [("pressure_warning_acknowledged", w) for w in warnings_for(note)],
            )
        note.signed_at = timezone.now()
        note.signed_by = therapist_user
        note.updated_at = note.signed_at
        note.seal = note_seal(note.sealed_values())
        note.save()
        if appointment.status == AppointmentStatus.BOOKED:
            complete_appointment(
                appointment_id=appointment.pk, by=therapist_user, note="session note signed"
            )
        record_event(actor=therapist_user, action="note.sign", patient=note.patient, obj=note)
        after_commit(on_signed, note.pk)  # the note is signed
        return note


def add_amendment(*, author: User, appointment_id: int, reason: str, text: str) -> Amendment:
    """Append a correction to a signed note; a reason or text over its limit is refused whole
    (422 ``amendment_too_long``), never cut."""
    if not reason.strip() or not text.strip():
        raise Invalid(
            "amendment_incomplete",
            gettext("An amendment needs a reason and a text."),
            [
                (f, gettext("required"))
                for f, v in (("reason", reason), ("text", text))
                if not v.strip()
            ],
        )
    hidden = [
        (field, hidden_characters_refusal())
        for field, value in (("reason", reason), ("text", text))
        if has_hidden_characters(value)
    ]
    if hidden:
        raise Invalid("invalid_amendment", gettext("Some fields are not valid."), hidden)
    too_long = [
        (field, gettext("at most %(count)s characters") % {"count": limit})
        for field, value, limit in (
            ("reason", reason.strip(), AMENDMENT_REASON_MAX_LENGTH),
            ("text", text.strip(), AMENDMENT_TEXT_MAX_LENGTH),
        )
        if len(value) > limit
    ]
    if too_long:
        raise Invalid(
            "amendment_too_long",
            gettext("The amendment is too long: %(fields)s.")
            % {"fields": "; ".join(f"{field}: {limit}" for field, limit in too_long)},
            too_long,
        )
    with transaction.atomic():
        appointment = _own_appointment(author, appointment_id)
        note = SessionNote.objects.filter(appointment=appointment).first()
        if note is None or not note.is_signed:
            raise Conflict(
                "note_not_signed",
                gettext("Only a signed note takes amendments; edit the draft instead."),
            )
        amendment = Amendment.objects.create(
            note=note, reason=reason.strip(), text=text.strip(), author=author
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
        raise Invalid(
            "template_name", gettext("Give the template a name."), [("name", gettext("required"))]
        )
    if has_control_characters(name) or has_format_characters(name):
        message = gettext("Use one line of text, without control or invisible characters.")
        raise Invalid("template_name", message, [("name", message)])
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
