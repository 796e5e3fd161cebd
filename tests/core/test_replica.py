"""Which database a read that may lag uses (core/replica.py): the decision, the middleware's
cookie, and that a request's permission ends with it. No database is read here; the slow
suite reads two different ones (tests/directory/test_replica_reads.py)."""

import runpy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from sciaticare import settings as settings_module
from sciaticare.core import replica
from sciaticare.core.replica import (
    REPLICA,
    WROTE_AT_COOKIE,
    ReplicaReadsMiddleware,
    late_read_alias,
    late_reads,
    may_read_late,
)

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("method", "bearer", "wrote_at", "late"),
    [
        ("GET", False, None, True),
        ("HEAD", False, None, True),
        ("GET", False, NOW - 5.0, True),  # the window has passed
        ("GET", False, NOW - 4.9, False),  # read-your-writes
        ("GET", False, NOW + 2.0, False),  # written on a server whose clock runs ahead
        ("GET", False, NOW - 3600, True),
        ("GET", True, None, False),  # a bearer-token program keeps no cookie
        ("POST", False, None, False),  # a write's own reads
        ("PUT", False, None, False),
        ("DELETE", False, None, False),
    ],
)
def test_who_may_read_late(method, bearer, wrote_at, late):
    assert (
        may_read_late(method=method, bearer=bearer, wrote_at=wrote_at, now=NOW, window=5.0) is late
    )


class Clock:
    at = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    frozen = Clock()
    monkeypatch.setattr(timezone, "now", lambda: frozen.at)
    return frozen


@pytest.fixture
def with_replica(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """As if DATABASE_REPLICA_URL were set (no connection is opened: nothing is read)."""
    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    settings.READ_YOUR_WRITES_SECONDS = 5.0


class Recorder:
    """A view that notes which alias a late read would use, and answers `status`."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.aliases: list[str] = []

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.aliases.append(late_read_alias())
        return HttpResponse(status=self.status)


def serve(request: HttpRequest, status: int = 200) -> tuple[str, HttpResponse]:
    view = Recorder(status)
    response = ReplicaReadsMiddleware(view)(request)
    return view.aliases[0], response


rf = RequestFactory()


def test_a_public_read_goes_to_the_replica_and_the_permission_ends_with_the_request(
    with_replica, clock
):
    alias, response = serve(rf.get("/api/v1/therapists"))

    assert alias == REPLICA
    assert WROTE_AT_COOKIE not in response.cookies
    assert late_read_alias() == "default"  # the next request on this thread starts afresh


def test_the_permission_ends_even_when_the_view_fails(with_replica, clock):
    def failing(request: HttpRequest) -> HttpResponse:
        assert late_read_alias() == REPLICA
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        ReplicaReadsMiddleware(failing)(rf.get("/"))

    assert late_read_alias() == "default"


def test_after_a_write_the_same_browser_reads_the_primary_for_the_window(with_replica, clock):
    alias, written = serve(rf.post("/therapists/plan/add/"), status=302)
    assert alias == "default"  # a write's own reads
    cookie = written.cookies[WROTE_AT_COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 5

    def read(after: timedelta) -> str:
        clock.at += after
        request = rf.get("/api/v1/therapists/1")
        request.COOKIES[WROTE_AT_COOKIE] = cookie.value
        return serve(request)[0]

    assert read(timedelta(seconds=1)) == "default"
    assert read(timedelta(seconds=3.9)) == "default"
    assert read(timedelta(seconds=0.1)) == REPLICA  # 5 s after the write


@pytest.mark.parametrize("status", [400, 403, 404, 422, 500])
def test_a_refused_write_sets_no_cookie(with_replica, clock, status):
    _, response = serve(rf.post("/api/v1/diary"), status=status)

    assert WROTE_AT_COOKIE not in response.cookies


def test_a_cookie_the_server_did_not_sign_is_ignored(with_replica, clock):
    request = rf.get("/")
    request.COOKIES[WROTE_AT_COOKIE] = str(clock.at.timestamp())

    assert serve(request)[0] == REPLICA


def test_a_bearer_token_call_reads_the_primary(with_replica, clock):
    request = rf.get("/api/v1/therapists", headers={"authorization": "Bearer sct_x"})

    assert serve(request)[0] == "default"


def test_inside_a_transaction_the_read_stays_on_the_primary(with_replica, monkeypatch):
    monkeypatch.setattr(connections["default"], "in_atomic_block", True)

    with late_reads():
        assert late_read_alias() == "default"


def test_outside_a_request_reads_use_the_primary(with_replica):
    assert late_read_alias() == "default"
    with late_reads(allowed=False):
        assert late_read_alias() == "default"
    with late_reads():
        assert late_read_alias() == REPLICA


def test_without_a_replica_nothing_changes():
    assert not replica.replica_configured()
    with late_reads():
        assert late_read_alias() == "default"
    with pytest.raises(MiddlewareNotUsed):
        ReplicaReadsMiddleware(Recorder())


def _settings() -> dict[str, Any]:
    """The settings module run afresh on the environment as the test set it."""
    return runpy.run_path(str(Path(settings_module.__file__)), run_name="settings_check")


def test_the_replica_alias_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://app@primary.internal:6432/sciaticare")
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://app@replica.internal:5432/sciaticare")
    monkeypatch.setenv("CONN_MAX_AGE", "0")

    databases = _settings()["DATABASES"]

    assert databases["replica"]["HOST"] == "replica.internal"
    assert databases["replica"]["TEST"] == {"MIRROR": "default"}
    assert databases["replica"]["CONN_MAX_AGE"] == 0


def test_no_replica_alias_unless_asked(monkeypatch):
    monkeypatch.delenv("DATABASE_REPLICA_URL", raising=False)

    assert set(_settings()["DATABASES"]) == {"default"}


def test_a_replica_of_another_kind_of_database_is_refused(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://app@primary.internal/sciaticare")
    monkeypatch.setenv("DATABASE_REPLICA_URL", "sqlite:////tmp/elsewhere.sqlite3")

    with pytest.raises(ImproperlyConfigured, match="same kind"):
        _settings()
