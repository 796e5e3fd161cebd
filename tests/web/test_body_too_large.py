"""A request Django refuses before any view (a body over DATA_UPLOAD_MAX_MEMORY_SIZE): under
/api/ a JSON Problem a program can read, 413, in the caller's language; elsewhere the 400 page.
It was the HTML page for the API too (found by an outside test)."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from sciaticare.outcomes.models import PainEntry
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def too_large() -> str:
    note = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    return json.dumps({"back_pain": 3, "leg_pain": 4, "note": note})


@pytest.mark.parametrize("path", ["/api/v1/diary", "/api/v1/appointments", "/api/v1/triage"])
def test_an_api_body_too_large_to_read_is_a_json_413(client, path):
    client.force_login(PatientFactory())

    answer = client.post(path, too_large(), content_type="application/json")

    assert answer.status_code == 413
    assert answer["Content-Type"] == "application/json"
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1000
    assert answer.json() == {
        "detail": f"The request's body is larger than the {limit} kB allowed.",
        "code": "body_too_large",
        "errors": [],
    }
    assert not PainEntry.objects.exists()


def test_the_refusal_is_in_the_persons_language(client):
    client.force_login(PatientFactory(language="es"))

    answer = client.post("/api/v1/diary", too_large(), content_type="application/json")

    assert answer.json()["detail"].startswith("El cuerpo de la petición supera los ")


def test_a_page_refused_before_its_view_is_still_the_400_page(client):
    client.force_login(PatientFactory())

    form = "back_pain=3&leg_pain=4&note=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    answer = client.post("/diary/", form, content_type="application/x-www-form-urlencoded")

    assert answer.status_code == 400
    assert answer["Content-Type"].startswith("text/html")
