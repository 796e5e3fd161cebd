"""The NUL character, which PostgreSQL refuses in any text, is refused at the door with a 400
saying so: in a URL's query (web.middleware.RefuseNulMiddleware) and anywhere in a JSON body
(core.bounds.check_json), never a 500 from the database."""

from __future__ import annotations

import json

import pytest

from sciaticare.core.bounds import check_json
from sciaticare.outcomes.models import PainEntry
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "document",
    ["a\x00b", {"note": "\x00"}, {"a\x00": 1}, [[{"deep": ["x", "y\x00"]}]]],
)
def test_json_holding_nul_anywhere_is_refused(document):
    with pytest.raises(ValueError, match="NUL"):
        check_json(document)


def test_json_without_nul_passes():
    check_json({"note": "a\\u0000 written out", "tags": ["x"], "n": 1, "none": None})


def test_a_diary_entry_with_nul_in_its_note_is_a_400_and_nothing_is_stored(client):
    patient = PatientFactory()
    client.force_login(patient)
    response = client.post(
        "/api/v1/diary",
        data=json.dumps({"back_pain": 1, "leg_pain": 1, "note": "a\u0000b"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "Cannot parse request body: Text may not contain the NUL character (\\u0000)."
    )
    assert not PainEntry.objects.exists()


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


def test_a_query_without_nul_is_served(client):
    assert client.get("/", {"q": "a%b"}).status_code == 200
