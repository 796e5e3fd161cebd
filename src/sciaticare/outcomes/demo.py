"""Demo pain diaries for `seed_demo`, with trajectories that differ: the demo patient responds
to massage with a flare-up mid-course; two more patients of the demo therapist respond, and do
not respond (the honest prompt shows for them).

The other patients the exercises demo gave a programme (24 of the demo clinic's) keep a diary
over their course too, so the clinic's "Exercise and relief" has figures: of those who kept up
their exercises most improve, not all; of those who did not, fewer, but some (`RESPONDING`).
Observational, like the page says: no miracle, and no cause shown.

Two steps, around the exercises demo: `seed_diaries` before it (it reads the demo patient's
diary), `seed` after it (the programme patients' diaries, then the stored figures)."""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from django.db.models import Min
from django.utils import timezone

from sciaticare.accounts.demo import ensure_person
from sciaticare.accounts.models import Role, User
from sciaticare.accounts.selectors import today_for
from sciaticare.exercises.adherence import adherent
from sciaticare.exercises.models import ExercisePlan, Origin
from sciaticare.exercises.selectors.progress import adherence_in_windows
from sciaticare.outcomes import practice, practice_services
from sciaticare.outcomes.models import PainEntry
from sciaticare.records.models import SessionNote
from sciaticare.scheduling.models import AppointmentStatus

DAYS = 150
#: The day of the diary the weekly course of massage starts (98 days, 14 weeks, ago: the
#: demo scheduling's COURSE_WEEKS), and the flare-up five weeks into it.
COURSE = DAYS - 98
FLARE_UP = range(COURSE + 35, COURSE + 42)

#: The share of responders at 6 weeks the programme patients' diaries are drawn to give, among
#: those who kept up their exercises (``adherence.adherent``) and among those who did not.
RESPONDING = {True: 0.65, False: 0.4}
#: A programme patient's diary starts this many days before their first session (the
#: baseline is the 7 days before it).
BEFORE_COURSE = 10
DRAWS = 50


def _trajectory(kind: str, day: int, rng: random.Random) -> tuple[int, int]:
    """Back and leg pain on day `day` of the diary (the course of massage starts on `COURSE`)."""
    if kind == "responder_with_flare":
        base = 7 if day < COURSE else max(7 - (day - COURSE) / 10, 2.5)
        if day in FLARE_UP:  # a flare-up after a long drive
            base += 3
    elif kind == "responder":
        base = 6.5 if day < COURSE else max(6.5 - (day - COURSE) / 8, 2)
    else:  # non-responder
        base = 6 + rng.choice([-0.5, 0, 0.5])
    back = round(min(max(base + rng.uniform(-1, 1), 0), 10))
    leg = round(min(max(base + 0.5 + rng.uniform(-1, 1), 0), 10))
    return back, leg


def seed_diaries(accounts: dict[str, User]) -> None:
    """The demo patient's and two more patients' diaries (before the exercises demo)."""
    patient = accounts["patient@example.com"]
    if PainEntry.objects.filter(patient=patient).exists():
        return
    rng = random.Random(42)
    today = today_for(patient)  # the demo patient's own day (Europe/London)
    people = [
        (patient, "responder_with_flare"),
        (
            ensure_person(
                "aisha.rahman@example.com", "Aisha", "Rahman", (Role.PATIENT,), password=None
            ),
            "responder",
        ),
        (
            ensure_person(
                "tom.becker@example.com", "Tom", "Becker", (Role.PATIENT,), password=None
            ),
            "non_responder",
        ),
    ]
    entries: list[PainEntry] = []
    for person, kind in people:
        for day in range(DAYS):
            if rng.random() < 0.15:  # people miss days
                continue
            back, leg = _trajectory(kind, day, rng)
            tags = ["flare_up"] if kind == "responder_with_flare" and day in FLARE_UP else []
            entries.append(
                PainEntry(
                    patient=person,
                    day=today - timedelta(days=DAYS - day),
                    back_pain=back,
                    leg_pain=leg,
                    tags=tags,
                )
            )
    PainEntry.objects.bulk_create(entries)


def seed(accounts: dict[str, User]) -> None:
    """After the exercises demo: its programme patients' diaries, then the stored therapist
    and clinic figures, as the daily task would leave them."""
    _programme_diaries(timezone.now())
    practice_services.refresh_outcomes()


# --- The programme patients' diaries ------------------------------------------------------


def _programme_diaries(now: datetime) -> None:
    """A diary over the course of each patient with a therapist's programme and no diary yet
    (the three above keep theirs), responding at 6 weeks as ``RESPONDING`` draws it for their
    adherence over the weeks the clinic's page judges (``practice.ADHERENCE_WINDOW``)."""
    plans = list(
        ExercisePlan.objects.filter(origin=Origin.THERAPIST, clinic__isnull=False)
        .exclude(patient_id__in=PainEntry.objects.values("patient_id"))
        .select_related("patient")
        .order_by("pk")
    )
    if not plans:
        return
    # Each course starts at the patient's first signed session at the clinic (practice.py).
    firsts = {
        (patient, clinic): first
        for patient, clinic, first in SessionNote.objects.filter(
            patient_id__in=[plan.patient_id for plan in plans],
            signed_at__isnull=False,
            appointment__status=AppointmentStatus.COMPLETED,
        )
        .values_list("patient_id", "appointment__location__clinic_id")
        .annotate(first=Min("appointment__start"))
    }
    courses: dict[int, tuple[User, date]] = {}
    for plan in plans:
        first = firsts.get((plan.patient_id, plan.clinic_id))
        if first is not None and plan.patient_id not in courses:
            courses[plan.patient_id] = (plan.patient, first.astimezone(UTC).date())
    utc_today = now.astimezone(UTC).date()
    start, end = practice.ADHERENCE_WINDOW
    weeks = adherence_in_windows(
        {
            pk: (pk, first + timedelta(days=start), min(first + timedelta(days=end - 1), utc_today))
            for pk, (_, first) in courses.items()
        }
    )
    groups: dict[bool, list[int]] = {True: [], False: []}
    for pk in courses:
        groups[bool(adherent(weeks.get(pk, [])))].append(pk)
    rng = random.Random(7)
    responds: dict[int, bool] = {}
    for kept_up, members in groups.items():
        rng.shuffle(members)
        count = round(RESPONDING[kept_up] * len(members))
        responds.update({pk: n < count for n, pk in enumerate(members)})
    entries: list[PainEntry] = []
    for pk, (person, first) in sorted(courses.items()):
        days = _course(rng, first, today_for(person, now), responds=responds[pk])
        entries += [
            PainEntry(patient=person, day=day, back_pain=back, leg_pain=leg)
            for day, back, leg in days
        ]
    PainEntry.objects.bulk_create(entries, batch_size=2000)


def _course(
    rng: random.Random, first: date, today: date, *, responds: bool
) -> list[tuple[date, int, int]]:
    """(day, back, leg) from ``BEFORE_COURSE`` days before the first session to yesterday:
    pain that eases over three to six weeks to about half (a responder) or hardly (not), with
    the day-to-day ups and downs and missed days of a real diary. Drawn again until the
    responder rule says what was meant, with an entry in both of its windows."""
    found: list[tuple[date, int, int]] = []
    for _ in range(DRAWS):
        baseline = rng.uniform(5.5, 8)
        eased = rng.uniform(0.4, 0.65) if responds else rng.uniform(-0.1, 0.12)
        settle = rng.uniform(21, 42)
        found = []
        for n in range((today - first).days + BEFORE_COURSE):
            day = first + timedelta(days=n - BEFORE_COURSE)
            since = (day - first).days
            if rng.random() < (0.15 if since < 56 else 0.35):  # fewer entries once better
                continue
            level = baseline * (1 - eased * min(max(since, 0) / settle, 1))
            leg = round(min(max(level + rng.uniform(-1, 1), 0), 10))
            back = round(min(max(level - 1 + rng.uniform(-1, 1), 0), 10))
            found.append((day, back, leg))
        if _responds(found, first) is responds:
            return found
    return found


def _responds(days: Sequence[tuple[date, int, int]], first: date) -> bool | None:
    """The responder rule of the clinic's page (``practice``), or None when not evaluable."""
    (b_from, b_to), (f_from, f_to) = practice.diary_windows(first)
    before = [max(back, leg) for day, back, leg in days if b_from <= day < b_to]
    after = [max(back, leg) for day, back, leg in days if f_from <= day < f_to]
    if not before or not after:
        return None
    return practice.responds_at_six_weeks(statistics.median(before), statistics.median(after))
