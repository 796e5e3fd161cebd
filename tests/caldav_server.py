"""A real CalDAV server (Radicale) for the calendar tests: the same code paths as production
through the `caldav` library, no mocks of our code.

One server per test process (xdist worker), started on a free port the first time a test asks
for `caldav_server`, with its storage in a temporary folder and plain htpasswd users. Each test
gets its own user and calendar (`own_calendar` fixture), so tests never see each other's events.
`stop()` and `start()` take the server away and bring it back (on the same port) for the
"server goes away" tests.
"""

from __future__ import annotations

import atexit
import itertools
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import caldav
import pytest

PASSWORD = "app-password-for-tests"
_users = itertools.count(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ical_time(moment: datetime | date) -> str:
    if isinstance(moment, datetime):
        return ":" + moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return ";VALUE=DATE:" + moment.strftime("%Y%m%d")


@dataclass
class CalendarServer:
    """A Radicale process on loopback; `users` maps each user name to its password."""

    folder: Path
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        config = self.folder / "config"
        config.write_text(
            "[server]\n"
            f"hosts = 127.0.0.1:{self.port}\n"
            "[auth]\ntype = htpasswd\n"
            f"htpasswd_filename = {self.folder / 'users'}\n"
            "htpasswd_encryption = plain\n"
            "delay = 0\n"
            "[storage]\n"
            f"filesystem_folder = {self.folder / 'storage'}\n"
            "[rights]\ntype = owner_only\n"
            "[logging]\nlevel = warning\n"
        )
        (self.folder / "users").touch()
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "radicale", "--config", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=(self.folder / "radicale.log").open("ab"),
        )
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
        raise RuntimeError(
            "Radicale did not start: " + (self.folder / "radicale.log").read_text()[-2000:]
        )

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def add_user(self, name: str = "") -> str:
        name = name or f"therapist{next(_users)}"
        with (self.folder / "users").open("a") as users:
            users.write(f"{name}:{PASSWORD}\n")
        return name


@dataclass
class TestCalendar:
    """One user's fresh calendar on the server, and what a test does to it from the outside
    (as the therapist's phone would)."""

    server: CalendarServer
    username: str
    url: str

    @property
    def password(self) -> str:
        return PASSWORD

    def _calendar(self) -> caldav.Calendar:
        client = caldav.DAVClient(
            url=self.server.url, username=self.username, password=PASSWORD, auth_type="basic"
        )
        return caldav.Calendar(client=client, url=self.url)

    def add_event(
        self,
        start: datetime | date,
        end: datetime | date,
        *,
        uid: str,
        summary: str = "Dentist",
        extra: str = "",
    ) -> None:
        """An event of the therapist's own (e.g. `extra="RRULE:FREQ=DAILY;COUNT=3"`, or
        `"TRANSP:TRANSPARENT"`, one property a line)."""
        lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//tests//EN",
            "BEGIN:VEVENT",
            f"UID:{uid}",
            "DTSTAMP:20260101T000000Z",
            "DTSTART" + _ical_time(start),
            "DTEND" + _ical_time(end),
            f"SUMMARY:{summary}",
            *[line for line in extra.splitlines() if line],
            "END:VEVENT",
            "END:VCALENDAR",
        ]
        self._calendar().add_event("\r\n".join(lines))

    def another(self, name: str) -> str:
        """Make a second calendar on the same account; its address."""
        client = caldav.DAVClient(
            url=self.server.url, username=self.username, password=PASSWORD, auth_type="basic"
        )
        return str(client.principal().make_calendar(name=name, cal_id=name.lower()).url)

    def events(self, url: str = "") -> list[Any]:
        """Every event in the calendar, as icalendar VEVENT components."""
        found = []
        calendar = self._calendar()
        if url:
            calendar = caldav.Calendar(client=calendar.client, url=url)
        for item in calendar.events():
            found.extend(item.icalendar_instance.walk("VEVENT"))
        return found


_shared: CalendarServer | None = None


def shared_server() -> CalendarServer:
    """The test process's server, started on first use (stopped when the process ends)."""
    global _shared
    if _shared is None:
        _shared = CalendarServer(Path(tempfile.mkdtemp(prefix="radicale-")))
        _shared.start()
        atexit.register(_shared.stop)
    elif _shared.process is None:
        _shared.start()
    return _shared


def new_calendar(server: CalendarServer, *, user: str = "", name: str = "Work") -> TestCalendar:
    """A new user on the server with one empty calendar called `name`."""
    user = server.add_user(user)
    client = caldav.DAVClient(url=server.url, username=user, password=PASSWORD, auth_type="basic")
    made = client.principal().make_calendar(name=name, cal_id="work")
    return TestCalendar(server, user, str(made.url))


@pytest.fixture(scope="session")
def caldav_server() -> CalendarServer:
    return shared_server()


@pytest.fixture
def own_calendar(caldav_server: CalendarServer) -> Iterator[TestCalendar]:
    """A new user with one empty calendar; the server is running again afterwards."""
    if caldav_server.process is None:
        caldav_server.start()
    yield new_calendar(caldav_server)
    if caldav_server.process is None:
        caldav_server.start()
