"""Reads for calendars: which sessions a person's secret feed shows, and how each one reads as a
calendar event (the feed and the `.ics` attached to mail share the wording).

Events carry as little personal data as a calendar needs: a therapist sees the client's first
name, a patient the therapist's name; never a reason for the visit or any clinical detail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from sciaticare.accounts.models import User
from sciaticare.accounts.selectors import needs_mfa_enrollment
from sciaticare.audit.services import record_event
from sciaticare.core.errors import NotFound
from sciaticare.scheduling import ical
from sciaticare.scheduling.models import (
    Appointment,
    AppointmentChange,
    AppointmentStatus,
    CalendarFeed,
)
from sciaticare.scheduling.selectors.calendars import local

FEED_PAST = timedelta(days=30)
FEED_AHEAD = timedelta(days=180)
# A cancelled or moved session stays in the feed, marked cancelled, this long after the change,
# so that subscribed calendar apps remove it rather than keep a stale copy.
CANCELLED_KEPT = timedelta(days=30)
FEED_REFRESH = timedelta(hours=1)

SHOWN = (AppointmentStatus.BOOKED, AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW)
WITHDRAWN = (AppointmentStatus.CANCELLED, AppointmentStatus.RESCHEDULED)
WITHDRAWING_CHANGES = ("cancelled", "late_cancelled", "rescheduled")

_RELATED = ("patient", "therapist__user", "location__clinic", "session_type")


@dataclass(frozen=True)
class Viewer:
    """Whose calendar an event is written for: the session's therapist, or its patient."""

    as_therapist: bool


AS_THERAPIST = Viewer(as_therapist=True)
AS_PATIENT = Viewer(as_therapist=False)


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "sciaticare"


def event_uid(appointment: Appointment) -> str:
    """Stable per appointment, so a calendar app updates the event it already has."""
    return f"appointment-{appointment.pk}@{_host()}"


def calendar_uid(owner: User) -> str:
    """Stable per feed owner (not per secret): a new secret still feeds the same calendar, and
    the UID gives nothing away that opens it."""
    return f"calendar-{owner.pk}@{_host()}"


def place_of(appointment: Appointment) -> str:
    location = appointment.location
    return f"{location.clinic.name}, {location.name}, {location.address}"


def session_event(
    appointment: Appointment, viewer: Viewer, *, cancelled: bool = False
) -> ical.SessionEvent:
    """The calendar event of one appointment, in its location's time zone, in the language
    being answered in (the feed's owner's, the mail's recipient's).

    The caller loads `patient`, `therapist__user`, `location__clinic` and `session_type`.
    """
    withdrawn = cancelled or appointment.status in WITHDRAWN
    description = gettext("%(session)s, %(minutes)s minutes.") % {
        "session": appointment.session_type.name,
        "minutes": appointment.session_type.minutes,
    }
    if viewer.as_therapist:
        summary = gettext("Session with %(client)s") % {
            "client": appointment.patient.first_name or gettext("a client")
        }
    else:
        summary = gettext("Massage with %(therapist)s") % {"therapist": appointment.therapist.name}
    if withdrawn:
        description = gettext("Cancelled. %(description)s") % {"description": description}
    elif not viewer.as_therapist:
        link = f"{settings.SITE_URL}{reverse('scheduling:appointment', args=[appointment.pk])}"
        description = gettext("%(description)s To cancel or move it: %(link)s") % {
            "description": description,
            "link": link,
        }
    return ical.SessionEvent(
        uid=event_uid(appointment),
        start=local(appointment.start, appointment.location),
        end=local(appointment.end, appointment.location),
        summary=summary,
        location=place_of(appointment),
        description=description,
        status="CANCELLED" if withdrawn else "CONFIRMED",
        # A later version of the same event: apps replace what they had.
        sequence=1 if withdrawn else 0,
    )


def feed_by_secret(*, secret: str) -> CalendarFeed:
    """The feed with this secret, of an active account; 404 alike for anything else."""
    feed = CalendarFeed.objects.select_related("owner").filter(secret=secret).first()
    if feed is None or not feed.owner.is_active:
        raise NotFound("calendar")
    return feed


def feed_appointments(*, owner: User, now: datetime) -> list[tuple[Appointment, Viewer]]:
    """The sessions in `owner`'s feed: as patient and, if they treat, as therapist, from 30 days
    back to 180 ahead; cancelled or moved ones for 30 days after the change. One query."""
    recently_withdrawn = Exists(
        AppointmentChange.objects.filter(
            appointment=OuterRef("pk"), kind__in=WITHDRAWING_CHANGES, at__gte=now - CANCELLED_KEPT
        )
    )
    parties = Q(patient=owner)
    # Client names only reach someone allowed to see patient data (the two-factor rule).
    treats = owner.is_therapist and not needs_mfa_enrollment(owner)
    if treats:
        parties |= Q(therapist__user=owner)
    found = (
        Appointment.objects.filter(parties, start__gte=now - FEED_PAST, start__lte=now + FEED_AHEAD)
        .filter(Q(status__in=SHOWN) | (Q(status__in=WITHDRAWN) & recently_withdrawn))
        .select_related(*_RELATED)
        .order_by("start", "pk")
    )
    return [
        (
            appointment,
            AS_THERAPIST if treats and appointment.therapist.user_id == owner.pk else AS_PATIENT,
        )
        for appointment in found
    ]


def feed_calendar(*, feed: CalendarFeed, now: datetime | None = None) -> bytes:
    """The whole feed as an RFC 5545 document.

    A therapist's feed names their clients, so each fetch is audited (docs/architecture.md,
    audit policy); a patient reading their own sessions is not.
    """
    now = now or timezone.now()
    owner = feed.owner
    rows = feed_appointments(owner=owner, now=now)
    if any(viewer.as_therapist for _, viewer in rows):
        record_event(actor=owner, action="calendar_feed.read", patient=None, obj=feed)
    # A calendar app asks for it, with no language of its own: the owner's language.
    with translation.override(owner.language):
        return ical.build_calendar(
            [session_event(appointment, viewer) for appointment, viewer in rows],
            name=gettext("Sciaticare sessions"),
            stamp=now,
            refresh=FEED_REFRESH,
            uid=calendar_uid(owner),
        )


def attachment_for(
    appointments: Iterable[tuple[Appointment, bool]], viewer: Viewer, *, now: datetime
) -> bytes:
    """An `.ics` file for mail: each appointment with whether it is now cancelled (in the
    language being answered in: the mail's, under its recipient's language)."""
    return ical.build_calendar(
        [
            session_event(appointment, viewer, cancelled=cancelled)
            for appointment, cancelled in appointments
        ],
        name=gettext("Sciaticare session"),
        stamp=now,
        method="PUBLISH",
    )
