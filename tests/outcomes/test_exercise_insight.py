"""What helps this person (issue 17, point 4): adherence beside the pain chart, each exercise's
leg pain on days done against days not done, without a claim of cause; on the patient's diary
page, on the treating therapist's brief (flags first) and in the doctor's PDF."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from sciaticare.audit.models import AuditEvent
from sciaticare.exercises.adherence import EVERY_DAY
from sciaticare.exercises.response import Comparison
from sciaticare.intake import services as intake_services
from sciaticare.outcomes import report
from sciaticare.outcomes.exercise_selectors import comparison_words, exercise_insight_for
from sciaticare.outcomes.models import PainEntry
from tests.directory.factories import TherapistProfileFactory
from tests.exercises.insight_factories import exercise, log, plan
from tests.factories import AppointmentFactory, PatientFactory, TherapistFactory
from tests.intake.factories import make_intake

pytestmark = pytest.mark.django_db

#: Sunday 15 November 2026 at noon: the programme began 14 days before, on Sunday 1 November.
NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
START = date(2026, 11, 2)
NOTE = "Internal: watch her hamstring tone, discuss with Dr Patel"


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def world(clock):
    """A programme of two exercises over 2–15 November (14 days). Knee to chest: done on 8
    days (leg pain 3), not done on 6 (leg pain 5). Nerve slider: done twice, and leg pain
    spread down the leg after it on 12 November."""
    patient = PatientFactory(first_name="Odalys", last_name="Fenwick")
    make_intake(patient)
    profile = TherapistProfileFactory()
    AppointmentFactory(patient=patient, therapist=profile, start=NOW + timedelta(days=2))
    knee, slider = exercise("Knee to chest"), exercise("Sciatic nerve slider")
    made = plan(
        patient, [(knee, EVERY_DAY), (slider, EVERY_DAY)], start=START, therapist=profile.user
    )
    made.versions.update(note=NOTE)
    days = [START + timedelta(days=n) for n in range(14)]
    done = [*days[::2], days[1]]
    not_done = [d for d in days if d not in done]
    log(made, knee, done)
    log(made, slider, [date(2026, 11, 11)])
    log(made, slider, [date(2026, 11, 12)], spread=True, leg_pain="worse")
    PainEntry.objects.bulk_create(
        [PainEntry(patient=patient, day=d, back_pain=2, leg_pain=3) for d in done]
        + [PainEntry(patient=patient, day=d, back_pain=2, leg_pain=5) for d in not_done]
    )
    return {"patient": patient, "therapist": profile.user, "plan": made}


LOWER = Comparison(days_done=12, days_not_done=9, median_done=3.0, median_not_done=4.0)


@pytest.mark.parametrize(
    ("comparison", "voice", "words"),
    [
        (
            LOWER,
            "you",
            "On days you did it, your leg pain was 1 point lower (median 3 vs 4; "
            "12 days vs 9 days).",
        ),
        (
            Comparison(5, 6, 4.5, 4.0),
            "you",
            "On days you did it, your leg pain was 0.5 points higher (median 4.5 vs 4; "
            "5 days vs 6 days).",
        ),
        (
            Comparison(5, 5, 4.0, 4.0),
            "patient",
            "The patient's leg pain was about the same on days they did it and days they did "
            "not (median 4 both ways; 5 days vs 5 days).",
        ),
        (
            Comparison(12, 9, 4.0, 4.0),
            "you",
            "Your leg pain was about the same on days you did it and days you did not "
            "(12 days vs 9 days).",
        ),
        (
            Comparison(8, 6, 3.0, 5.0),
            "patient",
            "On days the patient did it, their leg pain was 2 points lower (median 3 vs 5; "
            "8 days vs 6 days).",
        ),
        (
            Comparison(12, 4, 3.0, 4.0),
            "you",
            "Not enough days yet to compare (needs 5 days each way).",
        ),
    ],
)
def test_the_comparison_in_words_names_both_medians_and_both_counts(comparison, voice, words):
    assert comparison_words(comparison, voice) == words


def test_the_comparison_in_spanish():
    with translation.override("es"):
        words = comparison_words(LOWER, "you")
        short = comparison_words(Comparison(2, 9, 3.0, 4.0), "you")

    assert words == (
        "Los días en que lo hizo, su dolor de pierna fue 1 punto menor (mediana 3 frente a 4; "
        "12 días frente a 9 días)."
    )
    assert short == "Aún no hay días suficientes para comparar (hacen falta 5 días de cada tipo)."


def test_the_comparison_in_spanish_when_the_pain_was_about_the_same():
    with translation.override("es"):
        you = comparison_words(Comparison(12, 9, 4.0, 4.0), "you")
        patient = comparison_words(Comparison(5, 5, 4.0, 4.0), "patient")

    assert you == (
        "Su dolor de pierna fue más o menos el mismo los días en que lo hizo y los días en que "
        "no lo hizo (12 días frente a 9 días)."
    )
    assert "mediana 4 en ambos casos" in patient


def test_no_cause_is_disclaimed_when_the_pain_was_the_same_either_way(client, world):
    """'This does not show that the exercise caused it': said of a difference only (the
    diary page, the brief and the report all ask ``compared``)."""
    PainEntry.objects.filter(patient=world["patient"]).update(leg_pain=4)
    client.force_login(world["patient"])

    body = client.get(reverse("outcomes:diary")).content.decode()

    assert (
        "Your leg pain was about the same on days you did it and days you did not "
        "(8 days vs 6 days)." in body
    )
    assert "caused it" not in body
    insight = exercise_insight_for(viewer=world["patient"], patient=world["patient"])
    assert insight is not None
    assert [r.compared for r in insight.rows] == [False, False]


def test_the_diary_page_shows_adherence_and_each_exercise_beside_the_chart(client, world):
    client.force_login(world["patient"])

    body = client.get(reverse("outcomes:diary")).content.decode()

    chart, exercises = body.index("Pain over time"), body.index("Home exercises")
    assert chart < exercises < body.index("Relief right after each session")
    # Knee to chest 5 + 3 of 7 + 7, the slider 0 + 2 of 7 + 7: 10 of 28.
    assert "Over these weeks: 36 % of the planned sessions done." in body
    assert body.count("5 of 14") == 2
    assert (
        "On days you did it, your leg pain was 2 points lower (median 3 vs 5; "
        "8 days vs 6 days). This does not show that the exercise caused it." in body
    )
    assert "Not enough days yet to compare (needs 5 days each way)." in body
    assert "Flagged for your therapist" in body
    assert NOTE not in body


def test_the_diary_page_of_someone_without_a_programme_says_nothing_of_exercises(client, clock):
    patient = PatientFactory()
    client.force_login(patient)

    assert "Home exercises" not in client.get(reverse("outcomes:diary")).content.decode()


def test_the_brief_puts_the_flag_first_for_the_treating_therapist(client, world):
    client.force_login(world["therapist"])

    body = client.get(reverse("intake:brief", args=[world["patient"].pk])).content.decode()

    section = body[body.index('aria-labelledby="exercises-title"') :]
    flag = section.index("Flagged: look at this before the session")
    assert flag < section.index("Exercises done, last 4 weeks")
    assert flag < section.index("Leg pain on days done and not done")
    assert "leg pain spread further down the leg (marked on 12 Nov 2026)" in section
    assert "Not paused by the client." in section
    # A therapist's page speaks of clients throughout (the flag box says "client" too).
    assert "On days the client did it, their leg pain was 2 points lower" in section
    assert "the patient" not in section
    assert NOTE not in body
    assert AuditEvent.objects.filter(
        actor=world["therapist"], patient=world["patient"], action="exercise_plan.progress.view"
    ).exists()


def test_a_therapist_with_an_intake_share_only_reads_the_brief_without_the_programme(client, world):
    shared = TherapistFactory()
    intake_services.share_intake(patient=world["patient"], therapist_email=shared.email)
    client.force_login(shared)

    response = client.get(reverse("intake:brief", args=[world["patient"].pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Home exercises" not in body
    assert "Flagged" not in body
    assert not AuditEvent.objects.filter(
        actor=shared, action="exercise_plan.progress.view"
    ).exists()


def test_anyone_else_gets_no_brief_and_no_flag(client, world):
    client.force_login(TherapistFactory())

    response = client.get(reverse("intake:brief", args=[world["patient"].pk]))

    assert response.status_code == 404
    assert b"Flagged" not in response.content


def test_the_brief_of_a_treated_client_without_a_programme_says_so(client, clock):
    patient = PatientFactory()
    make_intake(patient)
    profile = TherapistProfileFactory()
    AppointmentFactory(patient=patient, therapist=profile)
    client.force_login(profile.user)

    body = client.get(reverse("intake:brief", args=[patient.pk])).content.decode()

    assert "No home exercise programme yet." in body


def _pdf_text(pdf: bytes, tmp_path) -> str:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext is not installed (poppler-utils)")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(  # noqa: S603 -- fixed arguments, our own temp file
        [pdftotext, str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_the_doctors_report_has_the_adherence_and_the_comparison(world, tmp_path):
    patient = world["patient"]

    text = " ".join(
        _pdf_text(report.render_report(patient=patient, viewer=patient), tmp_path).split()
    )

    assert "Home exercises" in text
    assert "Over these weeks: 36 % of the planned sessions done." in text
    assert (
        "On days the patient did it, their leg pain was 2 points lower (median 3 vs 5; "
        "8 days vs 6 days). This does not show that the exercise caused it." in text
    )
    assert "leg pain spread further down the leg (marked on 12 Nov 2026)" in text
    assert "Internal" not in text


def test_the_report_in_spanish_says_it_in_spanish(world):
    patient = world["patient"]
    with translation.override("es"):
        html = report.render_html(patient=patient, viewer=patient)

    assert "Ejercicios para casa" in html
    assert "Esto no demuestra que el ejercicio lo causara." in html


def _history(patient, days: int) -> None:
    a, b = exercise(), exercise()
    start = NOW.date() - timedelta(days=days)
    made = plan(patient, [(a, EVERY_DAY), (b, 0b0010101)], start=start)
    every = [start + timedelta(days=n) for n in range(days)]
    log(made, a, every[::2])
    log(made, b, every[::5], leg_pain="same")
    PainEntry.objects.bulk_create(
        [
            PainEntry(patient=patient, day=d, back_pain=n % 11, leg_pain=n % 7)
            for n, d in enumerate(every)
        ]
    )


def test_the_insight_reads_a_fixed_number_of_queries_however_long_the_history(
    clock, django_assert_num_queries
):
    short, long = PatientFactory(), PatientFactory()
    _history(short, 10)
    _history(long, 3 * 365)

    # The programme's four reads, the flags' items in force and marks, the diary's leg pain.
    with django_assert_num_queries(7):
        first = exercise_insight_for(viewer=short, patient=short, weeks=12)
    with django_assert_num_queries(7):
        second = exercise_insight_for(viewer=long, patient=long, weeks=12)

    assert first is not None
    assert second is not None
    assert len(second.weeks) == 12
    assert all(r.comparison.enough for r in second.rows)


def _ended_own_programme(world) -> None:
    """The patient's own physio programme, entered on 3 November and ended on 5 November."""
    bridge = exercise("Glute bridge")
    plan(
        world["patient"],
        [(bridge, EVERY_DAY)],
        start=date(2026, 11, 3),
        ended_at=datetime(2026, 11, 5, 12, 0, tzinfo=UTC),
    )


def test_the_diary_groups_the_exercises_by_programme_with_who_gave_it_and_the_dose(client, world):
    world["therapist"].first_name, world["therapist"].last_name = "Sam", "Lee"
    world["therapist"].save()
    _ended_own_programme(world)
    client.force_login(world["patient"])

    body = client.get(reverse("outcomes:diary")).content.decode()

    section = body[body.index("Leg pain on days done and not done") :]
    ours = section.index("From Sam Lee")
    own = section.index("Entered by you: my physiotherapist · ended on 5 Nov 2026")
    assert ours < section.index("Knee to chest") < own < section.index("Glute bridge")
    assert "Knee to chest</strong>, 10 repetitions, once a day" in section


def test_the_doctors_report_groups_by_programme_with_the_prescriber_and_the_dose(world, tmp_path):
    world["therapist"].first_name, world["therapist"].last_name = "Sam", "Lee"
    world["therapist"].save()
    _ended_own_programme(world)
    patient = world["patient"]

    text = " ".join(
        _pdf_text(report.render_report(patient=patient, viewer=patient), tmp_path).split()
    )

    ours = text.index("From Sam Lee · from 2 Nov 2026, ongoing")
    own = text.index(
        "Entered by the patient: my physiotherapist · from 3 Nov 2026, ended on 5 Nov 2026"
    )
    assert ours < text.index("Knee to chest") < own < text.index("Glute bridge")
    assert "10 repetitions, once a day" in text


def test_the_brief_says_when_the_review_was_due(client, world):
    world["plan"].versions.update(review_date=date(2026, 11, 10))
    client.force_login(world["therapist"])

    body = client.get(reverse("intake:brief", args=[world["patient"].pk])).content.decode()

    section = body[body.index('aria-labelledby="exercises-title"') :]
    assert "<strong>Review was due on 10 Nov 2026.</strong>" in section


def test_a_review_still_to_come_is_not_said(client, world):
    world["plan"].versions.update(review_date=date(2026, 11, 15))  # today
    client.force_login(world["therapist"])

    body = client.get(reverse("intake:brief", args=[world["patient"].pk])).content.decode()

    assert "Review was due" not in body
