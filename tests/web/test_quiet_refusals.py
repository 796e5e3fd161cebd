"""An ordinary refusal is one warning line in the server's log, never a traceback: Django logs
a PermissionDenied (403) or BadRequest (400) with the exception's traceback, which the
console handler leaves out for a 4xx (core.access_log.NoTracebackFor4xx); a 5xx keeps it.
And a therapist opening the patients' Payments page gets the 404 every other billing page
gives someone with no claim on it (it was a 403 with a traceback)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from sciaticare.core.access_log import NoTracebackFor4xx
from tests.factories import PatientFactory, TherapistFactory


@pytest.fixture
def root_log() -> Iterator[io.StringIO]:
    handlers = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    assert handlers
    stream = io.StringIO()
    old = [handler.setStream(stream) for handler in handlers]
    try:
        yield stream
    finally:
        for handler, previous in zip(handlers, old, strict=True):
            handler.setStream(previous)


@pytest.mark.django_db
def test_a_permission_refusal_logs_one_line_without_a_traceback(client, root_log):
    client.force_login(PatientFactory())
    assert client.get("/schedule/week/").status_code == 403  # the therapists' page

    logged = root_log.getvalue()
    assert "Forbidden (Permission denied): /schedule/week/" in logged
    assert "Traceback" not in logged


@pytest.mark.django_db
def test_a_therapist_on_the_payments_page_gets_not_found_quietly(client, root_log):
    client.force_login(TherapistFactory())
    assert client.get("/billing/payments/").status_code == 404
    assert "Traceback" not in root_log.getvalue()


def _record(status: int) -> logging.LogRecord:
    try:
        raise ValueError("boom")
    except ValueError as exc:
        record = logging.LogRecord("django.request", logging.WARNING, "", 0, "x", (), None)
        record.exc_info = (type(exc), exc, exc.__traceback__)
    record.status_code = status
    return record


@pytest.mark.parametrize(("status", "traceback"), [(403, False), (400, False), (500, True)])
def test_only_server_errors_keep_their_traceback(status, traceback):
    record = _record(status)
    assert NoTracebackFor4xx().filter(record)
    assert (record.exc_info is not None) is traceback
