"""Demo pain diaries for `seed_demo`, with trajectories that differ: the demo patient responds
to massage with a flare-up mid-course; two more patients of the demo therapist respond, and do
not respond (the honest prompt shows for them)."""

from __future__ import annotations

import random
from datetime import timedelta

from sciaticare.accounts.demo import ensure_person
from sciaticare.accounts.models import Role, User
from sciaticare.accounts.selectors import today_for
from sciaticare.outcomes import practice_services
from sciaticare.outcomes.models import PainEntry

DAYS = 150
#: The day of the diary the weekly course of massage starts (98 days, 14 weeks, ago: the
#: demo scheduling's COURSE_WEEKS), and the flare-up five weeks into it.
COURSE = DAYS - 98
FLARE_UP = range(COURSE + 35, COURSE + 42)


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


def seed(accounts: dict[str, User]) -> None:
    _seed_diaries(accounts)
    # The stored therapist and clinic figures, as the daily task would leave them.
    practice_services.refresh_outcomes()


def _seed_diaries(accounts: dict[str, User]) -> None:
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
