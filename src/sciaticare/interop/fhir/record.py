"""A patient's record as plain values: what an export is built from (``interop.services`` reads
it from the database), and the episodes and diary days an import reads out of a Bundle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class PatientData:
    id: str
    given: str
    family: str
    email: str = ""


@dataclass(frozen=True)
class OrganizationData:
    id: str
    name: str


@dataclass(frozen=True)
class LocationData:
    id: str
    name: str
    address: str
    organization_id: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class PractitionerData:
    id: str
    given: str
    family: str


@dataclass(frozen=True)
class ConditionData:
    """An episode of sciatica. ``side`` is "left", "right" or None (unknown or both).

    ``active`` is False once the episode is over; ``abated_at`` is when it resolved clinically,
    when known (never from our own episodes: docs in the package docstring)."""

    started_on: date
    active: bool = True
    abated_at: datetime | None = None
    side: str | None = None

    @property
    def id(self) -> str:
        return f"condition-{self.started_on.isoformat()}"


@dataclass(frozen=True)
class AppointmentData:
    """``status`` is ours (scheduling.models.AppointmentStatus)."""

    id: str
    status: str
    start: datetime
    end: datetime
    practitioner_id: str
    location_id: str


@dataclass(frozen=True)
class NoteData:
    """A signed session note of an appointment."""

    appointment_id: str
    practitioner_id: str
    location_id: str
    start: datetime
    end: datetime
    signed_at: datetime
    regions: Sequence[str] = ()
    techniques: Sequence[str] = ()
    back_pain_before: int | None = None
    back_pain_after: int | None = None
    leg_pain_before: int | None = None
    leg_pain_after: int | None = None


@dataclass(frozen=True)
class PainData:
    """One diary day."""

    day: date
    back_pain: int
    leg_pain: int
    note: str = ""
    tags: Sequence[str] = ()
    #: Where an imported entry came from (``Observation/<id>``), to name it in a refusal.
    source: str = field(default="", compare=False)

    @property
    def id(self) -> str:
        return f"pain-{self.day.isoformat()}"


@dataclass(frozen=True)
class QuestionnaireData:
    """A stored QuestionnaireResponse (its FHIR JSON) with the score we computed."""

    instrument: str
    resource: Mapping[str, Any]
    score: float
    band: str
    completed_at: datetime

    @property
    def id(self) -> str:
        micros = round(self.completed_at.timestamp() * 1_000_000)
        return f"qr-{self.instrument}-{micros}"


@dataclass(frozen=True)
class InvoiceLineData:
    description: str
    code: str  # a CPT code on a US clinic's session, or ""
    quantity: int
    amount: Decimal  # before tax


@dataclass(frozen=True)
class InvoiceData:
    """An issued invoice of the patient's. ``status`` is FHIR's (issued: something is owed;
    balanced: paid; cancelled: credited in full); ``notes`` say what refunds and credit notes
    changed. Amounts are exact decimals in ``currency``."""

    id: str
    number: str
    status: str
    purpose: str
    issued_at: datetime
    currency: str
    organization_id: str
    practitioner_id: str | None
    tax_percent: Decimal
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    lines: Sequence[InvoiceLineData] = ()
    notes: Sequence[str] = ()
    payment_terms: str = ""


@dataclass(frozen=True)
class ActivityData:
    """One exercise of a programme's current version, with its dose and days."""

    name: str
    code: str  # a built-in exercise's slug, else ""
    weekdays: Sequence[str]  # codes.WEEKDAYS
    times_per_day: int
    sets: int
    repetitions: int  # per set; 0 for a timed exercise
    minutes: int  # per session, for a timed exercise; else 0
    paused: bool = False


@dataclass(frozen=True)
class AdherenceWeekData:
    """A whole week of a programme: sessions planned and done (Monday to Sunday)."""

    start: date
    planned: int
    done: int


@dataclass(frozen=True)
class CarePlanData:
    """A home exercise programme: ``start`` its first version's start, ``end`` the day it ended
    or the current version's review date (None when neither). ``origin`` says who wrote it."""

    id: str
    active: bool
    start: date
    end: date | None
    origin: str  # "therapist" or "patient"
    prescriber: str = ""  # for a programme the patient entered: who gave it
    activities: Sequence[ActivityData] = ()
    weeks: Sequence[AdherenceWeekData] = ()


@dataclass(frozen=True)
class PatientRecord:
    """Everything an export holds, as plain values. ``external`` are resources kept verbatim
    from an earlier import (another clinic's sessions), already pointing at ``patient``."""

    patient: PatientData
    organizations: Sequence[OrganizationData] = ()
    locations: Sequence[LocationData] = ()
    practitioners: Sequence[PractitionerData] = ()
    conditions: Sequence[ConditionData] = ()
    appointments: Sequence[AppointmentData] = ()
    notes: Sequence[NoteData] = ()
    pain: Sequence[PainData] = ()
    questionnaires: Sequence[QuestionnaireData] = ()
    invoices: Sequence[InvoiceData] = ()
    care_plans: Sequence[CarePlanData] = ()
    external: Sequence[Mapping[str, Any]] = ()
