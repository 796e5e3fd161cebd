"""The pain diary for programs: GET and POST /api/v1/diary (the caller's own entries), and
PUT /api/v1/diary/entries/{client_id}, the offline diary's idempotent write (docs/offline.md)."""

import datetime as dt
from typing import Literal
from uuid import UUID

from django.utils.translation import gettext
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.bounds import BodyDate, SchedulingDatetime
from sciaticare.core.errors import Refused
from sciaticare.core.schemas import Problem
from sciaticare.outcomes import selectors, services
from sciaticare.outcomes.models import PainEntry, Tag

router = Router(tags=["outcomes"])


class EntryOut(Schema):
    date: dt.date
    back_pain: int
    leg_pain: int
    note: str
    tags: list[str]


class EntryIn(Schema):
    model_config = ConfigDict(extra="forbid")

    date: BodyDate | None = Field(
        None, description="Defaults to today; only today's entry can be made or changed."
    )
    # Strict: JSON numbers; `true` or "7" is a client's bug to name, not a score of 1 or 7.
    back_pain: int = Field(ge=0, le=10, strict=True)
    leg_pain: int = Field(ge=0, le=10, strict=True)
    note: str = Field("", max_length=500)
    tags: list[Tag] = []


def _out(entry: PainEntry) -> EntryOut:
    return EntryOut(
        date=entry.day,
        back_pain=entry.back_pain,
        leg_pain=entry.leg_pain,
        note=entry.note,
        tags=entry.tags,
    )


def _patient(request: AuthedRequest) -> None:
    if not request.user.has_role(Role.PATIENT):
        raise Refused("patients_only", gettext("The pain diary belongs to patients."))


@router.get("/diary", response={200: list[EntryOut], 403: Problem}, summary="Your pain diary")
def list_entries(request: AuthedRequest, since: dt.date | None = None) -> list[EntryOut]:
    _patient(request)
    entries = selectors.entries_of(patient=request.user)
    if since is not None:
        entries = entries.filter(day__gte=since)
    return [_out(e) for e in entries]


@router.post(
    "/diary",
    response={200: EntryOut, 201: EntryOut, 403: Problem, 422: Problem},
    summary="Log today's pain",
)
def log(request: AuthedRequest, payload: EntryIn) -> Status[EntryOut]:
    _patient(request)
    entry, created = services.log_pain(
        patient=request.user,
        back_pain=payload.back_pain,
        leg_pain=payload.leg_pain,
        note=payload.note,
        tags=[t.value for t in payload.tags],
        day=payload.date,
    )
    return Status(201 if created else 200, _out(entry))


class SyncIn(Schema):
    model_config = ConfigDict(extra="forbid")

    date: BodyDate = Field(description="The day of the entry: the person's day at `made_at`.")
    made_at: SchedulingDatetime = Field(
        description="When the person saved it on their device (with its offset); two writes "
        "of one day keep the later. At most 7 days ago."
    )
    # Strict: a queued write is JSON the page made, so `true` or "7" is a bug to name.
    back_pain: int = Field(ge=0, le=10, strict=True)
    leg_pain: int = Field(ge=0, le=10, strict=True)
    note: str = Field("", max_length=500)
    tags: list[Tag] = []


class SyncOut(Schema):
    client_id: UUID
    result: Literal["created", "updated", "kept", "already_stored"] = Field(
        description="created: the day's first entry; updated: this write replaced an earlier "
        "one; kept: the day holds a later write, this one changed nothing; already_stored: a "
        "retry, nothing changed."
    )
    entry: EntryOut = Field(description="What the server keeps for the day.")


@router.put(
    "/diary/entries/{client_id}",
    response={200: SyncOut, 201: SyncOut, 403: Problem, 409: Problem, 422: Problem},
    summary="Send an entry made offline (idempotent by its client id)",
    url_name="diary_sync",
)
def sync(request: AuthedRequest, client_id: UUID, payload: SyncIn) -> Status[SyncOut]:
    _patient(request)
    entry, result = services.sync_entry(
        patient=request.user,
        client_id=client_id,
        made_at=payload.made_at,
        day=payload.date,
        back_pain=payload.back_pain,
        leg_pain=payload.leg_pain,
        note=payload.note,
        tags=[t.value for t in payload.tags],
    )
    body = SyncOut(client_id=client_id, result=result.value, entry=_out(entry))
    return Status(201 if result is services.SyncResult.CREATED else 200, body)
