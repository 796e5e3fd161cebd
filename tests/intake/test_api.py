"""POST /api/v1/triage and POST /api/v1/questionnaires/{code}/score: contracts and bad input."""

import json

import pytest

from sciaticare.audit.models import AuditEvent
from sciaticare.intake.triage.questions import REQUIRED_CODES

pytestmark = pytest.mark.django_db

NO = dict.fromkeys(REQUIRED_CODES, False)


def _post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def _fields(response):
    return {error["field"]: error["message"] for error in response.json()["errors"]}


@pytest.mark.parametrize("weeks", ["NaN", "Infinity"])
def test_weeks_that_are_not_a_finite_number_are_422_saying_so(client, weeks):
    # Python's JSON reader takes these words; the API does not take them as a number of weeks.
    body = json.dumps({"age": 45, "answers": NO})[:-1] + f', "onset_weeks": {weeks}}}'
    response = client.post("/api/v1/triage", body, content_type="application/json")

    assert response.status_code == 422
    assert _fields(response)["onset_weeks.float"] == "Input should be a finite number"


def test_triage_answers_with_level_reasons_precautions_and_advice(client):
    response = _post(
        client, "/api/v1/triage", {"age": 45, "onset_weeks": 2, "answers": {**NO, "pregnant": True}}
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"level", "reasons", "precautions", "advice"}
    assert body["level"] == "ok"
    assert body["precautions"] == ["check_with_midwife"]
    assert AuditEvent.objects.count() == 0


def test_triage_emergency(client):
    response = _post(
        client,
        "/api/v1/triage",
        {"age": 45, "onset_weeks": 1.5, "answers": {**NO, "bowel_change": True}},
    )

    assert response.json()["level"] == "emergency"
    assert response.json()["reasons"] == ["bowel_change"]


def test_triage_derived_reason(client):
    body = {"age": 60, "onset_weeks": 7, "answers": {**NO, "not_improving": True}}

    assert _post(client, "/api/v1/triage", body).json()["reasons"] == ["no_improvement_6_weeks"]


@pytest.mark.parametrize(
    ("change", "field", "message_part"),
    [
        ({"answers": {k: v for k, v in NO.items() if k != "fever"}}, "answers.fever", "required"),
        ({"answers": {**NO, "dizzy": True}}, "answers.dizzy", "Extra inputs"),
        ({"answers": {**NO, "fever": "yes"}}, "answers.fever", "boolean"),
        ({"answers": {**NO, "fever": 1}}, "answers.fever", "boolean"),
        ({"age": 0}, "age", "greater than or equal to 1"),
        ({"age": 121}, "age", "less than or equal to 120"),
        ({"age": True}, "age", "integer"),
        ({"age": "40"}, "age", "integer"),
        ({"onset_weeks": -1}, "onset_weeks", "greater than or equal to 0"),
        ({"onset_weeks": 521}, "onset_weeks", "less than or equal to 520"),
        ({"mood": "fine"}, "mood", "Extra inputs"),
    ],
    ids=[
        "missing-code",
        "unknown-code",
        "string-not-boolean",
        "number-not-boolean",
        "age-0",
        "age-121",
        "age-bool",
        "age-string",
        "negative-onset",
        "onset-too-long",
        "unknown-field",
    ],
)
def test_triage_bad_input_is_422_naming_the_field(client, change, field, message_part):
    body = {"age": 45, "onset_weeks": 2, "answers": NO, **change}

    response = _post(client, "/api/v1/triage", body)

    assert response.status_code == 422
    fields = _fields(response)
    assert field in fields, fields
    assert message_part.lower() in fields[field].lower()


def test_triage_reports_every_wrong_field_at_once(client):
    answers = {k: v for k, v in NO.items() if k != "fever"}
    response = _post(
        client, "/api/v1/triage", {"age": 0, "onset_weeks": -2, "answers": {**answers, "x": True}}
    )

    assert set(_fields(response)) == {"age", "onset_weeks", "answers.fever", "answers.x"}


def test_triage_malformed_json_is_a_4xx_without_a_trace(client):
    response = client.post("/api/v1/triage", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert "Traceback" not in response.content.decode()


def test_triage_schema_is_in_the_openapi_document(client):
    schema = client.get("/api/v1/openapi.json").json()
    answers = schema["components"]["schemas"]["TriageAnswers"]

    assert set(answers["required"]) == REQUIRED_CODES
    assert answers["additionalProperties"] is False


@pytest.mark.parametrize(
    ("code", "answers", "score", "band"),
    [
        ("nrs-leg", {"nrs-leg-1": 7}, 7.0, None),
        ("peg", {"peg-1": 6, "peg-2": 5, "peg-3": 7}, 6.0, None),
        ("rmdq", {f"rmdq-{i}": i <= 7 for i in range(1, 25)}, 7.0, None),
        ("odi", {f"odi-{i}": 2 for i in range(1, 11)}, 40.0, "moderate"),
    ],
)
def test_score_endpoint(client, code, answers, score, band):
    response = _post(client, f"/api/v1/questionnaires/{code}/score", {"answers": answers})

    assert response.status_code == 200
    assert response.json()["score"] == score
    assert response.json()["band"] == band


def test_score_endpoint_refuses_a_partial_response_naming_the_missing_items(client):
    response = _post(client, "/api/v1/questionnaires/peg/score", {"answers": {"peg-1": 5}})

    assert response.status_code == 422
    assert set(_fields(response)) == {"answers.peg-2", "answers.peg-3"}


def test_score_endpoint_refuses_out_of_range(client):
    response = _post(
        client, "/api/v1/questionnaires/nrs-back/score", {"answers": {"nrs-back-1": 11}}
    )

    assert response.status_code == 422
    assert "answers.nrs-back-1" in _fields(response)


def test_score_endpoint_unknown_instrument_is_404(client):
    assert _post(client, "/api/v1/questionnaires/sf36/score", {"answers": {}}).status_code == 404


def test_score_endpoint_gives_no_odi_score_from_one_section(client):
    # One answered section used to give 100 % ("bed-bound").
    response = _post(client, "/api/v1/questionnaires/odi/score", {"answers": {"odi-3": 5}})

    assert response.status_code == 422
    unanswered = {f"answers.odi-{n}" for n in range(1, 11)} - {"answers.odi-3"}
    assert set(_fields(response)) == unanswered
    assert "at least 8 of its 10 sections" in response.content.decode()


def test_score_endpoint_scores_odi_with_two_sections_unanswered(client):
    answers = {f"odi-{n}": 2 for n in range(1, 9)}
    response = _post(client, "/api/v1/questionnaires/odi/score", {"answers": answers})

    assert response.status_code == 200
    assert response.json()["score"] == 40.0


def test_triage_api_answers_the_combined_red_flags(client):
    body = {
        "age": 60,
        "onset_weeks": 3,
        "answers": {**NO, "cancer_history": True, "both_legs": True},
    }

    response = _post(client, "/api/v1/triage", body)

    assert response.json()["level"] == "emergency"
    assert response.json()["reasons"] == [
        "both_legs",
        "cancer_history",
        "possible_spinal_cord_compression",
    ]
    assert "acute oncology" in response.json()["advice"]
