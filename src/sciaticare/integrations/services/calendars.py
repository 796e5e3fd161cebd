"""A therapist's own calendar (CalDAV), both ways: connect and disconnect it, read its busy times
(on a schedule, on demand before a slot list, or when asked), and keep one event in it per
appointment ("Sciaticare session" and the place; nothing about the patient).

No call to the calendar server ever raises out of here: a failure is recorded on the
connection (reads) or on the event's row (writes) and shown on the therapist's calendar page.
Every call checks the address first (addresses.py), not only when it is saved.
"""

from __future__ import annotations

import logging
import time as clock
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from sciaticare.audit.services import record_event
from sciaticare.core.errors import Conflict, Invalid
from sciaticare.directory.models import TherapistProfile
from sciaticare.integrations import busy_times, caldav_client, sealed
from sciaticare.integrations.addresses import refusal
from sciaticare.integrations.caldav_client import Account, CalendarError
from sciaticare.integrations.models import BusyInterval, CalendarConnection, CalendarEvent
from sciaticare.integrations.selectors import calendars as selectors
from sciaticare.scheduling.external_busy import ExternalBusy
from sciaticare.scheduling.models import Appointment, AppointmentStatus

log = logging.getLogger(__name__)

#: Busy times are read from a day back (a long event that began earlier) to the furthest booking
#: horizon of the therapist's clinics and a margin (selectors.read_ahead).
READ_BEFORE = timedelta(days=1)
#: How far ahead the scheduled round writes the events of sessions booked before the calendar
#: was connected.
READ_AHEAD = timedelta(days=62)
#: Statuses whose appointment has an event in the therapist's calendar.
WRITTEN_STATUSES = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.COMPLETED,
    AppointmentStatus.NO_SHOW,
)
UNDECRYPTABLE = gettext_noop(
    "The stored app password cannot be decrypted (the server's keys changed): disconnect and "
    "connect the calendar again."
)
#: A connection's calls outside a request (connect, scheduled reads, writes) may take this long.
BACKGROUND_TIMEOUT = 15.0


# --- The app password, encrypted at rest ----------------------------------------------------------


#: What the app password is sealed for (a token sealed for another purpose does not open here).
SEALED_FOR = "calendar app password"


def encrypt(password: str) -> str:
    return sealed.seal(settings.INTEGRATIONS_SEALING_KEYS, SEALED_FOR, password)


def decrypt(token: str) -> str:
    return sealed.open_sealed(settings.INTEGRATIONS_SEALING_KEYS, SEALED_FOR, token)


def _account(connection: CalendarConnection, timeout: float) -> Account:
    try:
        password = decrypt(connection.password_encrypted)
    except sealed.InvalidToken:
        raise CalendarError(UNDECRYPTABLE) from None
    return Account(connection.server_url, connection.username, password, timeout)


def _checked(connection: CalendarConnection) -> None:
    """Refuse to call an address that now points somewhere we may not call."""
    allow = settings.INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES
    for url in (connection.server_url, connection.calendar_url):
        why = refusal(url, allow_private=allow)
        if why is not None:
            raise CalendarError(why)


# --- Connecting -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Connected:
    connection: CalendarConnection
    #: The other calendars on the account, to choose from instead (url, name).
    others: list[caldav_client.FoundCalendar]


def connect_calendar(
    *,
    therapist: TherapistProfile,
    server_url: str,
    username: str,
    password: str,
    calendar_url: str = "",
    now: datetime | None = None,
) -> Connected:
    """Test the account, pick its calendar (the one asked for, or the first), store the
    connection with the password encrypted, and read the busy times once. Invalid with the
    server's failure in words when it does not work: nothing is stored then."""
    now = now or timezone.now()
    server_url = server_url.strip()
    why = refusal(server_url, allow_private=settings.INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES)
    if why is not None:
        raise Invalid("calendar_address_refused", why, [("server_url", why)])
    account = Account(server_url, username, password, BACKGROUND_TIMEOUT)
    try:
        found = caldav_client.find_calendars(account)
    except CalendarError as exc:
        words = gettext("Could not connect: %(why)s") % {"why": gettext(str(exc))}
        raise Invalid("calendar_unreachable", words, [("server_url", words)]) from None
    if not found:
        words = gettext("The account has no calendar: make one on the server first.")
        raise Invalid("no_calendar", words, [("server_url", words)])
    chosen = next((c for c in found if c.url == calendar_url), None) if calendar_url else found[0]
    if chosen is None:
        words = gettext("That calendar is not on the account.")
        raise Invalid("unknown_calendar", words, [("calendar_url", words)])
    why = refusal(chosen.url, allow_private=settings.INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES)
    if why is not None:
        raise Invalid("calendar_address_refused", why, [("server_url", why)])
    with transaction.atomic():
        connection, _ = CalendarConnection.objects.update_or_create(
            therapist=therapist,
            defaults={
                "server_url": server_url,
                "username": username,
                "password_encrypted": encrypt(password),
                "calendar_url": chosen.url,
                "calendar_name": chosen.name,
                "read_at": None,
                "read_attempted_at": None,
                "read_error": "",
            },
        )
        # A new calendar: events written into the previous one are forgotten (not moved).
        CalendarEvent.objects.filter(connection=connection).delete()
        record_event(
            actor=therapist.user, action="calendar.connected", patient=None, obj=connection
        )
    read_calendar(connection_id=connection.pk, now=now, timeout=BACKGROUND_TIMEOUT)
    connection.refresh_from_db()
    return Connected(connection, [c for c in found if c.url != chosen.url])


@dataclass(frozen=True)
class Disconnected:
    #: Our events that could not be removed from the calendar (the therapist removes them).
    left_behind: int


def _remove_our_events(connection: CalendarConnection) -> int:
    """Remove the events we wrote from the connection's calendar; how many could not be."""
    events = list(CalendarEvent.objects.filter(connection=connection).exclude(written=""))
    try:
        _checked(connection)
        account = _account(connection, BACKGROUND_TIMEOUT)
    except CalendarError:
        return len(events)
    left = 0
    for event in events:
        try:
            caldav_client.delete_event(account, connection.calendar_url, href=event.href)
        except CalendarError:
            left += 1
    return left


def disconnect_calendar(*, therapist: TherapistProfile) -> Disconnected:
    """Remove our events from the calendar (as far as the server lets us), then the
    connection, its stored password and busy times."""
    connection = selectors.connection_of(therapist)
    if connection is None:
        raise Conflict("no_calendar", gettext("No calendar is connected."))
    left = _remove_our_events(connection)
    with transaction.atomic():
        record_event(
            actor=therapist.user, action="calendar.disconnected", patient=None, obj=connection
        )
        connection.delete()
    return Disconnected(left)


def _connected(therapist: TherapistProfile) -> CalendarConnection:
    connection = selectors.connection_of(therapist)
    if connection is None:
        raise Conflict("no_calendar", gettext("No calendar is connected."))
    return connection


def account_calendars(*, therapist: TherapistProfile) -> list[caldav_client.FoundCalendar]:
    """The calendars of the connected account, to choose which one is used; Invalid with the
    server's failure in words."""
    connection = _connected(therapist)
    try:
        _checked(connection)
        return caldav_client.find_calendars(_account(connection, BACKGROUND_TIMEOUT))
    except CalendarError as exc:
        words = gettext("Could not connect: %(why)s") % {"why": gettext(str(exc))}
        raise Invalid("calendar_unreachable", words) from None


def choose_calendar(
    *, therapist: TherapistProfile, calendar_url: str, now: datetime | None = None
) -> CalendarConnection:
    """Use another calendar of the connected account: our events leave the old one (as far as
    the server lets us), its busy times are read, and the sessions are written by the next
    scheduled round."""
    found = {c.url: c for c in account_calendars(therapist=therapist)}
    chosen = found.get(calendar_url)
    if chosen is None:
        words = gettext("That calendar is not on the account.")
        raise Invalid("unknown_calendar", words, [("calendar_url", words)])
    connection = _connected(therapist)
    if chosen.url != connection.calendar_url:
        _remove_our_events(connection)
        with transaction.atomic():
            CalendarEvent.objects.filter(connection=connection).delete()
            CalendarConnection.objects.filter(pk=connection.pk).update(
                calendar_url=chosen.url,
                calendar_name=chosen.name,
                read_at=None,
                read_attempted_at=None,
                read_error="",
            )
            BusyInterval.objects.filter(connection=connection).delete()
    sync_calendar(connection_id=connection.pk, now=now)
    connection.refresh_from_db()
    return connection


# --- Reading busy times ---------------------------------------------------------------------------


#: A read's claim older than this is stale (its process died): the longest call, and a margin.
READ_CLAIM_LASTS = timedelta(seconds=2 * BACKGROUND_TIMEOUT)


def _claim(connection_id: int) -> datetime | None:
    """Claim the connection's one read (one UPDATE, so two processes cannot both win); the
    claim's time, or None when another read is under way."""
    claimed = timezone.now()
    won = (
        CalendarConnection.objects.filter(pk=connection_id)
        .filter(Q(reading_since__isnull=True) | Q(reading_since__lt=claimed - READ_CLAIM_LASTS))
        .update(reading_since=claimed)
    )
    return claimed if won else None


def read_calendar(*, connection_id: int, now: datetime | None = None, timeout: float) -> bool:
    """Read the busy times of the window ahead and replace the stored ones; on failure keep
    them and record why. True when the read worked. At most one read of a connection at a
    time: while one is under way, False at once (the stored times answer). Never raises for
    the server's sake."""
    now = now or timezone.now()
    connection = CalendarConnection.objects.filter(pk=connection_id).first()
    if connection is None:
        return False
    claimed = _claim(connection_id)
    if claimed is None:
        return False
    try:
        return _read(connection, now=now, timeout=timeout)
    finally:
        CalendarConnection.objects.filter(pk=connection_id, reading_since=claimed).update(
            reading_since=None
        )


def _read(connection: CalendarConnection, *, now: datetime, timeout: float) -> bool:
    connection_id = connection.pk
    start = now - READ_BEFORE
    end = now + selectors.read_ahead(connection.therapist_id)
    try:
        _checked(connection)
        found = caldav_client.read_busy(
            _account(connection, timeout),
            connection.calendar_url,
            start=start,
            end=end,
            zone=selectors.therapist_zone(connection.therapist_id),
            own_host=site_host(),
        )
    except CalendarError as exc:
        CalendarConnection.objects.filter(pk=connection_id).update(
            read_attempted_at=now, read_error=str(exc)[:300]
        )
        return False
    # A calendar with more than we read: the rest of the window is among the busy times, and
    # the page says why.
    problem = busy_times.TOO_MANY_REPEATS if found.capped_at is not None else ""
    with transaction.atomic():
        if not CalendarConnection.objects.filter(pk=connection_id).update(
            read_attempted_at=now, read_at=now, read_error=problem
        ):
            return False  # disconnected meanwhile
        BusyInterval.objects.filter(connection_id=connection_id).delete()
        BusyInterval.objects.bulk_create(
            BusyInterval(connection_id=connection_id, start=a, end=b) for a, b in found.spans
        )
    return True


def _stale(busy: ExternalBusy, now: datetime) -> bool:
    fresh = timedelta(seconds=settings.CALENDAR_FRESH_SECONDS)
    return busy.tried_at is None or now - busy.tried_at > fresh


def refresh_busy(therapist_ids: Sequence[int], *, now: datetime) -> None:
    """Read again the calendars of these therapists, all within CALENDAR_READ_TIMEOUT."""
    deadline = clock.monotonic() + settings.CALENDAR_READ_TIMEOUT
    for connection_id in CalendarConnection.objects.filter(
        therapist_id__in=list(therapist_ids)
    ).values_list("pk", flat=True):
        left = deadline - clock.monotonic()
        if left <= 0:
            break
        read_calendar(connection_id=connection_id, now=now, timeout=left)


class ConnectedCalendars:
    """The busy-time source scheduling consults (scheduling/external_busy.py)."""

    def busy(
        self,
        therapist_ids: Sequence[int],
        *,
        start: datetime,
        end: datetime,
        now: datetime,
        refresh: bool = False,
    ) -> dict[int, ExternalBusy]:
        found = selectors.external_busy(therapist_ids, start=start, end=end, now=now)
        stale = [tid for tid, busy in found.items() if _stale(busy, now)] if refresh else []
        if not stale:
            return found
        try:
            # Not in a transaction: the network wait must not hold SQLite's write lock
            # (BEGIN IMMEDIATE); read_calendar writes in a short one of its own.
            refresh_busy(stale, now=now)
        except Exception:
            # A slot list never fails because of a calendar: the stored times answer.
            log.exception("refreshing external busy times failed")
        return selectors.external_busy(therapist_ids, start=start, end=end, now=now)


# --- Writing our events ---------------------------------------------------------------------------


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "sciaticare"


def event_uid(appointment_id: int) -> str:
    """Stable per appointment and per site: another Sciaticare writing into the same calendar
    (a demo beside production) has its own, and its sessions block this one's slots."""
    return f"{busy_times.OWN_UID_PREFIX}{appointment_id}@{site_host()}"


def _location_words(appointment: Appointment) -> str:
    location = appointment.location
    return f"{location.clinic.name} – {location.name}, {location.address}"


def write_appointment_event(*, appointment_id: int) -> None:
    """Make the therapist's calendar match the appointment: its event there while it is booked
    (or took place), none once cancelled or moved. Idempotent: a re-run after success sends
    nothing. A failure is kept on the event's row (shown on the calendar page; the scheduled
    `read_calendars` retries it) and never reaches the booking."""
    appointment = (
        Appointment.objects.select_related("location__clinic").filter(pk=appointment_id).first()
    )
    if appointment is None:
        return
    connection = CalendarConnection.objects.filter(therapist_id=appointment.therapist_id).first()
    if connection is None:
        return
    event = CalendarEvent.objects.filter(appointment_id=appointment_id).first()
    wanted = appointment.status in WRITTEN_STATUSES
    if not wanted and (event is None or not event.written):
        if event is not None and event.error:
            CalendarEvent.objects.filter(pk=event.pk).update(error="")
        return
    uid = event_uid(appointment_id)
    if event is None:
        event = CalendarEvent(
            appointment=appointment,
            connection=connection,
            uid=uid,
            href=connection.calendar_url.rstrip("/") + "/" + quote(uid, safe="") + ".ics",
        )
    try:
        _checked(connection)
        account = _account(connection, BACKGROUND_TIMEOUT)
        if wanted:
            text = caldav_client.event_text(
                uid=uid,
                start=appointment.start,
                end=appointment.end,
                location=_location_words(appointment),
                zone=selectors.ZoneInfo(appointment.location.time_zone),
                stamped=timezone.now(),
            )
            written = caldav_client.fingerprint(text)
            if event.written == written and not event.error:
                return
            event.etag = caldav_client.put_event(
                account, connection.calendar_url, href=event.href, text=text
            )
            event.written = written
        else:
            caldav_client.delete_event(account, connection.calendar_url, href=event.href)
            event.written, event.etag = "", ""
        event.error = ""
    except CalendarError as exc:
        # Kept as the failure's words alone (translated when shown); the page names the session.
        event.error = str(exc)[:300]
    event.save()


def appointments_to_write(*, connection: CalendarConnection, now: datetime) -> list[int]:
    """Appointments whose event is missing or failed: the upcoming booked ones without an
    event (booked before the calendar was connected), and every one whose last write failed."""
    upcoming = set(
        Appointment.objects.filter(
            therapist_id=connection.therapist_id,
            status=AppointmentStatus.BOOKED,
            start__gt=now,
            start__lt=now + READ_AHEAD,
        )
        .exclude(calendar_event__written__gt="")
        .values_list("pk", flat=True)
    )
    failed = set(
        CalendarEvent.objects.filter(connection=connection)
        .exclude(error="")
        .values_list("appointment_id", flat=True)
    )
    return sorted(upcoming | failed)


def sync_calendar(*, connection_id: int, now: datetime | None = None) -> bool:
    """The scheduled round for one calendar: read its busy times again, then write the events
    still missing or failed. True when the read worked."""
    now = now or timezone.now()
    worked = read_calendar(connection_id=connection_id, now=now, timeout=BACKGROUND_TIMEOUT)
    connection = CalendarConnection.objects.filter(pk=connection_id).first()
    if connection is not None:
        for appointment_id in appointments_to_write(connection=connection, now=now):
            write_appointment_event(appointment_id=appointment_id)
    return worked
