"""The one module that talks CalDAV (the `caldav` library): find a therapist's calendars, read
their busy times, put and remove our events. No Django, no app code.

Every failure (refused connection, time-out, 401, 404, an answer that is not CalDAV) comes out
as :class:`CalendarError` with plain words for the therapist; nothing else escapes, so a
calendar server going away can never turn a page into a 500. Each call has a total deadline,
not only a per-request time-out. Redirects are not followed: the address was checked against
private networks (addresses.py) and a redirect could lead anywhere.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time as clock
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from caldav.calendarobjectresource import Event
from caldav.collection import Calendar
from caldav.davclient import DAVClient
from caldav.lib import error as dav_error

from sciaticare.core.bounds import whole_number
from sciaticare.core.translation import gettext_noop
from sciaticare.integrations.busy_times import (
    UNREADABLE,
    BusyRead,
    CalendarError,
    expanded_busy,
)

log = logging.getLogger(__name__)

SUMMARY = "Sciaticare session"


@dataclass(frozen=True)
class Account:
    """Where and as whom to call: the server, the user name and the app password."""

    server_url: str
    username: str
    password: str
    #: The whole call's deadline in seconds (each request gets it too).
    timeout: float = 10.0

    def __repr__(self) -> str:  # never the password in a log or a traceback
        return f"Account({self.server_url!r}, {self.username!r})"


#: Limits of one call, whatever the server or an event in the calendar says: the bytes of one
#: answer, the occurrences of repeating events computed (in the window or before it), and the
#: busy times kept after merging (docs/integrations.md, "Your own calendar").
MAX_ANSWER_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class FoundCalendar:
    url: str
    name: str


class _BudgetedSession:
    """The client's HTTP session, with one budget for the whole call: every request gets at most
    the time left as its time-outs, and the answer is read in pieces, stopping at the deadline or
    at MAX_ANSWER_BYTES. A server answering one byte at a time can neither hold the call (and its
    thread and socket) past the deadline nor fill our memory."""

    def __init__(self, session: Any, *, deadline: float) -> None:
        self._session = session
        self._deadline = deadline

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        left = self._deadline - clock.monotonic()
        if left <= 0:
            raise TimeoutError
        kwargs["timeout"] = left
        kwargs["stream"] = True
        response = self._session.request(method, url, **kwargs)
        try:
            declared = whole_number(str(response.headers.get("Content-Length") or "0"))
            if declared is not None and declared > MAX_ANSWER_BYTES:
                raise CalendarError(TOO_LARGE)
            body = bytearray()
            for piece in response.iter_content(chunk_size=64 * 1024):
                body += piece
                if len(body) > MAX_ANSWER_BYTES:
                    raise CalendarError(TOO_LARGE)
                if clock.monotonic() > self._deadline:
                    raise TimeoutError
        finally:
            response.close()
        # What `response.content` would have read, now that it has been read within budget.
        response._content = bytes(body)  # noqa: SLF001 - as `response.content` leaves it
        response._content_consumed = True  # noqa: SLF001
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def _client(account: Account) -> DAVClient:
    deadline = clock.monotonic() + account.timeout
    client = DAVClient(
        url=account.server_url,
        username=account.username,
        password=account.password,
        # Basic auth from the first request: without it the first request goes unauthenticated,
        # and servers that slow down failed logins (Radicale) take a second longer to answer.
        auth_type="basic",
        timeout=max(1, int(account.timeout + 0.999)),
        enable_rfc6764=False,
        require_tls=False,  # whether plain http is allowed is decided by addresses.py
    )
    session = getattr(client, "session", None)
    if session is not None and hasattr(session, "max_redirects"):
        session.max_redirects = 0
    client.session = _BudgetedSession(client.session, deadline=deadline)  # type: ignore[assignment]
    return client


#: Why a call failed, marked for translation; stored as English and translated when shown
#: (`{% translate connection.read_error %}`).
NOT_AUTHORISED = gettext_noop("The server refused the user name or app password.")
NOT_FOUND = gettext_noop("The calendar was not found on the server (it may have been deleted).")
TIMED_OUT = gettext_noop("The server did not answer in time.")
REDIRECTED = gettext_noop(
    "The server sent us to another address; give the calendar server's own address."
)
CERTIFICATE = gettext_noop("The server's certificate could not be verified.")
UNREACHABLE = gettext_noop("The server could not be reached (connection refused or no network).")
REFUSED = gettext_noop("The server refused the request.")
TOO_LARGE = gettext_noop("The server's answer is too large to read.")


def _words(exc: BaseException) -> str:
    """Why a call failed, for the therapist's page."""
    if isinstance(exc, dav_error.AuthorizationError):
        return NOT_AUTHORISED
    if isinstance(exc, dav_error.NotFoundError):
        return NOT_FOUND
    name = type(exc).__name__.lower()
    if isinstance(exc, TimeoutError) or "timeout" in name:
        return TIMED_OUT
    if "redirect" in name:
        return REDIRECTED
    if "ssl" in name or "certificate" in name:
        return CERTIFICATE
    if isinstance(exc, OSError) or "connection" in name:
        return UNREACHABLE
    if isinstance(exc, dav_error.DAVError):
        return REFUSED
    return UNREADABLE


def _within[T](seconds: float, call: Callable[[], T]) -> T:
    """`call()`, or CalendarError once `seconds` have passed (the call is left to finish in
    the background: its own requests time out too)."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:
            box["error"] = exc

    worker = threading.Thread(target=run, daemon=True, name="caldav-call")
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise CalendarError(TIMED_OUT)
    if "error" in box:
        exc = box["error"]
        if isinstance(exc, CalendarError):
            raise exc
        log.warning("calendar call failed: %s", type(exc).__name__)
        raise CalendarError(_words(exc)) from exc
    return box["value"]


def find_calendars(account: Account) -> list[FoundCalendar]:
    """The account's calendars that hold events, in the server's order."""

    def call() -> list[FoundCalendar]:
        principal = _client(account).principal()
        found = []
        for calendar in principal.calendars():
            try:
                name = calendar.get_display_name() or ""
            except Exception:
                name = ""
            found.append(FoundCalendar(url=str(calendar.url), name=str(name)[:200]))
        return found

    return _within(account.timeout, call)


def make_calendar(account: Account, *, name: str, slug: str) -> FoundCalendar:
    """Make a calendar on the account (the local demo's server; therapists make their own)."""

    def call() -> FoundCalendar:
        made = _client(account).principal().make_calendar(name=name, cal_id=slug)
        return FoundCalendar(url=str(made.url), name=name)

    return _within(account.timeout, call)


def _query(start: datetime, end: datetime) -> str:
    """A calendar-query for the events touching [start, end), whole: a repeating event comes
    once, with its overrides, and is expanded here (never by the library, without bound)."""
    span = f'start="{start:%Y%m%dT%H%M%SZ}" end="{end:%Y%m%dT%H%M%SZ}"'
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
        "<D:prop><D:getetag/><C:calendar-data/></D:prop>"
        '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
        f"<C:time-range {span}/>"
        "</C:comp-filter></C:comp-filter></C:filter>"
        "</C:calendar-query>"
    )


def read_busy(
    account: Account,
    calendar_url: str,
    *,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    own_host: str,
) -> BusyRead:
    """The calendar's busy spans within [start, end), repeating events expanded within limits.
    An answer with an item we cannot read fails the read (the stored times stay): a missing
    event must not read as free time."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)

    def call() -> BusyRead:
        client = _client(account)
        try:
            response = client.report(calendar_url, _query(start, end), depth=1)
            if response.status == 404:
                raise dav_error.NotFoundError(calendar_url)
            if response.status not in (200, 207):
                raise CalendarError(REFUSED)
            if response.tree is None:
                raise CalendarError(UNREADABLE)
            items = response.parse_calendar_query()
        finally:
            client.close()
        calendars = []
        for item in items:
            if item.status >= 300 or not item.calendar_data:
                raise CalendarError(UNREADABLE)
            try:
                calendars.append(icalendar.Calendar.from_ical(item.calendar_data))
            except ValueError as exc:
                raise CalendarError(UNREADABLE) from exc
        return expanded_busy(calendars, start=start, end=end, zone=zone, own_host=own_host)

    return _within(account.timeout, call)


def event_text(
    *, uid: str, start: datetime, end: datetime, location: str, zone: ZoneInfo, stamped: datetime
) -> str:
    """Our event for an appointment: "Sciaticare session" and the place, on the location's
    clock; nothing about the patient (no name, no notes, no health data). `stamped` is when it
    is written (its DTSTAMP, RFC 5545 3.8.7.2)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Sciaticare//Appointments//EN")
    calendar.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", uid)
    # When it is written, as RFC 5545 asks; `fingerprint` leaves it out, so writing the same
    # appointment again still finds nothing changed (and is skipped).
    event.add("dtstamp", stamped.astimezone(UTC))
    event.add("dtstart", start.astimezone(zone))
    event.add("dtend", end.astimezone(zone))
    event.add("summary", SUMMARY)
    if location:
        event.add("location", location)
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()


def fingerprint(text: str) -> str:
    """A hash of what the event says: its text without the DTSTAMP line (when it was written)."""
    said = "\n".join(line for line in text.splitlines() if not line.startswith("DTSTAMP"))
    return hashlib.sha256(said.encode()).hexdigest()


def put_event(account: Account, calendar_url: str, *, href: str, text: str) -> str:
    """Create or replace our event at `href` (inside the calendar); returns its etag."""

    def call() -> str:
        client = _client(account)
        calendar = Calendar(client=client, url=calendar_url)
        event = Event(client=client, url=href, data=text, parent=calendar)
        event.save()
        etag = (getattr(event, "props", None) or {}).get("{DAV:}getetag", "")
        return str(etag)[:200]

    return _within(account.timeout, call)


def delete_event(account: Account, calendar_url: str, *, href: str) -> None:
    """Remove our event at `href`; one already gone is fine."""

    def call() -> None:
        client = _client(account)
        calendar = Calendar(client=client, url=calendar_url)
        try:
            Event(client=client, url=href, parent=calendar).delete()
        except dav_error.NotFoundError:
            return

    _within(account.timeout, call)
