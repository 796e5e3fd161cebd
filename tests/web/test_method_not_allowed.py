"""The API's methods: one an address does not take is a JSON Problem a program can read, in the
caller's language, with the Allow header in a fixed order; HEAD is answered as GET is; a page's
405 is left as it was."""

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


def test_the_allowed_methods_are_named_in_a_fixed_order(client):
    """ninja keeps them in a set, whose order changed from one process to the next."""
    response = client.put("/api/v1/clinics/1/webhooks/1")

    assert response["Allow"] == "GET, PATCH, DELETE"
    assert response.json()["detail"].endswith("it takes GET, PATCH, DELETE.")


def test_head_is_answered_as_get_is(client):
    got = client.get("/api/v1/therapists?lat=51.5&lon=-0.1")
    head = client.head("/api/v1/therapists?lat=51.5&lon=-0.1")

    assert got.status_code == head.status_code == 200
    assert head["Content-Type"] == got["Content-Type"]
    assert head.content == b""


def test_head_where_there_is_no_get_names_head(client):
    response = client.head("/api/v1/triage")

    assert response.status_code == 405
    assert response["Allow"] == "POST"
