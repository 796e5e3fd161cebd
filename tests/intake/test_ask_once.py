"""Ask once: a signed-up patient's first intake shows the answers of the symptom check their
browser carries, to confirm (never taken silently); and finishing a safety intake."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.http import HttpResponse
from django.urls import reverse

from sciaticare.accounts.selectors import today_for
from sciaticare.intake import carried_check, services
from sciaticare.intake.models import Intake
from sciaticare.intake.symptom_check import CheckState
from sciaticare.intake.triage.questions import QUESTIONS, REQUIRED_CODES
from tests.factories import PatientFactory
from tests.intake.factories import NO, make_intake

pytestmark = pytest.mark.django_db

FORM = reverse("intake:form")
FINISH = reverse("intake:finish")


def carry(client: Any, state: CheckState) -> None:
    response = HttpResponse()
    carried_check.remember(response, state)
    client.cookies[carried_check.COOKIE] = response.cookies[carried_check.COOKIE].value


def finished_check(**yes: bool) -> CheckState:
    return CheckState(
        answers={**dict.fromkeys(REQUIRED_CODES, False), **yes}, age=52, onset_weeks=2
    )


def details() -> dict[str, str]:
    return {
        "regions": "left_buttock",
        "back_pain_now": "5",
        "back_pain_average": "4",
        "back_pain_worst": "7",
        "leg_pain_now": "6",
        "leg_pain_average": "5",
        "leg_pain_worst": "8",
    }


def confirmed(state: CheckState, patient: Any, **changes: str) -> dict[str, str]:
    """What the prefilled form posts when the patient ticks the confirmation."""
    onset = services.onset_date_from_weeks(state.onset_weeks or 0, today_for(patient))
    return {
        "from_check": "yes",
        "confirm_check": "on",
        "age": str(state.age),
        "onset_date": onset.isoformat(),
        **{f"q_{code}": "yes" if value else "no" for code, value in state.answers.items()},
        **details(),
        **changes,
    }


def test_a_first_intake_shows_the_checks_answers_to_confirm(client, patient):
    carry(client, finished_check(pregnant=True))
    client.force_login(patient)

    response = client.get(FORM)

    page = response.content.decode()
    assert response.status_code == 200
    assert "From your symptom check: please check each answer" in page
    assert 'name="from_check" value="yes"' in page
    assert "I have checked these answers: they are right today." in page
    assert 'value="52"' in page
    onset = services.onset_date_from_weeks(2, today_for(patient))
    assert f'value="{onset.isoformat()}"' in page
    # Every question is listed with its answer, and the answers can still be changed.
    listed = page.split('class="check-answers"', 1)[1].split("</ul>", 1)[0]
    assert listed.count("<li>") == len(QUESTIONS)
    assert "<strong>Yes</strong>" in listed
    (pregnant_yes,) = re.findall(r'<input type="radio" name="q_pregnant" value="yes"[^>]*>', page)
    assert "checked" in pregnant_yes


def test_confirming_stores_the_answers_and_forgets_the_check(client, patient):
    state = finished_check(pregnant=True)
    carry(client, state)
    client.force_login(patient)

    response = client.post(FORM, confirmed(state, patient))

    assert response.status_code == 302
    intake = Intake.objects.get(patient=patient)
    assert intake.answers["pregnant"] is True
    assert intake.age == 52
    assert not intake.safety_only
    assert response.cookies[carried_check.COOKIE]["max-age"] == 0


def test_a_recalled_answer_is_never_taken_without_the_confirmation(client, patient):
    state = finished_check()
    carry(client, state)
    client.force_login(patient)

    response = client.post(FORM, confirmed(state, patient, confirm_check=""))

    assert response.status_code == 422
    assert b"Please check your answers from the symptom check and confirm." in response.content
    assert b"From your symptom check" in response.content
    assert not Intake.objects.filter(patient=patient).exists()


def test_a_changed_answer_counts(client, patient):
    state = finished_check()
    carry(client, state)
    client.force_login(patient)

    client.post(FORM, confirmed(state, patient, q_fever="yes"))

    assert Intake.objects.get(patient=patient).triage_level == "urgent"


def test_a_check_ended_early_asks_the_questions_it_did_not_reach(client, patient):
    carry(client, CheckState(answers={"saddle_numbness": False, "bladder_change": False}))
    client.force_login(patient)

    page = client.get(FORM).content.decode()

    listed = page.split('class="check-answers"', 1)[1].split("</ul>", 1)[0]
    assert listed.count("<li>") == 2
    # The rest are asked as questions, outside the "change an answer" box.
    asked = page.split("</details>", 1)[1]
    assert asked.count('class="yes-no') == len(QUESTIONS) - 2


@pytest.mark.parametrize("cookie", ["", "forged:value:xyz"])
def test_without_a_good_check_the_form_asks_every_question(client, patient, cookie):
    client.cookies[carried_check.COOKIE] = cookie
    client.force_login(patient)

    page = client.get(FORM).content.decode()

    assert "From your symptom check" not in page
    assert page.count('class="yes-no') == len(QUESTIONS)


def test_a_patient_with_an_intake_is_not_offered_the_check(client, patient):
    make_intake(patient)
    carry(client, finished_check(fever=True))
    client.force_login(patient)

    page = client.get(FORM).content.decode()

    assert "From your symptom check" not in page


# --- Finishing a safety intake -----------------------------------------------------------


def _safety(patient: Any) -> Intake:
    return services.submit_intake(
        patient=patient,
        data=services.SafetyAnswers(
            age=40, onset_date=today_for(patient) - timedelta(days=10), answers=NO
        ),
    )


def test_finishing_adds_the_details_to_the_safety_intake(client, patient):
    intake = _safety(patient)
    client.force_login(patient)

    page = client.get(FINISH)
    done = client.post(FINISH, {**details(), "goals": "Sit through a film"})

    assert page.status_code == 200
    assert b"Where does it hurt?" in page.content
    assert b"Safety questions" not in page.content
    assert done.status_code == 302
    assert done["Location"] == reverse("intake:home")
    intake.refresh_from_db()
    assert (intake.safety_only, intake.back_pain_worst, intake.goals) == (
        False,
        7,
        "Sit through a film",
    )


def test_finishing_with_a_score_missing_or_out_of_range_is_a_422(client, patient):
    _safety(patient)
    client.force_login(patient)

    missing = client.post(FINISH, {**details(), "leg_pain_now": ""})
    wrong = client.post(FINISH, {**details(), "back_pain_now": "11"})
    empty = client.post(FINISH, {})

    assert (missing.status_code, wrong.status_code, empty.status_code) == (422, 422, 422)
    assert Intake.objects.get(patient=patient).safety_only


def test_nothing_to_finish_goes_to_the_intake(client, patient):
    make_intake(patient)
    client.force_login(patient)

    for response in (client.get(FINISH), client.post(FINISH, details())):
        assert response.status_code == 302
        assert response["Location"] == reverse("intake:home")


def test_who_may_finish_an_intake(client, roles):
    other = PatientFactory()
    _safety(other)

    assert client.get(FINISH).status_code == 302  # anonymous: to sign in
    assert "/accounts/login/" in client.get(FINISH)["Location"]
    client.force_login(roles["therapist"])
    assert client.get(FINISH).status_code == 403
    client.force_login(roles["patient"])
    # Another patient's safety intake is not theirs: nothing to finish.
    assert client.post(FINISH, details())["Location"] == reverse("intake:home")
    assert Intake.objects.get(patient=other).safety_only
