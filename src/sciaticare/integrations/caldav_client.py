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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from caldav.calendarobjectresource import Event
from caldav.collection import Calendar
from caldav.davclient import DAVClient
from caldav.lib import error as dav_error

from sciaticare.core.translation import gettext_noop

log = logging.getLogger(__name__)

#: The UID of every event we write starts so: a read skips them (our own appointments already
#: block their time), and nobody else's event is ever touched.
OWN_UID_PREFIX = "sciaticare-appointment-"
SUMMARY = "Sciaticare session"

type Span = tuple[datetime, datetime]


class CalendarError(Exception):
    """A call to the calendar server failed; `str()` says why in plain words."""


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


@dataclass(frozen=True)
class FoundCalendar:
    url: str
    name: str


def _client(account: Account) -> DAVClient:
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
UNREADABLE = gettext_noop("The server's answer could not be read as a calendar.")


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


def _instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    """An event bound as a UTC instant: a date (all day) is midnight on the therapist's
    clock, a floating time is read on that clock too."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0))
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def busy_spans(
    components: list[Any], *, start: datetime, end: datetime, zone: ZoneInfo, own_host: str = ""
) -> list[Span]:
    """The busy spans of expanded VEVENTs within [start, end), in UTC: free (TRANSP:TRANSPARENT)
    and cancelled events, and our own (this site's appointments, which block their time
    already), left out. Pure: the tests feed it components."""
    spans: list[Span] = []
    for component in components:
        if component.name != "VEVENT":
            continue
        uid = str(component.get("uid", ""))
        if uid.startswith(OWN_UID_PREFIX) and uid.endswith(f"@{own_host}"):
            continue
        if str(component.get("transp", "OPAQUE")).upper() == "TRANSPARENT":
            continue
        if str(component.get("status", "")).upper() == "CANCELLED":
            continue
        begins = component.get("dtstart")
        if begins is None:
            continue
        first = _instant(begins.dt, zone)
        ends = component.get("dtend")
        if ends is not None:
            last = _instant(ends.dt, zone)
        elif component.get("duration") is not None:
            last = first + component.get("duration").dt
        elif not isinstance(begins.dt, datetime):
            last = _instant(begins.dt + timedelta(days=1), zone)  # an all-day event's day
        else:
            continue  # an instant takes no time (RFC 5545 3.6.1)
        first, last = max(first, start), min(last, end)
        if first < last:
            spans.append((first, last))
    return sorted(spans)


def read_busy(
    account: Account,
    calendar_url: str,
    *,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    own_host: str,
) -> list[Span]:
    """The calendar's busy spans within [start, end), recurring events expanded."""

    def call() -> list[Span]:
        calendar = Calendar(client=_client(account), url=calendar_url)
        # A synchronous client answers a list (the library also has an async one).
        found: list[Any] = calendar.search(start=start, end=end, event=True, expand=True)  # type: ignore[assignment]
        components: list[Any] = []
        for item in found:
            ical = item.icalendar_instance
            components.extend(c for c in ical.walk("VEVENT"))
        return busy_spans(components, start=start, end=end, zone=zone, own_host=own_host)

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
