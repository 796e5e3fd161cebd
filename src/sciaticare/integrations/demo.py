"""Demo of moving in, for `seed_demo`: the demo clinic (Didsbury Back Care, run by
clinic@example.com) brought its patients, their coming appointments and past session summaries
from Cliniko, through the same steps a clinic admin takes (upload, the suggested columns, the
dry run, the import), so its import history shows three finished runs with what each refused.

The patients file is `data/cliniko_patients.csv` (40 people, one row without an email, one
landline, and Tom Becker, who has an account here but never booked with this clinic: refused,
not linked). The appointments and summaries files
are written here from the clinic's own therapists and today's date (a fixed random seed: the
same clinic on the same day gives the same files): ~30 appointments over the next three weeks
and ~60 summaries of the last four months, laid where the therapist and the patient are free,
and on purpose one appointment at the time of a booking the clinic has already (listed as an
overlap), one with a practitioner who is not here, and one cancelled in Cliniko.

Idempotent: once the clinic has an import, nothing is done.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils import timezone

from sciaticare.accounts.models import User
from sciaticare.directory.models import Clinic, TherapistProfile
from sciaticare.directory.selectors.access import clinics_run_by
from sciaticare.integrations.models import ImportRun
from sciaticare.integrations.selectors import imports as selectors
from sciaticare.integrations.services import imports as services
from sciaticare.scheduling.models import ACTIVE_STATUSES, Appointment
from sciaticare.scheduling.services.imports import overlapping

SEED = 18
DATA = Path(__file__).parent / "data"
LENGTH = timedelta(minutes=60)
#: Enough room after a session for any clinic's buffer: the generator's own overlap margin.
MARGIN = timedelta(minutes=30)
FUTURE_APPOINTMENTS, PAST_SUMMARIES = 30, 60
HOURS = (time(10), time(11, 30), time(13), time(14, 30), time(16))

#: Past session summaries as a therapist writes them in Cliniko's treatment notes.
SUMMARIES = [
    "Right-sided buttock and thigh pain. Piriformis and gluteal work, moderate pressure. "
    "Leg pain 6/10 before, 4/10 after. Advised short walks and breaks from sitting.",
    "Lower back and left buttock. Myofascial release to lumbar and gluteal area, light "
    "pressure. Sleeping better this week. Continue walking.",
    "Review. Leg pain settling (3/10), back stiff in the mornings. Swedish massage to back "
    "and hips. Discussed gentle movement during the working day.",
    "Flare-up after a long drive. Light pressure only, side-lying. Pain 7/10 before, 5/10 "
    "after. Went over the warning signs that need urgent care.",
    "Gluteals and hamstrings, trigger point work on the right. Client walking further (about "
    "20 minutes). Leg pain 4/10.",
    "Lumbar and thoracic paraspinals, moderate pressure. No leg symptoms today; back 2/10. "
    "Next session in two weeks.",
    "Left calf and back of thigh tight after a weekend of gardening. Soft tissue work, light "
    "to moderate. Pain 5/10 before, 3/10 after.",
    "First session. Sciatica diagnosed by the GP in the spring. Gentle work to back and "
    "buttock to see the response. Tolerated well.",
    "Hips and lower back. Client back at work full time. Pain 3/10. Reviewed sitting "
    "breaks and the walking plan.",
    "Tender over the right piriformis. Moderate pressure with breaks. Pain 5/10, easing to "
    "3/10 by the end. Follow-up booked.",
]


def seed(accounts: dict[str, User]) -> None:
    admin = accounts["clinic@example.com"]
    clinic = clinics_run_by(user=admin).first()
    if clinic is None or ImportRun.objects.filter(clinic=clinic).exists():
        return
    now = timezone.now()
    therapists = selectors.therapists_of(clinic=clinic)
    if not therapists or not selectors.locations_of(clinic=clinic):
        return
    _import(admin, clinic, "patients", "cliniko-patients.csv", _patients_file(), now)
    patients = _imported_patients(clinic)
    rng = random.Random(SEED)
    appointments = _appointments_file(rng, clinic, therapists, patients, now)
    _import(admin, clinic, "appointments", "cliniko-appointments.csv", appointments, now)
    summaries = _summaries_file(rng, therapists, patients, now)
    _import(admin, clinic, "summaries", "cliniko-treatment-notes.csv", summaries, now)


def _import(admin: User, clinic: Clinic, kind: str, name: str, data: bytes, now: datetime) -> None:
    """Upload, keep the suggested columns, dry run, import: what the admin's clicks do."""
    run = services.start_run(
        user=admin, clinic=clinic, source="cliniko", kind=kind, file_name=name, data=data
    )
    services.dry_run(run=run, now=now)
    services.import_file(run=run, by=admin, now=now)


def _patients_file() -> bytes:
    return (DATA / "cliniko_patients.csv").read_bytes()


def _imported_patients(clinic: Clinic) -> list[tuple[str, User]]:
    """Each patient of the file that is here now: (their Cliniko id, the account)."""
    found = []
    for row in csv.DictReader(io.StringIO(_patients_file().decode("utf-8"))):
        target = selectors.imported_target(
            clinic=clinic, source="cliniko", kind="patients", source_id=row["Patient ID"]
        )
        patient = User.objects.filter(pk=target).first() if target else None
        if patient is not None:
            found.append((row["Patient ID"], patient))
    return found


def _names(therapists: list[TherapistProfile]) -> dict[int, str]:
    """How the file names each therapist: their full name, or their email when two share it."""
    full = [t.user.get_full_name() for t in therapists]
    return {
        t.pk: name if full.count(name) == 1 else t.user.email
        for t, name in zip(therapists, full, strict=True)
    }


def _business(therapist: TherapistProfile, clinic: Clinic) -> str:
    location = therapist.locations.filter(clinic=clinic).order_by("pk").first()
    return location.name if location else ""


def _write(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


class _Calendar:
    """Where the files' sessions may go: free for the therapist and the patient here, and in
    the file itself."""

    def __init__(self) -> None:
        self.taken: list[tuple[int, int, datetime, datetime]] = []

    def free(self, therapist: TherapistProfile, patient: User, start: datetime) -> bool:
        end = start + LENGTH + MARGIN
        if overlapping(therapist=therapist, patient=patient, start=start, busy_until=end):
            return False
        return not any(
            (t == therapist.pk or p == patient.pk) and s < end and start < e
            for t, p, s, e in self.taken
        )

    def take(self, therapist: TherapistProfile, patient: User, start: datetime) -> None:
        self.taken.append((therapist.pk, patient.pk, start, start + LENGTH + MARGIN))


def _slot(rng: random.Random, day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, rng.choice(HOURS), tzinfo=zone)


def _appointments_file(
    rng: random.Random,
    clinic: Clinic,
    therapists: list[TherapistProfile],
    patients: list[tuple[str, User]],
    now: datetime,
) -> bytes:
    zone = ZoneInfo(selectors.locations_of(clinic=clinic)[0].time_zone)
    today = now.astimezone(zone).date()
    names = _names(therapists)
    calendar, rows = _Calendar(), list[list[str]]()
    number = 90_000
    for _ in range(FUTURE_APPOINTMENTS * 4):
        if len(rows) >= FUTURE_APPOINTMENTS:
            break
        day = today + timedelta(days=rng.randint(2, 21))
        if day.weekday() >= 5:
            continue
        therapist, (patient_id, patient) = rng.choice(therapists), rng.choice(patients)
        start = _slot(rng, day, zone)
        if not calendar.free(therapist, patient, start):
            continue
        calendar.take(therapist, patient, start)
        number += 1
        business = _business(therapist, clinic)
        rows.append(
            _appointment_row(number, patient_id, patient, names[therapist.pk], start, business)
        )
    # An appointment at the time of one the clinic has booked here already: the dry run lists
    # it as an overlap, and the import leaves it out.
    booked = (
        Appointment.objects.filter(
            therapist__in=therapists,
            status__in=ACTIVE_STATUSES,
            start__gt=now + timedelta(days=2),
        )
        .select_related("therapist")
        .order_by("start")
        .first()
    )
    if booked is not None and patients:
        patient_id, patient = patients[0]
        start = booked.start.astimezone(zone)
        rows.append(
            _appointment_row(number + 1, patient_id, patient, names[booked.therapist.pk], start)
        )
    if patients:
        patient_id, patient = patients[1 % len(patients)]
        later = datetime.combine(today + timedelta(days=9), time(9), tzinfo=zone)
        rows.append(_appointment_row(number + 2, patient_id, patient, "Rebecca Stone", later))
        cancelled = _appointment_row(
            number + 3, patient_id, patient, names[therapists[0].pk], later
        )
        cancelled[8] = f"{now.astimezone(zone):%Y-%m-%d %H:%M}"
        rows.append(cancelled)
    header = [
        "ID",
        "Patient ID",
        "Patient Name",
        "Practitioner",
        "Appointment Type",
        "Business",
        "Starts At",
        "Ends At",
        "Cancelled At",
    ]
    return _write(header, rows)


def _appointment_row(
    number: int,
    patient_id: str,
    patient: User,
    therapist: str,
    start: datetime,
    business: str = "",
) -> list[str]:
    return [
        str(number),
        patient_id,
        patient.get_full_name(),
        therapist,
        "",
        business,
        f"{start:%Y-%m-%d %H:%M}",
        f"{start + LENGTH:%Y-%m-%d %H:%M}",
        "",
    ]


def _summaries_file(
    rng: random.Random,
    therapists: list[TherapistProfile],
    patients: list[tuple[str, User]],
    now: datetime,
) -> bytes:
    """Past sessions, each patient with one therapist (as a course of care is), day first as
    Cliniko writes dates in the UK."""
    zone = ZoneInfo("Europe/London")
    today = now.astimezone(zone).date()
    names = _names(therapists)
    theirs = {patient.pk: rng.choice(therapists) for _, patient in patients}
    calendar, rows = _Calendar(), list[list[str]]()
    seen: set[tuple[int, date]] = set()  # one summary per patient and day
    number = 70_000
    for _ in range(PAST_SUMMARIES * 4):
        if len(rows) >= PAST_SUMMARIES:
            break
        day = today - timedelta(days=rng.randint(3, 120))
        if day.weekday() >= 5:
            continue
        patient_id, patient = rng.choice(patients)
        therapist = theirs[patient.pk]
        start = _slot(rng, day, zone)
        if (patient.pk, day) in seen or not calendar.free(therapist, patient, start):
            continue
        seen.add((patient.pk, day))
        calendar.take(therapist, patient, start)
        number += 1
        rows.append(
            [
                str(number),
                patient_id,
                patient.get_full_name(),
                names[therapist.pk],
                f"{start:%d/%m/%Y %H:%M}",
                rng.choice(SUMMARIES),
            ]
        )
    header = ["ID", "Patient ID", "Patient Name", "Practitioner", "Appointment Date", "Notes"]
    return _write(header, rows)
