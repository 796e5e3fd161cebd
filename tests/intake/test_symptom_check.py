"""The public symptom check: one question per screen, emergencies first, nothing stored."""

import pytest
from django.urls import reverse

from sciaticare.audit.models import AuditEvent
from sciaticare.intake import symptom_check
from sciaticare.intake.models import Intake
from sciaticare.intake.triage.levels import Level
from sciaticare.intake.triage.questions import REQUIRED_CODES
from sciaticare.intake.triage.reasons import REASONS


def test_red_flag_questions_come_first_and_age_and_onset_near_the_end():
    assert symptom_check.STEPS[:7] == (
        "saddle_numbness",
        "bladder_change",
        "bowel_change",
        "sexual_dysfunction",
        "both_legs",
        "worsening_weakness",
        "chest_symptoms",
    )
    assert symptom_check.STEPS[-4:] == ("age", "onset_weeks", "first_episode", "not_improving")
    assert set(symptom_check.STEPS) == REQUIRED_CODES | {"age", "onset_weeks"}


@pytest.mark.parametrize(
    ("step", "raw", "error"),
    [
        ("fever", "yes", None),
        ("fever", "maybe", "Please answer yes or no."),
        ("fever", None, "Please answer yes or no."),
        ("age", "51", None),
        ("age", "0", "Please enter a number from 1 to 120."),
        ("age", "121", "Please enter a number from 1 to 120."),
        ("age", "4.5", "Please enter a whole number."),
        ("onset_weeks", "5.9", None),
        ("onset_weeks", "-1", "Please enter a number from 0 to 520."),
        ("onset_weeks", "soon", "Please enter a number of weeks."),
    ],
)
def test_answer_errors(step, raw, error):
    assert symptom_check.answer_error(step, raw) == error


def test_an_emergency_answer_ends_the_check_with_only_the_reasons_given():
    state = symptom_check.parse({"saddle_numbness": "no", "bladder_change": "yes"})

    assert symptom_check.reaches_emergency(state)
    result = symptom_check.result(state)
    assert result.level is Level.EMERGENCY
    assert result.reasons == ("bladder_change",)


def _walk(client, answers):
    """Answer every screen in order; returns the last response."""
    data = {"step": "0"}
    response = None
    for index, step in enumerate(symptom_check.STEPS):
        data = {**data, "step": str(index), "answer": answers.get(step, "no"), "go": "next"}
        response = client.post(reverse("check"), data)
        if b"Your symptom check" in response.content:
            return response
        data[step] = answers.get(step, "no")
    return response


@pytest.mark.django_db
def test_the_whole_check_reaches_ok_with_the_honest_wording_and_stores_nothing(client):
    response = _walk(client, {"age": "35", "onset_weeks": "2", "anticoagulants": "yes"})

    body = response.content.decode()
    assert "Massage is a reasonable option" in body
    assert "Blood thinners" in body or "no deep or forceful pressure" in body.lower()
    assert "does not treat the cause" in body
    assert "cure" not in body.lower()
    assert Intake.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert "sessionid" not in client.cookies


@pytest.mark.django_db
def test_a_yes_to_saddle_numbness_shows_the_emergency_before_anything_else(client):
    response = client.post(reverse("check"), {"step": "0", "answer": "yes", "go": "next"})

    body = response.content.decode()
    assert body.index('id="emergency"') < body.index("<header")
    assert "Go to an emergency department now" in body
    assert "999" in body


@pytest.mark.django_db
def test_an_urgent_answer_says_see_a_doctor_today(client):
    response = _walk(client, {"fever": "yes", "age": "40", "onset_weeks": "1"})

    assert b"See a doctor today" in response.content
    assert b'id="emergency"' not in response.content


@pytest.mark.django_db
def test_first_episode_over_50_says_see_a_doctor_soon(client):
    response = _walk(client, {"age": "51", "onset_weeks": "1", "first_episode": "yes"})

    assert b"See a doctor within about two weeks" in response.content


@pytest.mark.django_db
def test_a_missing_answer_stays_on_the_same_question_with_a_422(client):
    response = client.post(reverse("check"), {"step": "3", "go": "next"})

    assert response.status_code == 422
    assert b"Please answer yes or no." in response.content
    assert symptom_check.QUESTION_TEXT["sexual_dysfunction"].encode() in response.content.replace(
        b"&#x27;", b"'"
    )


@pytest.mark.django_db
def test_back_returns_to_the_previous_question_keeping_answers(client):
    response = client.post(
        reverse("check"),
        {"step": "2", "go": "back", "saddle_numbness": "no", "bladder_change": "no"},
    )

    body = response.content.decode()
    assert "New trouble passing urine" in body
    assert 'name="saddle_numbness" value="no"' in body
    assert 'value="no" checked' in body


@pytest.mark.django_db
def test_tampered_step_numbers_do_not_break_the_page(client):
    assert (
        client.post(reverse("check"), {"step": "999", "go": "next", "answer": "no"}).status_code
        == 200
    )
    assert client.post(reverse("check"), {"step": "abc"}).status_code in (200, 422)


def test_cancer_history_after_foot_drop_ends_the_check_as_a_cord_compression_emergency():
    # foot_drop is asked before cancer_history: the "yes" to cancer makes it an emergency.
    state = symptom_check.parse({"foot_drop": "yes", "cancer_history": "yes"})

    assert symptom_check.reaches_emergency(state)
    result = symptom_check.result(state)
    assert result.reasons == ("foot_drop", "cancer_history", "possible_spinal_cord_compression")


def test_cancer_history_with_weight_loss_does_not_end_the_check_early():
    state = symptom_check.parse({"cancer_history": "yes", "weight_loss": "yes"})

    assert not symptom_check.reaches_emergency(state)


@pytest.mark.django_db
def test_the_check_shows_the_combined_reason_in_plain_words(client):
    response = _walk(
        client,
        {"cancer_history": "yes", "night_pain": "yes", "age": "60", "onset_weeks": "3"},
    )

    body = response.content.decode().replace("&#x27;", "'")
    assert "See a doctor today" in body
    assert "contact your GP or your cancer team today" in body
    # Clinical words are for the therapist's brief.
    assert REASONS["possible_spinal_metastases"].clinical not in body


@pytest.mark.django_db
def test_the_check_ends_early_on_cancer_history_with_foot_drop(client):
    response = _walk(client, {"foot_drop": "yes", "cancer_history": "yes"})

    body = response.content.decode().replace("&#x27;", "'")
    assert 'id="emergency"' in body
    assert "pressure on the spinal cord" in body
    assert "acute oncology" in body


@pytest.mark.parametrize(
    ("typed", "weeks"),
    [("3,5", 3.5), ("3.5", 3.5), (" 12 ", 12.0), ("0,5", 0.5), ("3,5,1", None), ("tres", None)],
)
def test_weeks_are_read_with_a_decimal_comma_or_point(typed, weeks):
    """A Spanish reader writes a half as "3,5": read as 3.5, never as 35 nor refused."""
    assert symptom_check.parse({"onset_weeks": typed}).onset_weeks == weeks
    assert (symptom_check.answer_error("onset_weeks", typed) is None) == (weeks is not None)
