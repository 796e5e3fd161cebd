"""The check's answers kept in the browser (a signed session cookie), never on the server."""

from unittest import mock

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.intake import carried_check, symptom_check
from sciaticare.intake.symptom_check import CheckState
from sciaticare.intake.triage.questions import REQUIRED_CODES


def _carried(response: HttpResponse) -> CheckState | None:
    request = RequestFactory().get("/")
    request.COOKIES[carried_check.COOKIE] = response.cookies[carried_check.COOKIE].value
    return carried_check.recall(request)


@given(
    answers=st.dictionaries(st.sampled_from(sorted(REQUIRED_CODES)), st.booleans()),
    age=st.none() | st.integers(1, 120),
    onset=st.none() | st.floats(0, 520, allow_nan=False),
)
def test_what_is_remembered_is_recalled(answers, age, onset):
    response = HttpResponse()
    state = CheckState(answers=answers, age=age, onset_weeks=onset)

    carried_check.remember(response, state)

    assert _carried(response) == state


def test_the_cookie_is_a_browser_session_cookie_unreadable_to_scripts():
    response = HttpResponse()
    carried_check.remember(response, CheckState(answers={"fever": False}))

    morsel = response.cookies[carried_check.COOKIE]
    assert morsel["httponly"]
    assert morsel["samesite"] == "Lax"
    assert not morsel["expires"]
    assert not morsel["max-age"]
    assert "fever" not in morsel.value  # compressed and signed, not plain


@pytest.mark.parametrize(
    "value",
    ["", "garbage", "eyJhIjp7fX0:1abc:forged", "a" * 5000],
)
def test_a_forged_or_broken_cookie_is_no_answers(value):
    request = RequestFactory().get("/")
    request.COOKIES[carried_check.COOKIE] = value

    assert carried_check.recall(request) is None


def test_answers_older_than_two_hours_are_not_recalled():
    response = HttpResponse()
    with mock.patch("django.core.signing.time.time", return_value=1_800_000_000):
        carried_check.remember(response, CheckState(answers={"fever": False}, age=40))
    later = 1_800_000_000 + carried_check.HOLDS_FOR.total_seconds()
    with mock.patch("django.core.signing.time.time", return_value=later - 1):
        assert _carried(response) is not None
    with mock.patch("django.core.signing.time.time", return_value=later + 1):
        assert _carried(response) is None


def test_forget_drops_the_cookie():
    response = HttpResponse()
    carried_check.forget(response)

    assert response.cookies[carried_check.COOKIE]["max-age"] == 0


@pytest.mark.django_db
def test_the_finished_check_leaves_its_answers_in_the_browser(client):
    answers = dict.fromkeys(symptom_check.STEPS, "no")
    answers |= {"age": "44", "onset_weeks": "3", "night_pain": "yes"}
    response = None
    for index in range(len(symptom_check.SCREENS)):
        response = client.post("/check/", {**answers, "step": str(index)})

    assert b"Your symptom check" in response.content
    recalled = _carried(response)
    assert recalled is not None
    assert recalled.age == 44
    assert recalled.onset_weeks == 3.0
    assert recalled.answers["night_pain"] is True
    assert set(recalled.answers) == REQUIRED_CODES


@pytest.mark.django_db
@pytest.mark.parametrize("one", ["", "1"], ids=["grouped", "one at a time"])
def test_a_check_ended_early_by_an_emergency_leaves_the_answers_given(client, one):
    response = client.post(
        "/check/", {"step": "1", "one": one, "saddle_numbness": "no", "bladder_change": "yes"}
    )

    assert b'id="emergency"' in response.content
    assert _carried(response) == CheckState(
        answers={"saddle_numbness": False, "bladder_change": True}
    )
