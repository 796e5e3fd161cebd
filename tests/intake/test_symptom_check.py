"""The public symptom check: four screens of questions (or one question at a time), emergencies
first and ending the check at once, every answer asked for, nothing stored."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.audit.models import AuditEvent
from sciaticare.intake import carried_check, symptom_check
from sciaticare.intake.models import Intake
from sciaticare.intake.symptom_check import (
    ONE_AT_A_TIME,
    SCREENS,
    STEPS,
    CheckState,
    Finish,
    Show,
    advance,
    carried,
)
from sciaticare.intake.triage.assessment import assess
from sciaticare.intake.triage.levels import Level
from sciaticare.intake.triage.questions import QUESTIONS, REQUIRED_CODES
from sciaticare.intake.triage.reasons import REASONS

ALL_NO = dict.fromkeys(REQUIRED_CODES, False)

# --- The grouping -------------------------------------------------------------------------


def test_the_four_screens_and_what_each_asks():
    assert [(screen.name, screen.steps) for screen in SCREENS] == [
        (
            "emergency",
            (
                "saddle_numbness",
                "bladder_change",
                "bowel_change",
                "sexual_dysfunction",
                "both_legs",
                "worsening_weakness",
                "chest_symptoms",
            ),
        ),
        ("urgent", ("calf_swelling", "fever", "infection_risk", "foot_drop", "major_trauma")),
        (
            "health",
            (
                "cancer_history",
                "weight_loss",
                "night_pain",
                "osteoporosis_or_steroids",
                "anticoagulants",
                "pregnant",
                "recent_surgery",
                "skin_problem",
            ),
        ),
        ("episode", ("age", "onset_weeks", "first_episode", "not_improving")),
    ]


def test_every_answer_is_asked_once_and_the_one_question_mode_asks_them_in_the_same_order():
    assert sorted(STEPS) == sorted(REQUIRED_CODES | {"age", "onset_weeks"})
    assert tuple(step for screen in ONE_AT_A_TIME for (step,) in [screen.steps]) == STEPS


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.code for q in QUESTIONS])
def test_a_question_is_on_the_emergency_screen_exactly_when_its_yes_alone_is_an_emergency(
    question,
):
    """The engine decides, not a list: a "yes" to this question alone, every other "no"."""
    level = assess(40, 1, {**ALL_NO, question.code: True}).level

    assert (question.code in SCREENS[0].steps) is (level is Level.EMERGENCY)
    assert (question.code in SCREENS[1].steps) is (level is Level.URGENT)


# --- Answers ------------------------------------------------------------------------------


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
        ("onset_weeks", "nan", "Please enter a number from 0 to 520."),
        ("onset_weeks", "soon", "Please enter a number of weeks."),
    ],
)
def test_answer_errors(step, raw, error):
    assert symptom_check.answer_error(step, raw) == error


@pytest.mark.parametrize(
    ("typed", "weeks"),
    [("3,5", 3.5), ("3.5", 3.5), (" 12 ", 12.0), ("0,5", 0.5), ("3,5,1", None), ("tres", None)],
)
def test_weeks_are_read_with_a_decimal_comma_or_point(typed, weeks):
    """A Spanish reader writes a half as "3,5": read as 3.5, never as 35 nor refused."""
    assert symptom_check.parse({"onset_weeks": typed}).onset_weeks == weeks
    assert (symptom_check.answer_error("onset_weeks", typed) is None) == (weeks is not None)


def test_an_answer_out_of_range_is_not_taken_even_if_carried():
    """A hidden field edited to age 500 is not an answer (the engine would refuse it)."""
    state = symptom_check.parse({"age": "500", "onset_weeks": "inf", "fever": "maybe"})

    assert state == CheckState(answers={})


def test_an_emergency_answer_ends_the_check_with_only_the_reasons_given():
    state = symptom_check.parse({"saddle_numbness": "no", "bladder_change": "yes"})

    assert symptom_check.reaches_emergency(state)
    result = symptom_check.result(state)
    assert result.level is Level.EMERGENCY
    assert result.reasons == ("bladder_change",)


def test_cancer_history_after_foot_drop_ends_the_check_as_a_cord_compression_emergency():
    # foot_drop is on the screen before cancer_history: the "yes" to cancer makes it an emergency.
    state = symptom_check.parse({"foot_drop": "yes", "cancer_history": "yes"})

    assert symptom_check.reaches_emergency(state)
    result = symptom_check.result(state)
    assert result.reasons == ("foot_drop", "cancer_history", "possible_spinal_cord_compression")


def test_cancer_history_with_weight_loss_does_not_end_the_check_early():
    state = symptom_check.parse({"cancer_history": "yes", "weight_loss": "yes"})

    assert not symptom_check.reaches_emergency(state)


# --- Walking the screens (pure) -------------------------------------------------------------


def _form(screens, index: int, state: CheckState, answers: dict[str, str]) -> dict[str, str]:
    """What screen `index`'s form sends: its hidden fields and the person's answers to it."""
    screen = screens[index]
    return {
        **dict(carried(screen, state)),
        "step": str(index),
        **{step: answers[step] for step in screen.steps if step in answers},
    }


def _walk(screens, answers: dict[str, str]) -> tuple[int, Finish]:
    """Answer each screen shown; returns the screen the check ended on, and how."""
    index, state = 0, CheckState(answers={})
    for _ in range(len(screens)):
        move = advance(screens, _form(screens, index, state, answers), back=False)
        if isinstance(move, Finish):
            return index, move
        assert move.errors == {}
        assert move.index == index + 1
        index, state = move.index, move.state
    raise AssertionError("the check never ended")


def _every_answer(yes: set[str], age: str = "40", onset: str = "2") -> dict[str, str]:
    return {
        **{code: "yes" if code in yes else "no" for code in REQUIRED_CODES},
        "age": age,
        "onset_weeks": onset,
    }


@pytest.mark.parametrize(
    ("yes", "ends_on", "level", "reasons"),
    [
        ({"saddle_numbness"}, 0, Level.EMERGENCY, ("saddle_numbness",)),
        ({"bladder_change", "fever"}, 0, Level.EMERGENCY, ("bladder_change",)),
        ({"chest_symptoms", "calf_swelling"}, 0, Level.EMERGENCY, ("chest_symptoms",)),
        (
            {"foot_drop", "cancer_history"},
            2,
            Level.EMERGENCY,
            ("foot_drop", "cancer_history", "possible_spinal_cord_compression"),
        ),
        ({"fever", "infection_risk"}, 3, Level.URGENT, ("fever", "infection_risk")),
        (
            {"cancer_history", "night_pain"},
            3,
            Level.URGENT,
            ("cancer_history", "night_pain", "possible_spinal_metastases"),
        ),
        ({"osteoporosis_or_steroids"}, 3, Level.SOON, ("osteoporosis_or_steroids",)),
        ({"pregnant", "anticoagulants"}, 3, Level.OK, ()),
        (set(), 3, Level.OK, ()),
    ],
)
def test_where_the_grouped_check_ends_and_what_it_says(yes, ends_on, level, reasons):
    ended_on, finish = _walk(SCREENS, _every_answer(yes))

    assert ended_on == ends_on
    assert finish.triage.level is level
    assert finish.triage.reasons == reasons


def _first_emergency_screen(screens, answers: dict[str, str]) -> int | None:
    """The first screen after which the answers so far reach emergency, per the engine."""
    given: dict[str, str] = {}
    for index, screen in enumerate(screens):
        given |= {step: answers[step] for step in screen.steps}
        if symptom_check.reaches_emergency(symptom_check.parse(given)):
            return index
    return None


_ANSWERS = st.fixed_dictionaries(
    {
        **{code: st.sampled_from(["yes", "no"]) for code in sorted(REQUIRED_CODES)},
        "age": st.integers(1, 120).map(str),
        # As a person types it: a point or a Spanish comma.
        "onset_weeks": st.floats(0, 520).flatmap(
            lambda weeks: st.sampled_from([repr(weeks), repr(weeks).replace(".", ",")])
        ),
    }
)


@given(answers=_ANSWERS, one_at_a_time=st.booleans())
def test_walking_the_screens_gives_the_engines_result_and_stops_at_the_first_emergency(
    answers, one_at_a_time
):
    screens = ONE_AT_A_TIME if one_at_a_time else SCREENS
    engine = assess(
        int(answers["age"]),
        float(answers["onset_weeks"].replace(",", ".")),
        {code: answers[code] == "yes" for code in REQUIRED_CODES},
    )

    ended_on, finish = _walk(screens, answers)

    first_emergency = _first_emergency_screen(screens, answers)
    assert finish.triage.level is engine.level
    if first_emergency is None:
        assert ended_on == len(screens) - 1
        assert finish.triage == engine
    else:
        assert engine.level is Level.EMERGENCY
        assert ended_on == first_emergency
        # The reasons of the answers given so far: every one the engine gives them.
        assert set(finish.triage.reasons) <= set(engine.reasons)


@given(
    data=st.dictionaries(
        st.sampled_from([*STEPS, "step", "one", "go", "other"]),
        st.sampled_from(["yes", "no", "", "maybe", "0", "3", "40", "-1", "999", "nan", "3,5", "x"]),
    ),
    back=st.booleans(),
    one_at_a_time=st.booleans(),
)
def test_any_form_gives_a_screen_or_a_result_never_an_error(data, back, one_at_a_time):
    """A tampered form never raises, and a result is an emergency or a complete check."""
    screens = ONE_AT_A_TIME if one_at_a_time else SCREENS

    move = advance(screens, data, back=back)

    if isinstance(move, Finish):
        assert not back
        complete = all(symptom_check.answer_error(step, data.get(step)) is None for step in STEPS)
        assert move.triage.level is Level.EMERGENCY or complete
    else:
        assert 0 <= move.index < len(screens)
        assert set(move.errors) <= set(screens[move.index].steps)


def test_a_form_sent_from_the_last_screen_with_earlier_answers_missing_goes_back_to_them():
    episode = {"step": "3", "age": "40", "onset_weeks": "2", "first_episode": "no"}
    move = advance(SCREENS, {**episode, "not_improving": "no"}, back=False)

    assert isinstance(move, Show)
    assert move.index == 0
    assert set(move.errors) == set(SCREENS[0].steps)


def test_back_keeps_every_answer_given_so_far():
    form = {"step": "2", "fever": "yes", "cancer_history": "no", "pregnant": "yes"}

    move = advance(SCREENS, form, back=True)

    assert isinstance(move, Show)
    assert move.index == 1
    assert move.state.answers == {"fever": True, "cancer_history": False, "pregnant": True}
    assert move.errors == {}


# --- The pages ----------------------------------------------------------------------------


def _body(response) -> str:
    return unescape(response.content.decode())


def _post(client, screen: int, answers: dict[str, str], **extra):
    return client.post(reverse("check"), {"step": str(screen), "go": "next", **answers, **extra})


def _walk_pages(client, answers: dict[str, str]):
    """Answer every screen of the pages as its form sends it; returns the last response."""
    data: dict[str, str] = {}
    response = None
    for index, screen in enumerate(SCREENS):
        data |= {step: answers.get(step, "no") for step in screen.steps}
        response = _post(client, index, data)
        if b"Your symptom check" in response.content:
            return response
        assert response.status_code == 200
    return response


@pytest.mark.django_db
def test_the_first_screen_asks_every_emergency_question_and_offers_one_at_a_time(client):
    response = client.get(reverse("check"))

    body = _body(response)
    assert "Step 1 of 4" in body
    assert "Signs that need care at once" in body
    for code in SCREENS[0].steps:
        assert f'name="{code}" value="yes"' in body
        assert f'name="{code}" value="no"' in body
        assert symptom_check.QUESTION_TEXT[code] in body
    assert "fever" not in re.findall(r'name="(\w+)" value="yes"', body)
    assert 'href="/check/?one=1">One question at a time</a>' in body
    # The opening screen is read from the top: nothing takes the focus past the mode link.
    assert "autofocus" not in body


@pytest.mark.django_db
def test_the_whole_check_reaches_ok_with_the_honest_wording_and_stores_nothing(client):
    response = _walk_pages(client, {"age": "35", "onset_weeks": "2", "anticoagulants": "yes"})

    body = _body(response)
    assert "Massage is a reasonable option" in body
    assert "no deep or forceful pressure" in body.lower() or "Blood thinners" in body
    assert "does not treat the cause" in body
    assert "cure" not in body.lower()
    assert Intake.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert "sessionid" not in client.cookies


@pytest.mark.django_db
def test_a_yes_to_saddle_numbness_shows_the_emergency_before_anything_else(client):
    response = _post(client, 0, dict.fromkeys(SCREENS[0].steps, "no") | {"saddle_numbness": "yes"})

    body = response.content.decode()
    assert body.index('id="emergency"') < body.index("<header")
    assert "Go to an emergency department now" in body
    assert "999" in body


@pytest.mark.django_db
def test_one_emergency_yes_ends_the_check_even_with_the_screens_other_questions_unanswered(
    client,
):
    response = _post(client, 0, {"bladder_change": "yes"})

    assert response.status_code == 200
    body = _body(response)
    assert 'id="emergency"' in body
    assert REASONS["bladder_change"].plain in body
    recalled = carried_check.recall(_with_cookie(client))
    assert recalled == CheckState(answers={"bladder_change": True})


def _with_cookie(client):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.COOKIES[carried_check.COOKIE] = client.cookies[carried_check.COOKIE].value
    return request


@pytest.mark.django_db
def test_an_urgent_answer_says_see_a_doctor_today(client):
    response = _walk_pages(client, {"fever": "yes", "age": "40", "onset_weeks": "1"})

    assert b"See a doctor today" in response.content
    assert b'id="emergency"' not in response.content


@pytest.mark.django_db
def test_first_episode_over_50_says_see_a_doctor_soon(client):
    response = _walk_pages(client, {"age": "51", "onset_weeks": "1", "first_episode": "yes"})

    assert b"See a doctor within about two weeks" in response.content


@pytest.mark.django_db
def test_the_check_shows_the_combined_reason_in_plain_words(client):
    response = _walk_pages(
        client,
        {"cancer_history": "yes", "night_pain": "yes", "age": "60", "onset_weeks": "3"},
    )

    body = _body(response)
    assert "See a doctor today" in body
    assert "contact your GP or your cancer team today" in body
    # Clinical words are for the therapist's brief.
    assert REASONS["possible_spinal_metastases"].clinical not in body


@pytest.mark.django_db
def test_the_check_ends_on_the_third_screen_on_cancer_history_with_foot_drop(client):
    data = dict.fromkeys(SCREENS[0].steps, "no")
    assert _post(client, 0, data).status_code == 200
    data |= dict.fromkeys(SCREENS[1].steps, "no") | {"foot_drop": "yes"}
    second = _post(client, 1, data)
    assert "Step 3 of 4" in _body(second)  # foot drop alone is urgent: the check goes on

    third = _post(client, 2, data | {"cancer_history": "yes"})  # the rest unanswered

    body = _body(third)
    assert 'id="emergency"' in body
    assert "pressure on the spinal cord" in body
    assert "acute oncology" in body


@pytest.mark.django_db
def test_a_screen_with_unanswered_questions_is_a_422_naming_each_and_keeping_the_answers(client):
    given = {"saddle_numbness": "no", "bowel_change": "no", "both_legs": "no"}

    response = _post(client, 0, given)

    assert response.status_code == 422
    body = _body(response)
    assert "Step 1 of 4" in body
    summary = body[body.index('class="error-summary"') : body.index("<form")]
    unanswered = [code for code in SCREENS[0].steps if code not in given]
    assert summary.count("<li>") == len(unanswered) == 4
    for code in unanswered:
        assert f'href="#q-{code}">{symptom_check.QUESTION_TEXT[code]}</a>' in summary
        assert f'id="{code}-error"' in body
    for code in given:
        assert f'name="{code}" value="no" checked' in body
    # The focus goes to the first question to answer.
    assert re.search(r'id="q-bladder_change" name="bladder_change" value="yes" autofocus', body)


@pytest.mark.django_db
def test_a_number_that_cannot_be_taken_is_named_and_shown_as_typed(client):
    done = {step: "no" for step in STEPS if step not in ("age", "onset_weeks")}

    response = _post(client, 3, {**done, "age": "forty", "onset_weeks": "600"})

    assert response.status_code == 422
    body = _body(response)
    assert "Please enter a whole number." in body
    assert "Please enter a number from 0 to 520." in body
    assert 'value="forty"' in body
    assert '<input type="hidden" name="age"' not in body  # in its box, not carried hidden


@pytest.mark.django_db
def test_an_empty_form_is_a_422(client):
    response = client.post(reverse("check"))

    assert response.status_code == 422
    assert _body(response).count("Please answer yes or no.") == len(SCREENS[0].steps)


@pytest.mark.django_db
def test_back_returns_to_the_previous_screen_keeping_every_answer(client):
    answers = dict.fromkeys(SCREENS[0].steps + SCREENS[1].steps, "no") | {"fever": "yes"}
    response = client.post(
        reverse("check"), {**answers, "step": "2", "go": "back", "pregnant": "yes"}
    )

    assert response.status_code == 200
    body = _body(response)
    assert "Step 2 of 4" in body
    assert 'name="fever" value="yes" checked' in body
    assert 'name="calf_swelling" value="yes"' in body  # asked again on its screen, as "no"
    assert re.search(r'name="calf_swelling" value="no" checked', body)
    # The answers of the other screens travel hidden, this one's are not duplicated.
    assert '<input type="hidden" name="saddle_numbness" value="no">' in body
    assert '<input type="hidden" name="pregnant" value="yes">' in body
    assert '<input type="hidden" name="fever"' not in body


@pytest.mark.django_db
@pytest.mark.parametrize("step", ["999", "-1", "abc", "", "1e3", "٣"])
def test_tampered_step_numbers_give_a_screen_not_an_error(client, step):
    response = client.post(reverse("check"), {"step": step, "go": "next", "fever": "no"})

    assert response.status_code in (200, 422)
    assert b"Is massage safe for my symptoms?" in response.content


@pytest.mark.django_db
def test_the_last_screen_alone_gives_no_result_without_the_earlier_answers(client):
    response = _post(
        client,
        3,
        {"age": "40", "onset_weeks": "2", "first_episode": "no", "not_improving": "no"},
    )

    assert response.status_code == 422
    body = _body(response)
    assert "Step 1 of 4" in body
    assert carried_check.COOKIE not in response.cookies


@pytest.mark.django_db
def test_the_emergency_questions_carry_their_advice_for_the_script_and_no_other_does(client):
    body = _body(client.get(reverse("check")))

    for code in SCREENS[0].steps:
        block = re.search(
            rf'<div class="emergency-inline" data-emergency-for="{code}" hidden>(.*?)</div>',
            body,
            re.S,
        )
        assert block is not None, code
        assert REASONS[code].plain in block.group(1)
    assert '<script src="/static/intake/check.js" defer></script>' in body
    second = _body(_post(client, 0, dict.fromkeys(SCREENS[0].steps, "no")))
    assert "data-emergency-for" not in second


@pytest.mark.django_db
def test_the_page_script_is_the_sites_own_under_its_content_security_policy(client):
    response = client.get(reverse("check"))

    assert "script-src 'self'" in response["Content-Security-Policy"]
    scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
    assert all(" src=" in tag or "nonce=" in tag for tag in scripts)


# --- One question at a time -----------------------------------------------------------------


@pytest.mark.django_db
def test_one_question_at_a_time_is_kept_through_the_form(client):
    first = _body(client.get(reverse("check") + "?one=1"))
    assert "Question 1 of 24" in first
    assert '<input type="hidden" name="one" value="1">' in first
    assert 'href="/check/">Several questions on each page</a>' in first
    assert re.findall(r'name="(\w+)" value="yes"', first) == ["saddle_numbness"]

    second = _body(_post(client, 0, {"saddle_numbness": "no"}, one="1"))

    assert "Question 2 of 24" in second
    assert re.findall(r'name="(\w+)" value="yes"', second) == ["bladder_change"]
    assert '<input type="hidden" name="saddle_numbness" value="no">' in second
    assert "Several questions on each page" not in second


@pytest.mark.django_db
def test_one_question_at_a_time_a_missing_answer_is_a_422_on_the_same_question(client):
    response = _post(client, 3, {}, one="1")

    assert response.status_code == 422
    body = _body(response)
    assert "Question 4 of 24" in body
    assert symptom_check.QUESTION_TEXT["sexual_dysfunction"] in body
    assert '<p class="field-error" id="sexual_dysfunction-error" role="alert">' in body


@pytest.mark.django_db
def test_one_question_at_a_time_ends_at_the_first_emergency_answer(client):
    response = _post(client, 1, {"saddle_numbness": "no", "bladder_change": "yes"}, one="1")

    assert 'id="emergency"' in _body(response)


# --- In Spanish -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_spanish_screen_names_its_missing_answers_in_spanish(client):
    response = client.post(
        reverse("check"),
        {"step": "3", "go": "next", "age": "40", "onset_weeks": "2"}
        | {"first_episode": "no", "not_improving": "no"},
        HTTP_ACCEPT_LANGUAGE="es",
    )

    assert response.status_code == 422
    body = _body(response)
    assert "Paso 1 de 4" in body  # the earlier screens were never answered
    assert "Señales que necesitan atención inmediata" in body
    assert "Responda a todas las preguntas de esta página:" in body
    assert "Una pregunta cada vez" in body


@pytest.mark.django_db
def test_a_spanish_number_error_is_in_spanish_and_keeps_the_question(client):
    done = dict.fromkeys(STEPS, "no")

    response = client.post(
        reverse("check"),
        {**done, "step": "3", "go": "next", "age": "cuarenta", "onset_weeks": "2"},
        HTTP_ACCEPT_LANGUAGE="es",
    )

    assert response.status_code == 422
    body = _body(response)
    assert "Escriba un número entero." in body
    assert "¿Qué edad tiene?" in body
    assert "Paso 4 de 4" in body
    assert "Este episodio de dolor" in body


# --- "None of these apply" ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("screen", "offered"),
    [(SCREENS[0], True), (SCREENS[1], True), (SCREENS[2], True), (SCREENS[3], False)],
)
def test_none_of_these_is_offered_on_screens_of_yes_no_questions_only(screen, offered):
    assert symptom_check.offers_none_of_these(screen) is offered
    assert not any(symptom_check.offers_none_of_these(s) for s in ONE_AT_A_TIME)


@given(
    given_answers=st.dictionaries(
        st.sampled_from(SCREENS[2].steps), st.sampled_from(["yes", "no", "", "maybe"])
    )
)
def test_none_of_these_answers_no_only_where_nothing_was_chosen(given_answers):
    filled = symptom_check.none_of_these(SCREENS[2], given_answers)

    for step in SCREENS[2].steps:
        chosen = given_answers.get(step)
        assert filled[step] == (chosen if chosen in ("yes", "no") else "no")


def test_none_of_these_moves_on_with_every_question_of_the_screen_answered_no():
    move = symptom_check.advance(SCREENS, {"step": "1"}, back=False, none=True)

    assert isinstance(move, symptom_check.Show)
    assert move.index == 2
    assert move.errors == {}
    assert {move.state.answers[step] for step in SCREENS[1].steps} == {False}


def test_a_yes_chosen_before_none_of_these_stands_and_ends_in_an_emergency():
    move = symptom_check.advance(
        SCREENS, {"step": "0", "bladder_change": "yes"}, back=False, none=True
    )

    assert isinstance(move, symptom_check.Finish)
    assert move.triage.level is Level.EMERGENCY


def test_none_of_these_is_no_answer_on_the_screen_of_numbers():
    move = symptom_check.advance(SCREENS, {"step": "3"}, back=False, none=True)

    assert isinstance(move, symptom_check.Show)
    assert set(move.errors) == set(SCREENS[3].steps)


@pytest.mark.django_db
def test_the_check_in_four_taps_of_none_of_these_and_the_last_screen(client):
    data: dict[str, str] = {}
    for index in range(3):
        response = client.post(reverse("check"), {**data, "step": str(index), "go": "none"})
        assert response.status_code == 200
        assert "None of these apply" in response.content.decode() or index == 2
        data = dict.fromkeys((s for screen in SCREENS[: index + 1] for s in screen.steps), "no")
    last = {"age": "46", "onset_weeks": "3", "first_episode": "no", "not_improving": "no"}
    response = client.post(reverse("check"), {**data, **last, "step": "3", "go": "next"})

    assert "Massage is a reasonable option" in response.content.decode()
    assert "None of these apply" not in response.content.decode()
