"""The NUL character, which PostgreSQL refuses in any text, never reaches the database as a 500:
a diary note holding it is refused naming the field (here and, for the offline sync, in
tests/outcomes/test_diary_sync.py), a URL's
query holding it is a 400 saying so (web.middleware.RefuseNulMiddleware)."""

from __future__ import annotations

import json

import pytest

from sciaticare.outcomes.models import PainEntry
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient_client(client):
    client.force_login(PatientFactory())
    return client


def _fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def test_a_diary_note_with_nul_is_a_422_naming_the_note(patient_client):
    response = patient_client.post(
        "/api/v1/diary",
        data=json.dumps({"back_pain": 1, "leg_pain": 1, "note": "a\u0000b"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert _fields(response) == ["note"]
    assert not PainEntry.objects.exists()


def test_a_diary_note_keeps_its_line_breaks_and_tabs(patient_client):
    response = patient_client.post(
        "/api/v1/diary",
        data=json.dumps({"back_pain": 1, "leg_pain": 1, "note": "stiff\n\tthen better"}),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert PainEntry.objects.get().note == "stiff\n\tthen better"


def test_an_api_query_with_nul_is_a_400_problem(client):
    response = client.get("/api/v1/therapists", {"q": "a\x00b", "lat": "51.5", "lon": "-0.1"})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Text may not contain the NUL character (\\u0000).",
        "code": "nul_character",
        "errors": [],
    }


def test_a_page_query_with_nul_is_the_400_page(client):
    response = client.get("/therapists/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert b"That request could not be understood" in response.content
    assert "Content-Security-Policy" in response.headers  # the site's headers, as on any page


def test_a_query_without_nul_is_served(client):
    assert client.get("/", {"q": "a%b"}).status_code == 200


def test_an_api_body_nested_too_deep_says_so(patient_client):
    deep = "[" * 200 + "]" * 200
    response = patient_client.post("/api/v1/diary", deep, content_type="application/json")
    assert response.status_code == 400
    assert "nested more than" in response.json()["detail"]
