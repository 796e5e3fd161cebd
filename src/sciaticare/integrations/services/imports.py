"""Moving in from another system: upload a CSV export, choose the columns, see a dry run, then
import it in one transaction. Every write of another app's table goes through that app's own
service (accounts makes patients, scheduling the appointments, records the summaries).

The dry run and the import walk the file with the same code (`_walk`); the dry run writes
nothing. A row is created, matched to an account that exists (patients), "already imported"
(its id from the other system is in `ImportedRecord`), or refused with every reason. Refused
rows never stop the rest of the file: an appointment that overlaps another is listed and not
created, and the others are imported (docs/integrations.md, "Moving in from another system").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from sciaticare.accounts.models import User
from sciaticare.accounts.services_import import (
    find_person,
    import_patient,
    imported_phone,
    is_staff_account,
    staff_refusal,
)
from sciaticare.audit.services import record_event
from sciaticare.core.errors import Conflict, DomainError, Invalid
from sciaticare.directory.models import Clinic, Location, SessionType, TherapistProfile
from sciaticare.integrations import rows as csv_rows
from sciaticare.integrations.mappings import (
    FIELDS,
    SOURCE_NAMES,
    Kind,
    Source,
    missing,
    suggested,
)
from sciaticare.integrations.models import ImportedRecord, ImportRun, RunStatus
from sciaticare.integrations.models.imports import KEEP_FILE_DAYS
from sciaticare.integrations.selectors import imports as selectors
from sciaticare.records.services_import import check_summary, import_summary
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from sciaticare.scheduling.selectors.care import is_patient_of_clinic
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


def reason_of(error: DomainError) -> csv_rows.Reason:
    """Another app's refusal as a row's reason: in its English and values when the error kept
    them (DomainError.saying), else as it reads."""
    if error.words is not None:
        return csv_rows.Reason(*error.words)
    return csv_rows.Reason.as_written(error.message)


def start_run(
    *, user: User, clinic: Clinic, source: str, kind: str, file_name: str, data: bytes
) -> ImportRun:
    """Keep an uploaded file for the next steps, with the columns its system's mapping
    suggests; Invalid when it cannot be read (too big, not UTF-8, not CSV)."""
    try:
        source_, kind_ = Source(source), Kind(kind)
    except ValueError:
        raise Invalid("unknown_choice", gettext("Choose a system and a kind of file.")) from None
    table = csv_rows.read_table(data)
    if isinstance(table, csv_rows.Refusal):
        raise Invalid("unreadable_file", table.message, [("file", table.message)])
    run = ImportRun.objects.create(
        clinic=clinic,
        by=user,
        source_system=source_.value,
        kind=kind_.value,
        file_name=file_name[:200],
        content=data,
        mapping=suggested(source=source_, kind=kind_, headers=table.headers),
    )
    # Who uploaded which kind of file is kept; the file's content is never logged.
    record_event(actor=user, action="import.upload", patient=None, obj=run)
    return run


def table_of(run: ImportRun) -> csv_rows.Table:
    """The run's file, read again (it was readable when uploaded); Conflict once emptied."""
    if run.content is None or run.status != RunStatus.UPLOADED:
        raise Conflict("file_gone", gettext("This file was imported or discarded already."))
    table = csv_rows.read_table(bytes(run.content))
    if isinstance(table, csv_rows.Refusal):  # pragma: no cover - checked at upload
        raise Invalid("unreadable_file", table.message)
    return table


def set_mapping(*, run: ImportRun, mapping: dict[str, int | None]) -> ImportRun:
    """Keep the admin's choice of column per field; Invalid names each required field left
    without a column, or a column that does not exist."""
    table = table_of(run)
    kind = Kind(run.kind)
    known = {f.name for f in FIELDS[kind]}
    chosen = {
        name: column
        for name, column in mapping.items()
        if name in known and column is not None and 0 <= column < len(table.headers)
    }
    gaps = missing(kind=kind, mapping=chosen)
    if gaps:
        errors = [(f.name, gettext("Choose the column for this field.")) for f in gaps]
        raise Invalid(
            "mapping_incomplete",
            gettext("Choose a column for every required field: %(fields)s.")
            % {"fields": ", ".join(gettext(f.label) for f in gaps)},
            errors,
        )
    run.mapping = chosen
    run.save(update_fields=["mapping"])
    return run


def dry_run(*, run: ImportRun, now: datetime | None = None) -> Report:
    """What importing the file would do, row by row, writing nothing."""
    table = table_of(run)
    if missing(kind=Kind(run.kind), mapping=run.mapping):
        raise Invalid("mapping_incomplete", gettext("Choose the columns first."))
    return _walk(run, table, by=None, now=now or timezone.now())


def import_file(*, run: ImportRun, by: User, now: datetime | None = None) -> Report:
    """Import the file in one transaction (the run is locked: a second click imports nothing)
    and empty the stored file. Refused rows are listed in the result."""
    now = now or timezone.now()
    with transaction.atomic():
        # One import of a clinic at a time: a second (the same file uploaded twice and imported
        # at once) waits here, then finds the first's rows "already imported".
        list(
            ImportRun.objects.select_for_update()
            .filter(clinic_id=run.clinic_id)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        locked = ImportRun.objects.select_for_update().get(pk=run.pk)
        table = table_of(locked)
        if missing(kind=Kind(locked.kind), mapping=locked.mapping):
            raise Invalid("mapping_incomplete", gettext("Choose the columns first."))
        report = _walk(locked, table, by=by, now=now)
        locked.status = RunStatus.IMPORTED
        locked.content = None
        locked.result = report.as_json()
        locked.finished_at = now
        locked.save(update_fields=["status", "content", "result", "finished_at"])
        record_event(actor=by, action="import.done", patient=None, obj=locked)
    run.refresh_from_db()
    return report


def discard_run(*, run: ImportRun, by: User) -> None:
    """Drop an uploaded file without importing it."""
    if run.status != RunStatus.UPLOADED:
        raise Conflict("file_gone", gettext("This file was imported or discarded already."))
    run.status, run.content, run.finished_at = RunStatus.DISCARDED, None, timezone.now()
    run.save(update_fields=["status", "content", "finished_at"])
    record_event(actor=by, action="import.discard", patient=None, obj=run)


def purge_stale_files(now: datetime | None = None) -> int:
    """Empty the files of runs uploaded over `KEEP_FILE_DAYS` ago and never imported (the
    daily purge: a CSV of patients does not wait on the server for a decision)."""
    cutoff = (now or timezone.now()) - timedelta(days=KEEP_FILE_DAYS)
    return ImportRun.objects.filter(status=RunStatus.UPLOADED, created_at__lt=cutoff).update(
        status=RunStatus.DISCARDED, content=None
    )


# --- Walking the file ------------------------------------------------------------------------


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


@dataclass
class _Context:
    """What the rows of one file resolve against, read once per file."""

    run: ImportRun
    source: Source
    kind: Kind
    by: User | None
    now: datetime
    therapists: list[TherapistProfile]
    locations: list[Location]
    # In-file bookkeeping: the first row with each id, email, and each planned session's span.
    seen_ids: dict[str, int] = field(default_factory=dict)
    seen_emails: dict[str, int] = field(default_factory=dict)
    spans: list[tuple[int, int, str, datetime, datetime, datetime]] = field(default_factory=list)
    session_days: dict[tuple[str, int, date], int] = field(default_factory=dict)
    session_types: dict[int, list[SessionType]] = field(default_factory=dict)

    @property
    def writing(self) -> bool:
        return self.by is not None

    @property
    def system(self) -> str:
        return gettext(SOURCE_NAMES[self.source])

    @property
    def system_named(self) -> csv_rows.Reason:
        """The system's name as a reason names it: translated with the reason."""
        return csv_rows.Reason(SOURCE_NAMES[self.source])


class RowRefused(Exception):
    def __init__(self, *reasons: csv_rows.Reason) -> None:
        self.reasons = list(reasons)


def _walk(run: ImportRun, table: csv_rows.Table, *, by: User | None, now: datetime) -> Report:
    ctx = _Context(
        run=run,
        source=Source(run.source_system),
        kind=Kind(run.kind),
        by=by,
        now=now,
        therapists=selectors.therapists_of(clinic=run.clinic),
        locations=selectors.locations_of(clinic=run.clinic),
    )
    handle: Callable[[_Context, csv_rows.Row, Report], None] = {
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


def _remember(ctx: _Context, row: csv_rows.Row, target_id: int) -> None:
    ImportedRecord.objects.create(
        clinic=ctx.run.clinic,
        source_system=ctx.source.value,
        kind=ctx.kind.value,
        source_id=row.source_id,
        target_id=target_id,
        run=ctx.run,
    )


def _patient(ctx: _Context, row: csv_rows.Row, report: Report) -> None:
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
        _check_existing(ctx, existing)
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


def settings_zone() -> str:
    return str(settings.TIME_ZONE)


def _check_existing(ctx: _Context, person: User) -> None:
    """An account that exists is linked only when it is this clinic's patient already: booked
    here before, or made by this clinic's import. Anyone else's account would otherwise hand
    their care (and their record) to this clinic's therapists; a staff account is never a
    patient of an import."""
    if is_staff_account(person):
        raise RowRefused(reason_of(staff_refusal()))
    if not person.is_active or not (
        selectors.imported_by(clinic=ctx.run.clinic, user_id=person.pk)
        or is_patient_of_clinic(patient=person, clinic_id=ctx.run.clinic.pk)
    ):
        raise RowRefused(
            csv_rows.Reason(
                gettext_noop(
                    "An account with this email exists already and is not a patient of this "
                    "clinic: it is not linked. Ask the person to book with you, or to share "
                    "their record with you."
                )
            )
        )


def _patient_of(ctx: _Context, row: csv_rows.Row) -> User:
    """The row's patient: one this clinic imported, or an account that is this clinic's
    patient already (`_check_existing`). Any other answer is one refusal, alike whether an
    account has the email or not: the file does not tell who has an account here."""
    patient: User | None = None
    if row.patient_id:
        target = selectors.imported_target(
            clinic=ctx.run.clinic,
            source=ctx.source.value,
            kind=Kind.PATIENTS.value,
            source_id=row.patient_id,
        )
        if target is not None:
            patient = User.objects.filter(pk=target).first()
    if patient is None and row.patient_email:
        patient = find_person(email=row.patient_email)
    if patient is not None:
        try:
            _check_existing(ctx, patient)
        except RowRefused:
            patient = None
    if patient is not None:
        return patient
    raise RowRefused(
        csv_rows.Reason(
            gettext_noop(
                "No patient with id “%(id)s” was imported from %(system)s and no patient of "
                "this clinic has the email “%(email)s”: import the patients file first."
            ),
            {
                "id": csv_rows.shown(row.patient_id, 40),
                "system": ctx.system_named,
                "email": csv_rows.shown(row.patient_email),
            },
        )
    )


def _therapist_of(ctx: _Context, row: csv_rows.Row) -> TherapistProfile:
    wanted = _key(row.therapist)
    by_email = [t for t in ctx.therapists if t.user.email.casefold() == wanted]
    if by_email:
        return by_email[0]
    by_name = [t for t in ctx.therapists if _key(t.user.get_full_name()) == wanted]
    if len(by_name) == 1:
        return by_name[0]
    if len(by_name) > 1:
        raise RowRefused(
            csv_rows.Reason(
                gettext_noop("Two therapists here are named %(name)s: give their email instead."),
                {"name": csv_rows.shown(row.therapist, 80)},
            )
        )
    raise RowRefused(
        csv_rows.Reason(
            gettext_noop("No therapist named %(name)s at this clinic: invite them first."),
            {"name": csv_rows.shown(row.therapist, 80)},
        )
    )


def _location_of(ctx: _Context, row: csv_rows.Row, therapist: TherapistProfile) -> Location:
    if not ctx.locations:
        raise RowRefused(
            csv_rows.Reason(gettext_noop("The clinic has no location yet: add one first."))
        )
    named = [loc for loc in ctx.locations if row.location and _key(loc.name) == _key(row.location)]
    if named:
        return named[0]
    theirs = [loc for loc in ctx.locations if loc.pk in _location_ids(therapist)]
    return (theirs or ctx.locations)[0]


def _location_ids(therapist: TherapistProfile) -> set[int]:
    return set(therapist.locations.values_list("pk", flat=True))


def _session_type_of(ctx: _Context, row: csv_rows.Row, therapist: TherapistProfile) -> SessionType:
    types = ctx.session_types.get(therapist.pk)
    if types is None:
        types = ctx.session_types[therapist.pk] = selectors.session_types_of(therapist=therapist)
    if not types:
        raise RowRefused(
            csv_rows.Reason(
                gettext_noop(
                    "%(name)s has no session types yet: add their standard session first."
                ),
                {"name": therapist.name},
            )
        )
    named = [t for t in types if row.session_type and _key(t.name) == _key(row.session_type)]
    return (named or types)[0]  # else the standard session (first)


def _aware(ctx: _Context, moment: datetime, location: Location) -> datetime:
    """A file's local time at the location, in UTC; refused when the clocks skipped it."""
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    zone = ZoneInfo(location.time_zone)
    aware = moment.replace(tzinfo=zone)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != moment:
        raise RowRefused(
            csv_rows.Reason(
                gettext_noop("%(when)s does not exist in %(zone)s (the clocks went forward)."),
                {"when": f"{moment:%Y-%m-%d %H:%M}", "zone": location.time_zone},
            )
        )
    return aware.astimezone(UTC)


def _check_in_file(
    ctx: _Context,
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
    ctx: _Context, row: csv_rows.Row, patient: User, therapist: TherapistProfile, status: str
) -> Appointment | None:
    """Check (and, when importing, store) one session: None in a dry run."""
    assert row.start is not None
    location = _location_of(ctx, row, therapist)
    session_type = _session_type_of(ctx, row, therapist)
    start = _aware(ctx, row.start, location)
    end = _aware(ctx, row.end, location) if row.end is not None else None
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


def _appointment(ctx: _Context, row: csv_rows.Row, report: Report) -> None:
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
    for find in (lambda: _patient_of(ctx, row), lambda: _therapist_of(ctx, row)):
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
    ctx: _Context, patient: User, therapist: TherapistProfile, day: date
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


def _summary(ctx: _Context, row: csv_rows.Row, report: Report) -> None:
    reasons: list[csv_rows.Reason] = []
    try:
        patient: User | None = _patient_of(ctx, row)
    except RowRefused as refused:
        patient, reasons = None, reasons + refused.reasons
    try:
        therapist: TherapistProfile | None = _therapist_of(ctx, row)
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
        location = _location_of(ctx, row, therapist)
        if _aware(ctx, row.start, location) > ctx.now:
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
