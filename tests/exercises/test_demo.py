"""`seed_demo` gives the demo patient a programme from her therapist with a believable story in
its logs, and enough patients of the demo clinic a programme for its adherence figures; once,
whatever day it is seeded. The figures are computed here with the app's pure modules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from sciaticare.accounts.models import User
from sciaticare.exercises import adherence, response, tasks
from sciaticare.exercises.models import ExerciseLog, ExercisePlan, PausedExercise, PlanItem
from sciaticare.outcomes.models import PainEntry
from sciaticare.scheduling.models import Appointment, AppointmentStatus

pytestmark = pytest.mark.django_db

SATURDAY_MORNING = datetime(2026, 12, 5, 10, 20, tzinfo=UTC)
#: A Tuesday evening: her weekly session was this morning.
TUESDAY_EVENING = datetime(2026, 12, 8, 18, 0, tzinfo=UTC)


def _counts() -> tuple[int, int, int]:
    return (
        ExercisePlan.objects.count(),
        ExerciseLog.objects.count(),
        PausedExercise.objects.count(),
    )


@pytest.mark.parametrize("now", [SATURDAY_MORNING, TUESDAY_EVENING], ids=["saturday", "tuesday"])
def test_the_demo_patient_s_programme_tells_a_believable_story(monkeypatch, now):
    monkeypatch.setattr(timezone, "now", lambda: now)
    call_command("seed_demo")
    maya = User.objects.get(email="patient@example.com")
    today = now.date()

    (plan,) = ExercisePlan.objects.filter(patient=maya)
    sessions = Appointment.objects.filter(
        patient=maya, therapist__user=plan.therapist, status=AppointmentStatus.COMPLETED
    ).order_by("start")
    assert plan.therapist.email == "therapist@example.com"
    assert plan.clinic.name == "Didsbury Back Care"
    first, second = plan.versions.order_by("number")
    # Written from her first session's signed note; the doses raised three sessions later.
    assert first.appointment == sessions[0]
    assert first.appointment.note.signed_at is not None
    assert second.appointment == sessions[3]
    assert second.start_date > first.start_date
    doses = {
        (item.version.number, item.exercise.slug): (item.minutes, item.sets)
        for item in PlanItem.objects.filter(version__plan=plan).select_related("version")
    }
    assert doses[1, "walking"] < doses[2, "walking"]
    assert doses[1, "knee-to-chest"] < doses[2, "knee-to-chest"]
    assert doses[1, "sciatic-nerve-slider"] < doses[2, "sciatic-nerve-slider"]

    logs = list(ExerciseLog.objects.filter(plan=plan).select_related("exercise"))
    done = {(log.exercise.slug, log.date) for log in logs if log.done}
    assert min(d for _, d in done) == first.start_date
    assert (today - first.start_date).days >= 60

    # One "spread down the leg", on the slider, after her last session; then she paused it.
    (spread,) = [log for log in logs if log.spread_down_leg]
    last_session = sessions.last()
    assert spread.exercise.slug == "sciatic-nerve-slider"
    assert spread.updated_at > last_session.start
    assert spread.date <= today
    (paused,) = PausedExercise.objects.filter(plan=plan)
    assert paused.exercise == spread.exercise
    assert spread.updated_at < paused.paused_at <= now
    assert not [
        log
        for log in logs
        if log.exercise.slug == "sciatic-nerve-slider" and log.date > spread.date
    ]

    # Adherence 60-85 % over the programme, varying by week, lowest in the flare-up's week.
    days = [first.start_date + timedelta(days=n) for n in range((today - first.start_date).days)]
    slider_days = [d for d in days if d <= spread.date]
    planned = {(s, d) for s in ("walking", "knee-to-chest") for d in days}
    planned |= {("sciatic-nerve-slider", d) for d in slider_days}
    weeks = adherence.weekly(planned=planned, done=done)
    assert 0.6 <= adherence.overall(weeks) <= 0.85
    diary = dict(PainEntry.objects.filter(patient=maya).values_list("day", "leg_pain"))
    flare = _flare_week(maya)
    by_week = {week.start: week.ratio for week in weeks if week.planned >= 6}
    assert by_week[flare] == min(by_week.values())
    usual = [ratio for start, ratio in by_week.items() if start != flare]
    assert 0.55 <= min(usual) < max(usual) <= 0.9

    # Her leg pain about a point lower on the days she walked (no cause claimed, none shown).
    walked = response.pain_on_days(
        planned=days, done=[d for s, d in done if s == "walking"], pain=diary
    )
    assert walked.enough
    assert -1.5 <= walked.difference <= -0.5

    # The demo clinic: ten patients or more who keep their programme up, ten or more who do not.
    shares = []
    for other in ExercisePlan.objects.exclude(patient=maya).filter(clinic=plan.clinic):
        start = other.versions.get().start_date
        mask = {i.exercise_id: i.days for i in PlanItem.objects.filter(version__plan=other)}
        span = adherence.Span(start, today - timedelta(days=1), mask)
        ticks = set(other.logs.filter(done=True).values_list("exercise_id", "date"))
        shares.append(
            adherence.overall(
                adherence.weekly(planned=adherence.planned_sessions([span]), done=ticks)
            )
        )
    assert sum(share >= adherence.ADHERENT_FROM for share in shares) >= 10
    assert sum(share < adherence.ADHERENT_FROM for share in shares) >= 10

    # `make run` again: nothing added.
    before = _counts()
    call_command("seed_demo")
    assert _counts() == before


def _flare_week(patient: User) -> date:
    days = [
        entry.day for entry in PainEntry.objects.filter(patient=patient) if "flare_up" in entry.tags
    ]
    return adherence.week_of(sorted(days)[len(days) // 2])


def test_the_demo_patient_is_reminded_of_the_day_s_exercises(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: SATURDAY_MORNING)  # 10:20 in London
    call_command("seed_demo")

    assert tasks.send_exercise_reminders.call() >= 1

    (message,) = [m for m in mail.outbox if m.to == ["patient@example.com"]]
    assert "- Walking: 20 minutes, once a day\n" in message.body
    assert "slider" not in message.body  # paused
