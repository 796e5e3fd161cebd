"""What a row of an import file names here: the patient (made by this clinic's import, or an
account that is already this clinic's patient; never anyone else's), the clinic's therapist,
location and session type, and the row's times on the location's clock. Each answers the thing
or raises RowRefused with why (services/import_rows.py walks the rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext, gettext_noop

from sciaticare.accounts.models import User
from sciaticare.accounts.services_import import (
    find_person,
    is_staff_account,
    staff_refusal,
)
from sciaticare.core.errors import DomainError
from sciaticare.directory.models import Location, SessionType, TherapistProfile
from sciaticare.integrations import rows as csv_rows
from sciaticare.integrations.mappings import (
    SOURCE_NAMES,
    Kind,
    Source,
)
from sciaticare.integrations.models import ImportRun
from sciaticare.integrations.selectors import imports as selectors
from sciaticare.scheduling.selectors.care import is_patient_of_clinic


def key(text: str) -> str:
    return " ".join(text.casefold().split())


@dataclass
class Context:
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


def reason_of(error: DomainError) -> csv_rows.Reason:
    """Another app's refusal as a row's reason: in its English and values when the error kept
    them (DomainError.saying), else as it reads."""
    if error.words is not None:
        return csv_rows.Reason(*error.words)
    return csv_rows.Reason.as_written(error.message)


class RowRefused(Exception):
    def __init__(self, *reasons: csv_rows.Reason) -> None:
        self.reasons = list(reasons)


def settings_zone() -> str:
    return str(settings.TIME_ZONE)


def check_existing(ctx: Context, person: User) -> None:
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


def patient_of(ctx: Context, row: csv_rows.Row) -> User:
    """The row's patient: one this clinic imported, or an account that is this clinic's
    patient already (`check_existing`). Any other answer is one refusal, alike whether an
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
            check_existing(ctx, patient)
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


def therapist_of(ctx: Context, row: csv_rows.Row) -> TherapistProfile:
    wanted = key(row.therapist)
    by_email = [t for t in ctx.therapists if t.user.email.casefold() == wanted]
    if by_email:
        return by_email[0]
    by_name = [t for t in ctx.therapists if key(t.user.get_full_name()) == wanted]
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


def location_of(ctx: Context, row: csv_rows.Row, therapist: TherapistProfile) -> Location:
    if not ctx.locations:
        raise RowRefused(
            csv_rows.Reason(gettext_noop("The clinic has no location yet: add one first."))
        )
    named = [loc for loc in ctx.locations if row.location and key(loc.name) == key(row.location)]
    if named:
        return named[0]
    theirs = [loc for loc in ctx.locations if loc.pk in location_ids(therapist)]
    return (theirs or ctx.locations)[0]


def location_ids(therapist: TherapistProfile) -> set[int]:
    return set(therapist.locations.values_list("pk", flat=True))


def session_type_of(ctx: Context, row: csv_rows.Row, therapist: TherapistProfile) -> SessionType:
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
    named = [t for t in types if row.session_type and key(t.name) == key(row.session_type)]
    return (named or types)[0]  # else the standard session (first)


def aware(ctx: Context, moment: datetime, location: Location) -> datetime:
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
