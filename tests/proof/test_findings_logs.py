"""Finding 13.12 (logs): secrets and free text stay out of the server's logs.

Calendar secrets (`/calendar/<secret>.ics`), shared-report tokens (`/shared-reports/<token>/`)
and free text typed into an audited read (`?reason=`) used to reach the access log as they
were. Django's handlers (settings.LOGGING: runserver's access log and everything else) and
gunicorn's access log (gunicorn.conf.py) now redact them. Each test writes the log line the
way the server does and reads it back.
"""

from __future__ import annotations

import io
import logging
import runpy
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.servers.basehttp import WSGIRequestHandler
from django.urls import reverse
from gunicorn.config import Config

from sciaticare.core.access_log import GunicornLogger
from sciaticare.scheduling.services import calendar_feeds
from tests.factories import PatientFactory

CALENDAR_SECRET = "Zq8kCalendarSecretValue"
SHARE_TOKEN = "s3cr3t-Share_Token"
REASON = "Rowena Quill asked about her bladder"
REQUESTS = [
    f"/calendar/{CALENDAR_SECRET}.ics",
    f"/shared-reports/{SHARE_TOKEN}/",
    "/api/v1/appointments/7/note?reason=Rowena%20Quill%20asked%20about%20her%20bladder",
    "/api/v1/patients/9/fhir?page=1&reason=Rowena+Quill+asked+about+her+bladder",
]
SECRETS = (CALENDAR_SECRET, SHARE_TOKEN, "Rowena", "Quill", "bladder")


def _captured(logger_name: str) -> Iterator[io.StringIO]:
    """What the configured console handlers of `logger_name` write (pytest's own left out)."""
    handlers = [
        handler
        for handler in logging.getLogger(logger_name).handlers
        if type(handler) is logging.StreamHandler
    ]
    assert handlers, f"{logger_name} has nowhere to write"
    stream = io.StringIO()
    old = [handler.setStream(stream) for handler in handlers]
    try:
        yield stream
    finally:
        for handler, previous in zip(handlers, old, strict=True):
            handler.setStream(previous)


@pytest.fixture
def runserver_log() -> Iterator[io.StringIO]:
    yield from _captured("django.server")


@pytest.fixture
def root_log() -> Iterator[io.StringIO]:
    yield from _captured("")


@pytest.mark.parametrize("path", REQUESTS)
def test_runservers_access_log_line_has_no_secret(runserver_log, path):
    handler = SimpleNamespace(request=None, log_date_time_string=lambda: "05/Dec/2026 04:00:00")

    WSGIRequestHandler.log_message(handler, '"%s" %s %s', f"GET {path} HTTP/1.1", "200", "512")

    line = runserver_log.getvalue()
    assert "GET /" in line
    assert "[redacted]" in line
    for secret in SECRETS:
        assert secret not in line


@pytest.mark.django_db
def test_djangos_not_found_warning_has_no_secret(client, root_log):
    client.get(f"/calendar/{CALENDAR_SECRET}.ics")
    client.get(f"/shared-reports/{SHARE_TOKEN}/")

    logged = root_log.getvalue()
    assert "Not Found: /calendar/[redacted].ics" in logged
    assert CALENDAR_SECRET not in logged
    assert SHARE_TOKEN not in logged


@pytest.mark.django_db
def test_a_real_feeds_request_leaves_no_secret_in_the_warning_log(client, root_log):
    feed = calendar_feeds.feed_for(owner=PatientFactory())
    feed.owner.is_active = False
    feed.owner.save()

    assert client.get(reverse("calendar_feed", kwargs={"secret": feed.secret})).status_code == 404
    assert feed.secret not in root_log.getvalue()


def _gunicorn_logger(tmp_path: Path, access_log_format: str | None = None) -> GunicornLogger:
    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    if access_log_format:
        cfg.set("access_log_format", access_log_format)
    return GunicornLogger(cfg)


@pytest.mark.parametrize("path", REQUESTS)
def test_gunicorns_access_log_line_has_no_secret(tmp_path, path):
    # The combined format plus the raw path, query and a referer that is itself a secret URL.
    logger = _gunicorn_logger(
        tmp_path, '%(h)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(U)s %(q)s %({raw_uri}e)s'
    )
    raw_path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": raw_path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://clinic.example/calendar/{CALENDAR_SECRET}.ics",
        "HTTP_USER_AGENT": "test",
    }
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    request = SimpleNamespace(headers=[("USER-AGENT", "test")])

    logger.access(response, request, environ, timedelta(milliseconds=3))

    line = (tmp_path / "access.log").read_text()
    assert "GET /" in line
    assert "[redacted]" in line
    for secret in SECRETS:
        assert secret not in line


def test_gunicorn_uses_the_redacting_logger():
    conf = runpy.run_path(str(Path(__file__).parents[2] / "gunicorn.conf.py"))

    assert conf["logger_class"] == "sciaticare.core.access_log.GunicornLogger"
