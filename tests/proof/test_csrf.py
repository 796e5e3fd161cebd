"""Cross-site request forgery: every state-changing request made with the browser's session
must carry the CSRF token; programs with a bearer token need none (there is no ambient
credential to forge).

Pages: every route of the URL configuration, with each unsafe method, is refused 403 without
the token. API: every operation that needs a caller is refused 403 over the session cookie
without the token (accounts/auth.BrowserSession, ninja's CSRF check), and answers as usual
with a bearer token.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from sciaticare.api import api
from tests.factories import ROLES
from tests.proof.routes import PageRoute, page_routes
from tests.proof.test_authorization_matrix import TABLE, Row, body_of, send, url_of
from tests.proof.world import World

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
# ninja's own read-only pages (the schema and its viewer) are outside Django's CSRF check: they
# change nothing.
EXEMPT = {"api-v1:openapi-json", "api-v1:openapi-view", "api-v1:api-root"}
# Twilio's webhook for replies to our texts has no session and no token: Twilio's signature of
# the request is its credential (tests/reminders/test_sms_replies.py refuses every unsigned one).
SIGNED_NOT_CSRF = {"reminders:sms_inbound"}
PATIENT = ROLES.index("patient")


def _page_url(world: World, route: PageRoute) -> str:
    declared = next((row for row in TABLE if row.route == route.name), None)
    if declared is not None:
        return url_of(world, declared)
    # allauth's keyed pages: any value reaches the view (and the middleware stops it first).
    names = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route.pattern)
    return reverse(route.name, kwargs={a or b: "1" for a, b in names})


PAGES = [
    route
    for route in page_routes()
    if route.name not in EXEMPT | SIGNED_NOT_CSRF
    and (not route.is_admin or route.name == "admin:index")
]


@pytest.fixture
def patient_client(w: World) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(w.a.patient)
    return client


@pytest.mark.parametrize("route", PAGES, ids=[route.name for route in PAGES])
def test_unsafe_page_requests_without_the_token_are_refused(w, patient_client, route):
    url = _page_url(w, route)
    for method in UNSAFE:
        response = patient_client.generic(method, url)
        assert response.status_code == 403, (method, url)
        assert b"CSRF" in response.content, (method, url)


def test_the_same_page_request_with_the_token_goes_through(w, patient_client):
    patient_client.get(reverse("outcomes:diary"))  # the form page sets the CSRF cookie
    token = patient_client.cookies[settings.CSRF_COOKIE_NAME].value
    data = {"back_pain": "3", "leg_pain": "2", "csrfmiddlewaretoken": token}

    response = patient_client.post(reverse("outcomes:diary"), data)

    assert response.status_code == 302


def _needs_caller(row: Row) -> bool:
    method, path = row.route.split(" ", 1)
    operation = api.get_openapi_schema()["paths"][path][method.lower()]
    return bool(operation.get("security"))


API_WRITES = [row for row in TABLE if row.is_api and row.method in UNSAFE and _needs_caller(row)]


@pytest.mark.parametrize("row", API_WRITES, ids=[row.route for row in API_WRITES])
def test_session_api_writes_need_the_token_and_bearer_calls_do_not(w, patient_client, row):
    forged = send(patient_client, w, row)
    assert forged.status_code == 403, forged.content
    assert "CSRF" in forged.json()["detail"]

    patient_client.get(reverse("web:dashboard"))
    token = patient_client.cookies[settings.CSRF_COOKIE_NAME].value
    with transaction.atomic():  # undone, so the bearer call below meets the same world
        with_token = _send_with_header(patient_client, w, row, HTTP_X_CSRFTOKEN=token)
        transaction.set_rollback(True)
    assert with_token.status_code == row.expect[PATIENT], with_token.content

    program = Client(enforce_csrf_checks=True)
    by_bearer = _send_with_header(program, w, row, HTTP_AUTHORIZATION=f"Bearer {w.a.token}")
    assert by_bearer.status_code == row.expect[PATIENT], by_bearer.content


def _send_with_header(client: Client, world: World, row: Row, **headers: Any) -> Any:
    body = json.dumps(body_of(world, row))
    return client.generic(
        row.method, url_of(world, row), data=body, content_type="application/json", **headers
    )


def test_public_api_operations_need_no_token(w):
    """The triage and scoring operations store nothing and take no caller: no CSRF check."""
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/triage", {}, content_type="application/json")
    assert response.status_code == 422
