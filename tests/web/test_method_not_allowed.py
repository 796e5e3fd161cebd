"""An API address asked with a method it does not take: a JSON Problem a program can read, in
the caller's language, with the Allow header; a page's 405 is left as it was."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("delete", "/api/v1/therapists", {"GET"}),
        ("put", "/api/v1/therapists/1/slots", {"GET"}),
        ("patch", "/api/v1/diary", {"GET", "POST"}),
    ],
)
def test_a_method_the_api_does_not_take_is_a_json_problem(client, method, path, allowed):
    response = getattr(client, method)(path)

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert {m.strip() for m in response["Allow"].split(",")} == allowed
    body = response.json()
    assert body["code"] == "method_not_allowed"
    assert body["errors"] == []
    assert method.upper() in body["detail"]
    assert all(m in body["detail"] for m in allowed)


def test_the_problem_is_in_the_callers_language(client):
    response = client.delete("/api/v1/therapists", headers={"Accept-Language": "es"})

    assert response.json()["detail"] == "Esta dirección no admite DELETE; admite GET."


def test_a_page_that_takes_only_posts_answers_as_before(client):
    response = client.get("/reminders/sms/inbound/")

    assert response.status_code == 405
    assert not response["Content-Type"].startswith("application/json")
