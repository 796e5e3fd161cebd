"""The pain diary for programs: GET and POST /api/v1/diary (the caller's own entries)."""

import datetime as dt

from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
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

    date: dt.date | None = Field(
        None, description="Defaults to today; only today's entry can be made or changed."
    )
    back_pain: int = Field(ge=0, le=10)
    leg_pain: int = Field(ge=0, le=10)
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
        raise Refused("patients_only", "The pain diary belongs to patients.")


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
