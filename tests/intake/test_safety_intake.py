"""The safety intake (booked first: age, onset and every red flag, nothing else yet), its details
added once before the session, and every reader of an intake coping with the missing parts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from sciaticare.audit.models import AuditEvent
from sciaticare.core.errors import Conflict, Invalid
from sciaticare.intake import selectors, services
from sciaticare.intake.models import Intake
from sciaticare.intake.recheck import Needed
from sciaticare.intake.symptom_check import CheckState
from sciaticare.intake.triage.questions import REQUIRED_CODES
from sciaticare.outcomes.report import render_html
from sciaticare.records.selectors import prefill_subjective
from tests.factories import PatientFactory
from tests.intake.factories import NO, make_intake
from tests.scheduling.helpers import at, working_therapist

pytestmark = pytest.mark.django_db


def safety_intake(patient, **yes: bool) -> Intake:
    return services.submit_intake(
        patient=patient,
        data=services.SafetyAnswers(
            age=40,
            onset_date=timezone.localdate() - timedelta(weeks=3),
            answers={**NO, **yes},
        ),
    )


DETAILS = services.IntakeDetails(
    regions=["left_buttock", "left_calf"],
    qualities=["shooting"],
    back_pain=(4, 3, 6),
    leg_pain=(7, 5, 8),
    worse_with=["sitting"],
    goals="Walk to work",
    medications="None",
)


@pytest.mark.parametrize(
    ("weeks", "today", "onset"),
    [
        (0, date(2026, 12, 6), date(2026, 12, 6)),
        (1, date(2026, 12, 6), date(2026, 11, 29)),
        (2.5, date(2026, 12, 6), date(2026, 11, 18)),  # 17.5 days: the nearest whole day
        (0.1, date(2026, 12, 6), date(2026, 12, 5)),
        (520, date(2026, 12, 6), date(2016, 12, 18)),
    ],
)
def test_weeks_ago_become_a_day_on_the_patients_own_calendar(weeks, today, onset):
    assert services.onset_date_from_weeks(weeks, today) == onset


def test_a_finished_check_becomes_the_safety_answers():
    state = CheckState(answers={code: code == "pregnant" for code in REQUIRED_CODES}, age=33)
    state.onset_weeks = 2

    safety = services.safety_answers_from_check(state, today=date(2026, 12, 6))

    assert (safety.age, safety.onset_date) == (33, date(2026, 11, 22))
    assert safety.answers["pregnant"] is True
    assert set(safety.answers) == REQUIRED_CODES


@pytest.mark.parametrize(
    "state",
    [
        CheckState(answers={"saddle_numbness": True}),  # ended early by an emergency answer
        CheckState(answers=dict.fromkeys(REQUIRED_CODES, False), age=None, onset_weeks=3),
        CheckState(answers=dict.fromkeys(REQUIRED_CODES, False), age=40, onset_weeks=None),
    ],
)
def test_an_unfinished_check_is_not_safety_answers(state):
    with pytest.raises(Invalid):
        services.safety_answers_from_check(state, today=date(2026, 12, 6))


def test_a_safety_intake_has_its_triage_and_no_details():
    intake = safety_intake(PatientFactory(), pregnant=True)

    assert intake.safety_only
    assert intake.triage_level == "ok"
    assert intake.triage_precautions  # pregnancy's, as the check said
    assert intake.back_pain_now is None
    assert intake.missing_parts[0] == "where it hurts (the body map)"
    assert len(intake.missing_parts) == 5


def test_the_database_keeps_every_pain_score_unless_only_the_safety_part_is_answered():
    intake = make_intake(PatientFactory())

    with pytest.raises(IntegrityError), transaction.atomic():
        Intake.objects.filter(pk=intake.pk).update(back_pain_now=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Intake.objects.filter(pk=intake.pk).update(safety_only=True)


def test_details_are_added_once_to_the_same_row_keeping_when_red_flags_were_answered():
    patient = PatientFactory()
    intake = safety_intake(patient)
    Intake.objects.filter(pk=intake.pk).update(created_at=timezone.now() - timedelta(days=2))

    finished = services.add_intake_details(patient=patient, details=DETAILS)

    assert finished.pk == intake.pk
    assert Intake.objects.filter(patient=patient).count() == 1
    finished.refresh_from_db()
    assert not finished.safety_only
    assert finished.details_added_at is not None
    assert (finished.back_pain_now, finished.leg_pain_worst) == (4, 8)
    assert finished.regions == ["left_buttock", "left_calf"]
    assert finished.missing_parts == []
    # Adding the details answered no red flag: a booking still asks them again.
    assert selectors.needed_before_booking(intake=finished, now=timezone.now()) == Needed.RECHECK
    assert AuditEvent.objects.filter(action="intake.details", patient=patient).count() == 1
    with pytest.raises(Conflict):
        services.add_intake_details(patient=patient, details=DETAILS)


def test_a_complete_intake_has_no_details_to_add():
    patient = PatientFactory()
    make_intake(patient)

    with pytest.raises(Conflict):
        services.add_intake_details(patient=patient, details=DETAILS)
    with pytest.raises(Conflict):
        services.add_intake_details(patient=PatientFactory(), details=DETAILS)


def test_a_red_flag_yes_on_a_safety_intake_makes_a_safety_revision():
    patient = PatientFactory()
    safety_intake(patient)

    check = services.recheck_red_flags(patient=patient, yes=["bladder_change"])

    assert check.result is not None
    assert check.result.safety_only
    assert check.result.triage_level == "emergency"


# --- Every reader copes with the missing parts -------------------------------------------


def test_the_brief_says_plainly_what_is_missing(client):
    therapist, _, _ = working_therapist()
    patient = PatientFactory()
    safety_intake(patient)
    from sciaticare.scheduling.services.booking import book_appointment

    book_appointment(patient=patient, therapist_id=therapist.pk, start=at(3, 10))
    client.force_login(therapist.user)

    response = client.get(reverse("intake:brief", args=[patient.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Intake not finished" in page
    for part in ("where it hurts (the body map)", "how bad it is (pain scores)"):
        assert part in page
    assert "None" not in page.split("<main", 1)[1]


def test_the_patients_pages_say_what_is_missing_and_link_to_finish(client):
    patient = PatientFactory()
    intake = safety_intake(patient)
    client.force_login(patient)

    for url in (
        reverse("web:dashboard"),
        reverse("intake:home"),
        reverse("intake:detail", args=[intake.pk]),
    ):
        page = client.get(url).content.decode()
        assert "Your intake is not finished" in page, url
        assert reverse("intake:finish") in page, url
        assert "None/" not in page, url
        assert "now None" not in page, url


def test_the_session_notes_prefill_and_the_doctors_report_cope():
    patient = PatientFactory()
    safety_intake(patient)

    text = prefill_subjective(patient)
    report = render_html(patient=patient, viewer=patient)

    assert "not answered yet" in text
    assert "None" not in text
    assert "Pain at intake</dt><dd>not answered yet" in report
    assert "None" not in report


def test_the_fhir_export_copes(client):
    patient = PatientFactory()
    safety_intake(patient)
    client.force_login(patient)

    response = client.get("/api/v1/patients/me/fhir")

    assert response.status_code == 200
    assert response.json()["resourceType"] == "Bundle"
