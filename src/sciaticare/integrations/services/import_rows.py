"""One row of an import file, and what it names here: the patient (made, or matched only when
already this clinic's), the clinic's therapist, location and session type, and whether its
session fits. `walk` goes through the file for the dry run and for the import alike; the dry run
writes nothing (services/imports.py holds the run's steps)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from sciaticare.accounts.models import User
from sciaticare.accounts.services_import import (
    find_person,
    import_patient,
    imported_phone,
)
from sciaticare.core.errors import DomainError, Invalid
from sciaticare.directory.models import TherapistProfile
from sciaticare.integrations import rows as csv_rows
from sciaticare.integrations.mappings import (
    Kind,
    Source,
)
from sciaticare.integrations.models import ImportedRecord, ImportRun
from sciaticare.integrations.selectors import imports as selectors
from sciaticare.integrations.services.import_targets import (
    Context,
    RowRefused,
    aware,
    check_existing,
    location_of,
    patient_of,
    reason_of,
    session_type_of,
    settings_zone,
    therapist_of,
)
from sciaticare.records.services_import import check_summary, import_summary
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from sciaticare.scheduling.services import imports as scheduling_imports

#: How far ahead an imported booking may lie: further is a typing slip, not a booking.
FAR_AHEAD = timedelta(days=2 * 365)


@dataclass
class Report:
    """What a dry run would do, or what an import did."""

    created: list[int] = field(default_factory=list)  # row numbers
    matched: list[int] = field(default_factory=list)  # patients: an account that exists
    already: list[int] = field(default_factory=list)  # imported before
    refused: list[csv_rows.Refused] = field(default_factory=list)
    #: Rows imported without one of their values (a phone that is not a mobile), and why.
    notes: list[csv_rows.Refused] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "created": len(self.created),
            "matched": len(self.matched),
            "already": self.already,
            "refused": [_kept(r) for r in self.refused],
            "notes": [_kept(r) for r in self.notes],
        }


def _kept(row: csv_rows.Refused) -> dict[str, Any]:
    """A row's reasons as a report keeps them: each sentence's English and its values, so that
    a result read later is said in its reader's language (rows.said)."""
    return {"row": row.number, "reasons": [reason.as_json() for reason in row.reasons]}


def walk(run: ImportRun, table: csv_rows.Table, *, by: User | None, now: datetime) -> Report:
    ctx = Context(
        run=run,
        source=Source(run.source_system),
        kind=Kind(run.kind),
        by=by,
        now=now,
        therapists=selectors.therapists_of(clinic=run.clinic),
        locations=selectors.locations_of(clinic=run.clinic),
    )
    handle: Callable[[Context, csv_rows.Row, Report], None] = {
        Kind.PATIENTS: _patient,
        Kind.APPOINTMENTS: _appointment,
        Kind.SUMMARIES: _summary,
    }[ctx.kind]
    report = Report()
    for number, cells in table.rows:
        row = csv_rows.parse_row(
            kind=ctx.kind, source=ctx.source, number=number, cells=cells, mapping=run.mapping
        )
        if isinstance(row, csv_rows.Refused):
            report.refused.append(row)
            continue
        first = ctx.seen_ids.setdefault(row.source_id, number)
        if first != number:
            report.refused.append(
                csv_rows.Refused(
                    number,
                    [
                        csv_rows.Reason(
                            gettext_noop("Its id repeats row %(row)s of this file."), {"row": first}
                        )
                    ],
                )
            )
            continue
        if ctx.kind is Kind.PATIENTS:
            # An email already imported from an earlier row counts as seen, imported or not.
            ctx.seen_emails.setdefault(row.email, number)
        if selectors.imported_target(
            clinic=run.clinic, source=ctx.source.value, kind=ctx.kind.value, source_id=row.source_id
        ):
            report.already.append(number)
            continue
        try:
            # A savepoint per row: a refused row leaves nothing half written, and a clash with
            # a write made at the same moment elsewhere (an account with this email made by
            # another clinic's import) refuses that row, not the file.
            with transaction.atomic():
                handle(ctx, row, report)
        except RowRefused as refused:
            report.refused.append(csv_rows.Refused(number, refused.reasons))
        except DomainError as refused:
            report.refused.append(csv_rows.Refused(number, [reason_of(refused)]))
        except IntegrityError:
            report.refused.append(
                csv_rows.Refused(
                    number,
                    [
                        csv_rows.Reason(
                            gettext_noop(
                                "It was written at the same moment by another import: import "
                                "the file again to see what is left."
                            )
                        )
                    ],
                )
            )
    return report


def _remember(ctx: Context, row: csv_rows.Row, target_id: int) -> None:
    ImportedRecord.objects.create(
        clinic=ctx.run.clinic,
        source_system=ctx.source.value,
        kind=ctx.kind.value,
        source_id=row.source_id,
        target_id=target_id,
        run=ctx.run,
    )


def _patient(ctx: Context, row: csv_rows.Row, report: Report) -> None:
    first = ctx.seen_emails.setdefault(row.email, row.number)
    if first != row.number:
        raise RowRefused(
            csv_rows.Reason(
                gettext_noop("Its email repeats row %(row)s of this file."), {"row": first}
            )
        )
    zone = ctx.locations[0].time_zone if ctx.locations else settings_zone()
    existing = find_person(email=row.email)
    if existing is not None:
        check_existing(ctx, existing)
    phone = ""
    if existing is None:  # an account that exists keeps the number its owner gave, or none
        try:
            phone = imported_phone(phone=row.phone, time_zone=zone)
        except Invalid as left_out:
            report.notes.append(csv_rows.Refused(row.number, [reason_of(left_out)]))
    if not ctx.writing:
        (report.matched if existing else report.created).append(row.number)
        return
    user, made = import_patient(
        email=row.email,
        first_name=row.first_name,
        last_name=row.last_name,
        time_zone=zone,
        phone=phone,
    )
    _remember(ctx, row, user.pk)
    (report.created if made else report.matched).append(row.number)


def _check_in_file(
    ctx: Context,
    row: csv_rows.Row,
    patient: User,
    therapist: TherapistProfile,
    start: datetime,
    end: datetime,
    busy_until: datetime,
) -> None:
    for number, therapist_id, patient_key, other_start, other_end, other_busy in ctx.spans:
        same_therapist = (
            therapist_id == therapist.pk and other_start < busy_until and start < other_busy
        )
        same_patient = patient_key == str(patient.pk) and other_start < end and start < other_end
        if same_therapist or same_patient:
            raise RowRefused(
                csv_rows.Reason(
                    gettext_noop("It overlaps row %(row)s of this file."), {"row": number}
                )
            )


def _place_session(
    ctx: Context, row: csv_rows.Row, patient: User, therapist: TherapistProfile, status: str
) -> Appointment | None:
    """Check (and, when importing, store) one session: None in a dry run."""
    assert row.start is not None
    location = location_of(ctx, row, therapist)
    session_type = session_type_of(ctx, row, therapist)
    start = aware(ctx, row.start, location)
    end = aware(ctx, row.end, location) if row.end is not None else None
    if start > ctx.now + FAR_AHEAD:
        raise RowRefused(
            csv_rows.Reason(
                gettext_noop("It starts more than two years ahead (too far ahead): check its date.")
            )
        )
    plan: dict[str, Any] = {
        "patient": patient,
        "therapist": therapist,
        "location": location,
        "session_type": session_type,
        "start": start,
        "end": end,
        "past": start <= ctx.now,
        "status": status,
    }
    end, busy_until, _ = scheduling_imports.plan_import(**plan, check_overlap=False)
    # Another row of the file first, then what is booked here already.
    _check_in_file(ctx, row, patient, therapist, start, end, busy_until)
    scheduling_imports.plan_import(**plan)
    ctx.spans.append((row.number, therapist.pk, str(patient.pk), start, end, busy_until))
    if not ctx.writing:
        return None
    assert ctx.by is not None
    return scheduling_imports.import_appointment(
        patient=patient,
        therapist=therapist,
        location=location,
        session_type=session_type,
        start=start,
        end=end,
        status=status,
        by=ctx.by,
        source=ctx.system,
        now=ctx.now,
    )


def _appointment(ctx: Context, row: csv_rows.Row, report: Report) -> None:
    reasons: list[csv_rows.Reason] = []
    if row.status == "cancelled":
        raise RowRefused(
            csv_rows.Reason(
                gettext_noop(
                    "It was cancelled in %(system)s: cancelled sessions are not imported."
                ),
                {"system": ctx.system_named},
            )
        )
    patient = therapist = None
    for find in (lambda: patient_of(ctx, row), lambda: therapist_of(ctx, row)):
        try:
            found = find()
        except RowRefused as refused:
            reasons += refused.reasons
            continue
        if isinstance(found, TherapistProfile):
            therapist = found
        else:
            patient = found
    if reasons or patient is None or therapist is None:
        raise RowRefused(*reasons)
    status = AppointmentStatus.NO_SHOW if row.status == "no_show" else AppointmentStatus.BOOKED
    appointment = _place_session(ctx, row, patient, therapist, status)
    if appointment is not None:
        _remember(ctx, row, appointment.pk)
    report.created.append(row.number)


def _session_that_day(
    ctx: Context, patient: User, therapist: TherapistProfile, day: date
) -> Appointment | None:
    for appointment in Appointment.objects.filter(
        patient=patient,
        therapist=therapist,
        location__clinic=ctx.run.clinic,  # a therapist working at two clinics: this one's
        status__in=(
            AppointmentStatus.COMPLETED,
            AppointmentStatus.NO_SHOW,
            AppointmentStatus.BOOKED,
        ),
        start__gte=datetime.combine(day - timedelta(days=1), datetime.min.time(), UTC),
        start__lt=datetime.combine(day + timedelta(days=2), datetime.min.time(), UTC),
    ).select_related("location"):
        local = timezone.localtime(appointment.start, ZoneInfo(appointment.location.time_zone))
        if local.date() == day and appointment.start <= ctx.now:
            return appointment
    return None


def _summary(ctx: Context, row: csv_rows.Row, report: Report) -> None:
    reasons: list[csv_rows.Reason] = []
    try:
        patient: User | None = patient_of(ctx, row)
    except RowRefused as refused:
        patient, reasons = None, reasons + refused.reasons
    try:
        therapist: TherapistProfile | None = therapist_of(ctx, row)
    except RowRefused as refused:
        therapist, reasons = None, reasons + refused.reasons
    try:
        text = check_summary(row.summary)
    except Invalid as wrong:
        reasons.append(reason_of(wrong))
    if reasons or patient is None or therapist is None or row.day is None:
        raise RowRefused(*reasons)
    key = (str(patient.pk), therapist.pk, row.day)
    first = ctx.session_days.setdefault(key, row.number)
    if first != row.number:
        raise RowRefused(
            csv_rows.Reason(
                gettext_noop("Row %(row)s summarises the same session."), {"row": first}
            )
        )
    appointment = _session_that_day(ctx, patient, therapist, row.day)
    if appointment is not None:
        if hasattr(appointment, "imported_summary"):
            raise RowRefused(
                csv_rows.Reason(
                    gettext_noop("Appointment %(id)s has an imported summary already."),
                    {"id": appointment.pk},
                )
            )
    elif row.start is None:
        raise RowRefused(
            csv_rows.Reason(
                gettext_noop(
                    "It gives a date without a time and no session with this therapist that "
                    "day is here: add the time, or import the appointments first."
                )
            )
        )
    else:
        location = location_of(ctx, row, therapist)
        if aware(ctx, row.start, location) > ctx.now:
            raise RowRefused(
                csv_rows.Reason(gettext_noop("It summarises a session that has not happened yet."))
            )
        appointment = _place_session(ctx, row, patient, therapist, AppointmentStatus.COMPLETED)
    if ctx.writing:
        assert appointment is not None
        assert ctx.by is not None
        summary = import_summary(
            appointment=appointment,
            text=text,
            source_system=ctx.system,
            source_id=row.source_id,
            by=ctx.by,
        )
        _remember(ctx, row, summary.pk)
    report.created.append(row.number)
