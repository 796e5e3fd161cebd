"""A database that is away or too slow answers 503 with Retry-After, never a 500 or a traceback
(core/outage.py): the API as `{detail, code, errors}`, pages as the 503 page. Only what would
have been a 500 changes: a write that failed is not saved, and other errors stay 500s.

The database "fails" here through Django's execute wrapper, which raises before the statement
is sent; tests/proof/test_outage.py does it for real (a killed backend, a held lock, a
statement timeout, nothing listening) against gunicorn and PostgreSQL."""

from __future__ import annotations

import json

import psycopg
import pytest
from django.db import IntegrityError, InterfaceError, OperationalError
from django.test import Client

from sciaticare.audit.models import AuditEvent
from sciaticare.core.outage import BUSY, UNAVAILABLE, outage_of
from sciaticare.intake.triage.questions import REQUIRED_CODES
from sciaticare.outcomes.models import PainEntry
from tests.database_faults import failing, lock_timeout, refused
from tests.factories import PatientFactory, TherapistFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor() -> Client:
    # The test client re-raises a view's error by default; a browser gets the answer.
    return Client(raise_request_exception=False)


def _no_traceback(body: str) -> None:
    for leak in ("Traceback", "OperationalError", "psycopg", 'File "'):
        assert leak not in body


# --- Which errors are an outage ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (refused(), UNAVAILABLE),
        (InterfaceError("connection already closed"), UNAVAILABLE),
        (lock_timeout(), BUSY),
        (OperationalError("database is locked"), BUSY),  # SQLite's busy timeout
        (IntegrityError("duplicate key"), None),
        (ValueError("a bug"), None),
        (None, None),
    ],
)
def test_only_an_unreachable_or_slow_database_is_an_outage(error, expected):
    assert outage_of(error) == expected


def test_a_statement_timeout_is_busy_not_unavailable():
    error = OperationalError("canceling statement due to statement timeout")
    error.__cause__ = psycopg.errors.QueryCanceled("canceling statement due to statement timeout")
    assert outage_of(error) == BUSY


# --- The API ---------------------------------------------------------------------------------


def test_an_api_read_with_the_database_away_is_503_json_with_retry_after(visitor, settings):
    # No rate limit: the first statement is the view's, so ninja's own handler answers.
    settings.RATE_LIMITS_ENABLED = False
    with failing(refused):
        answer = visitor.get("/api/v1/therapists/1")

    assert answer.status_code == 503
    assert answer["Retry-After"] == "5"
    assert answer["Content-Type"].startswith("application/json")
    body = answer.json()
    assert body["code"] == "database_unavailable"
    assert body["errors"] == []
    assert "try again in a few seconds" in body["detail"]
    _no_traceback(answer.content.decode())


def test_an_api_call_failing_in_its_rate_limit_is_the_same_503_json(visitor, settings):
    # The limit's counter is the first statement: it runs before ninja's handlers, so the
    # site's handler500 answers, in the API's shape.
    settings.RATE_LIMITS_ENABLED = True
    with failing(lock_timeout):
        answer = visitor.get("/api/v1/therapists/1")

    assert answer.status_code == 503
    assert answer["Retry-After"] == "2"
    assert answer.json()["code"] == "database_busy"
    _no_traceback(answer.content.decode())


@pytest.mark.django_db(transaction=True)  # as in production: the limit runs outside a transaction
def test_the_triage_api_answers_while_the_database_is_unreachable(visitor, settings):
    # Its limits cannot count: they let the call through, as the engine needs no database.
    settings.RATE_LIMITS_ENABLED = True
    answers = dict.fromkeys(REQUIRED_CODES, False) | {"saddle_numbness": True}
    body = json.dumps({"age": 40, "onset_weeks": 2, "answers": answers})
    with failing(refused):
        answer = visitor.post("/api/v1/triage", body, content_type="application/json")

    assert answer.status_code == 200
    assert answer.json()["level"] == "emergency"


@pytest.mark.django_db(transaction=True)
def test_the_symptom_check_goes_on_while_the_database_is_unreachable(visitor, settings):
    settings.RATE_LIMITS_ENABLED = True
    with failing(refused):
        answer = visitor.post("/check/", {"step": "0", "go": "next", "saddle_numbness": "yes"})

    assert answer.status_code == 200
    assert 'id="emergency"' in answer.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_read_whose_limit_cannot_count_still_meets_the_outage_itself(visitor, settings):
    settings.RATE_LIMITS_ENABLED = True
    with failing(refused):
        answer = visitor.get("/api/v1/therapists/1")

    assert answer.status_code == 503
    assert answer.json()["code"] == "database_unavailable"


def test_a_write_that_met_the_outage_is_not_saved_and_not_acknowledged(visitor):
    patient = PatientFactory()
    visitor.force_login(patient)
    body = json.dumps({"back_pain": 4, "leg_pain": 5})

    with failing(lock_timeout, when=lambda sql: sql.lstrip().startswith("INSERT")):
        answer = visitor.post("/api/v1/diary", body, content_type="application/json")

    assert answer.status_code == 503
    assert answer.json()["code"] == "database_busy"
    assert not PainEntry.objects.filter(patient=patient).exists()
    assert not AuditEvent.objects.filter(action__startswith="diary.").exists()
    # And once the database answers again, the same write goes through.
    answer = visitor.post("/api/v1/diary", body, content_type="application/json")
    assert answer.status_code == 201
    assert PainEntry.objects.filter(patient=patient).count() == 1


def test_the_outage_is_logged_as_an_error_with_its_cause(visitor, settings, caplog):
    settings.RATE_LIMITS_ENABLED = False
    with failing(refused), caplog.at_level("ERROR", logger="django.request"):
        visitor.get("/api/v1/therapists/1")

    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Service Unavailable: /api/v1/therapists/1"
    assert record.exc_info is not None


# --- Pages -----------------------------------------------------------------------------------


def test_a_page_with_the_database_away_is_the_503_page(visitor):
    with failing(refused):
        answer = visitor.get("/therapists/1/")

    assert answer.status_code == 503
    assert answer["Retry-After"] == "5"
    assert answer["Content-Type"].startswith("text/html")
    page = answer.content.decode()
    assert "Sciaticare could not answer just now" in page
    assert "cannot reach its database" in page
    assert 'href="/therapists/1/"' in page  # try again
    _no_traceback(page)


def test_a_signed_in_page_failing_in_middleware_is_the_503_page_in_spanish(visitor):
    # A signed-in person's session and language are read before the view.
    visitor.force_login(TherapistFactory())
    with failing(lock_timeout):
        answer = visitor.get("/dashboard/", headers={"accept-language": "es"})

    assert answer.status_code == 503
    assert answer["Retry-After"] == "2"
    page = answer.content.decode()
    assert '<html lang="es">' in page
    assert "Sciaticare no ha podido responder ahora" in page
    _no_traceback(page)


def test_any_other_error_is_still_the_500_page(visitor):
    with failing(lambda: IntegrityError("duplicate key value")):
        answer = visitor.get("/therapists/1/")

    assert answer.status_code == 500
    assert "Retry-After" not in answer
    assert "Something went wrong on our side" in answer.content.decode()
