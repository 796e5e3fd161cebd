"""Session notes under /api/v1/appointments/{id}/note, with the same rules as the pages."""

from typing import Any

from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.bounds import ApiId
from sciaticare.core.errors import NotFound
from sciaticare.core.schemas import OffsetDatetime, Problem
from sciaticare.records import selectors, services
from sciaticare.records.models import (
    ADVERSE_EVENT_DETAIL_MAX_LENGTH,
    AMENDMENT_REASON_MAX_LENGTH,
    AMENDMENT_TEXT_MAX_LENGTH,
    NOTE_TEXT_MAX_LENGTH,
    AdverseEvent,
    Pressure,
    SessionNote,
)
from sciaticare.records.summary import summarise

router = Router(tags=["records"])


class AmendmentOut(Schema):
    reason: str
    text: str
    author: str
    created_at: OffsetDatetime


class NoteOut(Schema):
    appointment: int
    saved: bool
    version: str
    signed: bool
    signed_at: OffsetDatetime | None
    signed_by: str | None
    subjective: str
    objective: str
    assessment: str
    assessment_shared: bool
    plan: str
    regions: list[str]
    techniques: list[str]
    pressure: str
    pressure_warning_acknowledged: bool
    minutes: int | None
    back_pain_before: int | None
    back_pain_after: int | None
    leg_pain_before: int | None
    leg_pain_after: int | None
    adverse_event: str
    adverse_event_detail: str
    home_care: list[str]
    warnings: list[str]
    amendments: list[AmendmentOut]


class SummaryOut(Schema):
    appointment: int
    date: OffsetDatetime
    therapist_name: str
    worked_on: list[str]
    techniques: list[str]
    back_pain_before: int | None
    back_pain_after: int | None
    leg_pain_before: int | None
    leg_pain_after: int | None
    home_care: list[str]
    assessment: str | None
    amended: bool


class NoteIn(Schema):
    """A draft; send the fields to change (autosave sends what changed)."""

    model_config = ConfigDict(extra="forbid")

    subjective: str | None = Field(None, max_length=NOTE_TEXT_MAX_LENGTH)
    objective: str | None = Field(None, max_length=NOTE_TEXT_MAX_LENGTH)
    assessment: str | None = Field(None, max_length=NOTE_TEXT_MAX_LENGTH)
    # Strict: JSON's true/false and numbers; "yes" or "7" is a client's bug, named in a 422.
    assessment_shared: bool | None = Field(None, strict=True)
    plan: str | None = Field(None, max_length=NOTE_TEXT_MAX_LENGTH)
    regions: list[str] | None = None
    techniques: list[str] | None = None
    pressure: Pressure | None = None
    pressure_warning_acknowledged: bool | None = Field(None, strict=True)
    minutes: int | None = Field(None, ge=0, le=480, strict=True)
    back_pain_before: int | None = Field(None, ge=0, le=10, strict=True)
    back_pain_after: int | None = Field(None, ge=0, le=10, strict=True)
    leg_pain_before: int | None = Field(None, ge=0, le=10, strict=True)
    leg_pain_after: int | None = Field(None, ge=0, le=10, strict=True)
    adverse_event: AdverseEvent | None = None
    adverse_event_detail: str | None = Field(None, max_length=ADVERSE_EVENT_DETAIL_MAX_LENGTH)
    version: str | None = Field(
        None,
        max_length=40,
        description="The note's `version` this change is based on (empty before the first "
        "save); when the note has changed since, `409 note_changed` instead of overwriting.",
    )
    home_care: list[str] | None = None


class AmendmentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=AMENDMENT_REASON_MAX_LENGTH)
    text: str = Field(min_length=1, max_length=AMENDMENT_TEXT_MAX_LENGTH)


def _out(note: SessionNote) -> NoteOut:
    values: dict[str, Any] = {name: getattr(note, name) for name in services.DRAFT_FIELDS}
    return NoteOut(
        appointment=note.appointment_id,
        saved=note.pk is not None,
        version=note.version,
        signed=note.is_signed,
        signed_at=note.signed_at,
        signed_by=note.signed_by.display_name if note.signed_by else None,
        warnings=services.warnings_for(note),
        amendments=[
            AmendmentOut(
                reason=a.reason, text=a.text, author=a.author.display_name, created_at=a.created_at
            )
            for a in (note.amendments.select_related("author") if note.pk else [])
        ],
        **values,
    )


@router.get(
    "/appointments/{appointment_id}/note",
    response={200: NoteOut | SummaryOut, 404: Problem, 422: Problem},
    summary="The session note (therapist), or its summary (patient)",
)
def get_note(request: AuthedRequest, appointment_id: ApiId, reason: str = "") -> Any:
    """The appointment's therapist gets the note (before the first save, the prefilled draft,
    not stored: `saved` false, `version` empty; a read never writes); the patient gets the
    plain-language summary once signed; a clinic admin of the clinic gets the note with a
    stated `reason`; anyone else 404."""
    try:
        view = selectors.read_note(
            viewer=request.user, appointment_id=appointment_id, reason=reason
        )
    except NotFound:
        view = selectors.new_note(therapist_user=request.user, appointment_id=appointment_id)
    if view.access == "patient":
        summary = summarise(view.note)
        return SummaryOut(
            appointment=summary.appointment_id,
            **{k: v for k, v in summary.__dict__.items() if k != "appointment_id"},
        )
    return _out(view.note)


@router.put(
    "/appointments/{appointment_id}/note",
    response={200: NoteOut, 404: Problem, 409: Problem, 422: Problem},
    summary="Save the draft; the first save creates it (409 once signed or when stale)",
)
def put_note(request: AuthedRequest, appointment_id: ApiId, payload: NoteIn) -> NoteOut:
    changes = payload.model_dump(exclude_unset=True)
    based_on = changes.pop("version", None)
    note = services.save_draft(
        therapist_user=request.user,
        appointment_id=appointment_id,
        values=changes,
        based_on=based_on,
    )
    return _out(note)


@router.post(
    "/appointments/{appointment_id}/note/sign",
    response={200: NoteOut, 404: Problem, 409: Problem, 422: Problem},
    summary="Sign the note; it is locked from then on",
)
def sign(request: AuthedRequest, appointment_id: ApiId) -> NoteOut:
    return _out(services.sign_note(therapist_user=request.user, appointment_id=appointment_id))


@router.post(
    "/appointments/{appointment_id}/note/amendments",
    response={201: AmendmentOut, 404: Problem, 409: Problem, 422: Problem},
    summary="Add an amendment to a signed note",
)
def amend(
    request: AuthedRequest, appointment_id: ApiId, payload: AmendmentIn
) -> Status[AmendmentOut]:
    amendment = services.add_amendment(
        author=request.user, appointment_id=appointment_id, reason=payload.reason, text=payload.text
    )
    out = AmendmentOut(
        reason=amendment.reason,
        text=amendment.text,
        author=request.user.display_name,
        created_at=amendment.created_at,
    )
    return Status(201, out)
