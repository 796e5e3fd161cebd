"""An address no route matches: under /api/ a JSON Problem a program can read, in the
caller's language; elsewhere the site's 404 page."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["/api/v1/therapists/1/", "/api/v1/no-such-thing", "/api/v2/therapists", "/api/"],
)
def test_an_unknown_api_address_is_a_json_problem(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "No such page.", "code": "not_found", "errors": []}


def test_the_api_problem_is_in_the_callers_language(client):
    response = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "es"})

    assert response.json()["detail"] == "No se ha encontrado: página."


def test_an_unknown_page_is_still_the_404_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
