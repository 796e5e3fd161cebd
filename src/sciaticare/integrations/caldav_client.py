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
import heapq
import logging
import threading
import time as clock
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from caldav.calendarobjectresource import Event
from caldav.collection import Calendar
from caldav.davclient import DAVClient
from caldav.lib import error as dav_error
from dateutil.rrule import rrule, rruleset, rrulestr

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


#: Limits of one call, whatever the server or an event in the calendar says: the bytes of one
#: answer, the occurrences of repeating events computed (in the window or before it), and the
#: busy times kept after merging (docs/integrations.md, "Your own calendar").
MAX_ANSWER_BYTES = 16 * 1024 * 1024
MAX_OCCURRENCES = 20_000
MAX_BUSY_TIMES = 5_000


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
            declared = str(response.headers.get("Content-Length") or "0")
            if declared.isdigit() and int(declared) > MAX_ANSWER_BYTES:
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
UNREADABLE = gettext_noop("The server's answer could not be read as a calendar.")
TOO_LARGE = gettext_noop("The server's answer is too large to read.")
TOO_MANY_REPEATS = gettext_noop(
    "Your calendar has more repeating events than we can read; the times after the last one "
    "read are treated as busy."
)


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


@dataclass(frozen=True)
class BusyRead:
    """What one read found: the busy spans, merged and sorted (UTC), and where it stopped when
    the calendar held more than we read (the rest of the window is then among the spans)."""

    spans: list[Span]
    capped_at: datetime | None = None


class _Capped(Exception):
    """MAX_OCCURRENCES were computed."""


def _skipped(component: Any, own_host: str) -> bool:
    """Free, cancelled and our own events block nothing (ours block their time already)."""
    uid = str(component.get("uid", ""))
    if uid.startswith(OWN_UID_PREFIX) and uid.endswith(f"@{own_host}"):
        return True
    if str(component.get("transp", "OPAQUE")).upper() == "TRANSPARENT":
        return True
    return str(component.get("status", "")).upper() == "CANCELLED"


def _like(value: date | datetime, first: datetime, zone: ZoneInfo) -> datetime:
    """`value` as the same kind of datetime as the series' first start (naive on the therapist's
    clock, or aware), so that the two compare."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0))
    if first.tzinfo is None:
        if value.tzinfo is not None:
            value = value.astimezone(zone).replace(tzinfo=None)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=first.tzinfo)
    return value


def _dates(component: Any, name: str) -> list[Any]:
    """The values of a date-list property (EXDATE, RDATE), however many lines it has; a PERIOD
    counts from its start."""
    found = component.get(name)
    if found is None:
        return []
    values = []
    for line in found if isinstance(found, list) else [found]:
        for value in getattr(line, "dts", []):
            moment = value.dt
            values.append(moment[0] if isinstance(moment, tuple) else moment)
    return values


def _length(component: Any, begins: date | datetime) -> timedelta | None:
    """How long each occurrence lasts (on its own clock); None for an instant, which takes no
    time (RFC 5545 3.6.1)."""
    ends = component.get("dtend")
    if ends is not None:
        if isinstance(ends.dt, datetime) != isinstance(begins, datetime):
            return None
        return ends.dt - begins
    if component.get("duration") is not None:
        return component.get("duration").dt
    if not isinstance(begins, datetime):
        return timedelta(days=1)  # an all-day event's day
    return None


#: Rules whose occurrences repeat at a fixed step on the clock: a series that began long ago is
#: walked from just before the window, not from its first day.
_STEPS = {
    "SECONDLY": timedelta(seconds=1),
    "MINUTELY": timedelta(minutes=1),
    "HOURLY": timedelta(hours=1),
    "DAILY": timedelta(days=1),
    "WEEKLY": timedelta(weeks=1),
}


def _nearer(made: rrule, rule: Any, first: datetime, length: timedelta, since: datetime) -> rrule:
    """The rule started a whole number of its steps later, as near before `since` as still
    covers an occurrence running into it. Only without COUNT (which counts from the first)."""
    step = _STEPS.get(str((rule.get("FREQ") or [""])[0]).upper())
    if step is None or rule.get("COUNT"):
        return made
    step *= int((rule.get("INTERVAL") or [1])[0] or 1)
    if first.tzinfo is not None:
        since = since.astimezone(first.tzinfo)
    skip = (since.replace(tzinfo=None) - first.replace(tzinfo=None)) // step - length // step - 2
    if skip <= 0:
        return made
    # Wall-clock arithmetic (aware + timedelta keeps the time of day across DST).
    return made.replace(dtstart=first + skip * step)


def _starts(
    component: Any, first: datetime, zone: ZoneInfo, *, length: timedelta, since: datetime
) -> Iterator[datetime]:
    """The series' starts in order, lazily: RRULEs (UNTIL applied here, so that a floating or
    all-day start and a UTC UNTIL compare), RDATEs, less EXDATEs. A rule we cannot read makes
    the read fail rather than drop the series."""
    rules = component.get("rrule")
    extra = _dates(component, "rdate")
    if rules is None and not extra:
        yield first
        return
    series = rruleset()
    series.rdate(first)  # DTSTART is always the first occurrence
    for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
        parts = {k: v for k, v in rule.items() if k.upper() != "UNTIL"}
        until = rule.get("UNTIL")
        try:
            text = icalendar.vRecur(parts).to_ical().decode()
            made = rrulestr(text, dtstart=first)
            if until:
                last = until[0]
                if not isinstance(last, datetime):
                    last = datetime.combine(last, time.max)
                made = made.replace(until=_like(last, first, zone))
        except (ValueError, TypeError, KeyError) as exc:
            raise CalendarError(UNREADABLE) from exc
        if not isinstance(made, rrule):
            raise CalendarError(UNREADABLE)
        series.rrule(_nearer(made, rule, first, length, _like(since, first, zone)))
    for moment in extra:
        series.rdate(_like(moment, first, zone))
    for moment in _dates(component, "exdate"):
        series.exdate(_like(moment, first, zone))
    yield from series


def _occurrences(
    master: Any,
    moved: set[datetime],
    *,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    budget: list[int],
) -> Iterator[Span]:
    """The busy spans of one series within [start, end), in order of start; the occurrences
    replaced by an override (RECURRENCE-ID) left out. Every occurrence computed, in the window
    or before it, spends the budget: the event does not decide how much work we do."""
    begins = master.get("dtstart")
    if begins is None:
        return
    length = _length(master, begins.dt)
    if length is None or length <= timedelta(0):
        return
    first = begins.dt if isinstance(begins.dt, datetime) else datetime.combine(begins.dt, time(0))
    all_day = not isinstance(begins.dt, datetime)
    for occurs in _starts(master, first, zone, length=length, since=start):
        budget[0] -= 1
        if budget[0] < 0:
            raise _Capped
        if _instant(occurs, zone) >= end:
            return
        if occurs in moved:
            continue
        ends = occurs + length
        if all_day:  # the day on the therapist's clock, whatever the offsets that day
            ends = datetime.combine((occurs + length).date(), time(0))
        a, b = max(_instant(occurs, zone), start), min(_instant(ends, zone), end)
        if a < b:
            yield (a, b)


def _merged(spans: list[Span]) -> list[Span]:
    merged: list[list[datetime]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def _series(
    calendars: list[Any],
    *,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    own_host: str,
    budget: list[int],
) -> list[Iterator[Span]]:
    """One lazy source of busy spans per series (a master less its moved occurrences) and per
    override (RECURRENCE-ID: one occurrence of its own, with its own times)."""
    sources: list[Iterator[Span]] = []
    for calendar in calendars:
        events = list(calendar.walk("VEVENT"))
        moved: dict[str, set[datetime]] = {}
        for event in events:
            if event.get("recurrence-id") is not None:
                moved.setdefault(str(event.get("uid", "")), set()).add(event["recurrence-id"].dt)
        for event in events:
            overrides = moved.get(str(event.get("uid", "")), set())
            if event.get("recurrence-id") is None and overrides:
                begins = event.get("dtstart")
                if begins is not None:
                    first = begins.dt
                    if not isinstance(first, datetime):
                        first = datetime.combine(first, time(0))
                    overrides = {_like(moment, first, zone) for moment in overrides}
            if _skipped(event, own_host):
                continue
            if event.get("recurrence-id") is not None:
                # An override is one occurrence of its own, with its own times.
                single = icalendar.Event()
                for name in ("dtstart", "dtend", "duration"):
                    if event.get(name) is not None:
                        single[name] = event[name]
                sources.append(
                    _occurrences(single, set(), start=start, end=end, zone=zone, budget=budget)
                )
            else:
                sources.append(
                    _occurrences(event, overrides, start=start, end=end, zone=zone, budget=budget)
                )
    return sources


def expanded_busy(
    calendars: list[Any],
    *,
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    own_host: str = "",
    max_occurrences: int = MAX_OCCURRENCES,
    max_busy_times: int = MAX_BUSY_TIMES,
) -> BusyRead:
    """The busy spans of the events in `calendars` (parsed iCalendar objects, one a resource)
    within [start, end): repeating events expanded lazily, all series walked together in order
    of start and merged as they come, so the work is bounded whatever the events say. When
    `max_occurrences` are computed or `max_busy_times` kept, everything from the last start
    reached to the window's end counts as busy: no slot is offered on a time we did not read.
    Pure: the tests feed it calendars."""
    budget = [max_occurrences]
    sources = _series(calendars, start=start, end=end, zone=zone, own_host=own_host, budget=budget)
    merged: list[list[datetime]] = []
    reached, capped = start, None
    try:
        for a, b in heapq.merge(*sources):
            reached = a
            if merged and a <= merged[-1][1]:
                merged[-1][0] = min(merged[-1][0], a)
                merged[-1][1] = max(merged[-1][1], b)
                continue
            if len(merged) >= max_busy_times:
                capped = a
                break
            merged.append([a, b])
    except _Capped:
        capped = reached
    spans = [(a, b) for a, b in merged]
    if capped is not None:
        spans.append((max(capped, start), end))
    return BusyRead(_merged(spans), capped)


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
