"""Therapists' availability, clinics' booking rules, appointments and their history, the
waitlist, and secret calendar feeds.

The database itself refuses two overlapping active appointments for one therapist (migrations
0002 and 0003): an exclusion constraint on PostgreSQL, a trigger on SQLite (whose writers are
serialised by BEGIN IMMEDIATE), and a unique (therapist, start) index on both.
"""

from __future__ import annotations

import secrets
from datetime import time, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from sciaticare.directory.models import (
    MAX_SESSION_MINUTES,
    Clinic,
    Location,
    SessionType,
    TherapistProfile,
)

#: The longest buffer a clinic may keep free after a session (a CHECK constraint).
MAX_BUFFER_MINUTES = 120
#: How far ahead a clinic may take bookings (a CHECK constraint): a therapist's own calendar is
#: read as far (integrations, "Your own calendar").
MAX_HORIZON_DAYS = 365
#: No appointment keeps a therapist busy longer than this (start to busy_until: the longest
#: session plus the longest buffer), a CHECK constraint on both databases. Reads of a window and
#: SQLite's overlap trigger rely on it to bound `start` from below, so that the (therapist,
#: start) indexes read the window and not a therapist's whole history.
LONGEST_BUSY_HOURS = 6
LONGEST_BUSY = timedelta(hours=LONGEST_BUSY_HOURS)
assert timedelta(minutes=MAX_SESSION_MINUTES + MAX_BUFFER_MINUTES) <= LONGEST_BUSY


class HoursLater(models.Func):
    """A datetime plus whole hours, in each database's own SQL. Django's `F() + timedelta`
    calls a Python function on SQLite, which a CHECK constraint must not: other SQLite clients
    (the sqlite3 shell restoring a dump) lack it."""

    output_field = models.DateTimeField()

    def __init__(self, expression: Any, *, hours: int, **extra: Any) -> None:
        super().__init__(expression, **extra)
        self.hours = int(hours)

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, Any]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} + interval '{self.hours} hours')", params

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, Any]:
        # The same text form Django stores (UTC, no offset), to the millisecond.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"strftime('%%Y-%%m-%%d %%H:%%M:%%f', {sql}, '+{self.hours} hours')", params


class BookingPolicy(models.Model):
    """A clinic's booking rules: notice, horizon, buffer, slot grid and cancellation window."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="booking_policy")
    min_notice_minutes = models.PositiveIntegerField(default=120)
    horizon_days = models.PositiveIntegerField(default=60)
    buffer_minutes = models.PositiveIntegerField(
        default=15, help_text="Kept free after each session."
    )
    step_minutes = models.PositiveIntegerField(default=15, help_text="Slots start on this grid.")
    cancellation_window_hours = models.PositiveIntegerField(
        default=24, help_text="Cancelling later than this before the start is recorded as late."
    )
    offer_hold_minutes = models.PositiveIntegerField(
        default=120, help_text="How long a freed slot is held for the first person on the waitlist."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(step_minutes__gte=5, step_minutes__lte=120),
                name="%(app_label)s_%(class)s_step_5_120",
            ),
            models.CheckConstraint(
                condition=Q(horizon_days__lte=MAX_HORIZON_DAYS),
                name="%(app_label)s_%(class)s_horizon_at_most_365",
                violation_error_message="Bookings can be made at most 365 days ahead.",
            ),
            models.CheckConstraint(
                condition=Q(buffer_minutes__lte=MAX_BUFFER_MINUTES),
                name="%(app_label)s_%(class)s_buffer_at_most_120",
                violation_error_message="The buffer after a session is at most 120 minutes.",
            ),
        ]

    def __str__(self) -> str:
        return f"Booking rules of {self.clinic}"


DEFAULT_POLICY = BookingPolicy(
    min_notice_minutes=120,
    horizon_days=60,
    buffer_minutes=15,
    step_minutes=15,
    cancellation_window_hours=24,
)


class WorkingHours(models.Model):
    """One weekly range when a therapist works at a location, in the location's time zone."""

    therapist = models.ForeignKey(
        TherapistProfile, on_delete=models.CASCADE, related_name="working_hours"
    )
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday … 6 = Sunday.")
    start = models.TimeField()
    end = models.TimeField(help_text="00:00 means midnight at the end of the day.")

    class Meta:
        ordering = ["therapist", "weekday", "start"]
        indexes = [models.Index(fields=["therapist", "location"], name="sched_hours_therapist_loc")]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__lte=6), name="%(app_label)s_%(class)s_weekday_0_6"
            ),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")) | Q(end=time(0)),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message="Working hours must end after they start.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.therapist} day {self.weekday} {self.start:%H:%M}-{self.end:%H:%M}"


class DateException(models.Model):
    """Different hours on one date: a day off (replaces, no range), or extra or changed hours."""

    therapist = models.ForeignKey(
        TherapistProfile, on_delete=models.CASCADE, related_name="date_exceptions"
    )
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    start = models.TimeField(null=True, blank=True)
    end = models.TimeField(null=True, blank=True)
    replaces = models.BooleanField(default=True, help_text="Replace the weekly hours of that date.")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["day", "start"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(start__isnull=True) & Q(end__isnull=True))
                | (Q(start__isnull=False) & Q(end__isnull=False)),
                name="%(app_label)s_%(class)s_both_or_neither_bound",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.therapist} {self.day}"


class TimeOff(models.Model):
    """Leave or holiday: no session may overlap it."""

    therapist = models.ForeignKey(
        TherapistProfile, on_delete=models.CASCADE, related_name="time_off"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")),
                name="%(app_label)s_%(class)s_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.therapist} off {self.start:%Y-%m-%d}"


class AppointmentStatus(models.TextChoices):
    HELD = "held", pgettext_lazy("appointment status", "Held for a waitlist offer")
    BOOKED = "booked", pgettext_lazy("appointment status", "Booked")
    COMPLETED = "completed", pgettext_lazy("appointment status", "Completed")
    NO_SHOW = "no_show", pgettext_lazy("appointment status", "No-show")
    CANCELLED = "cancelled", pgettext_lazy("appointment status", "Cancelled")
    RESCHEDULED = "rescheduled", pgettext_lazy("appointment status", "Moved to another time")
    EXPIRED = "expired", pgettext_lazy("appointment status", "Offer expired")


# Statuses that occupy the therapist's time: two of these may never overlap.
ACTIVE_STATUSES = (
    AppointmentStatus.HELD,
    AppointmentStatus.BOOKED,
    AppointmentStatus.COMPLETED,
    AppointmentStatus.NO_SHOW,
)


class Appointment(models.Model):
    """A session booked by a patient with a therapist at a location.

    `busy_until` is the end plus the clinic's buffer: the span the therapist's calendar keeps
    free, and the span the database refuses to overlap.
    """

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    therapist = models.ForeignKey(
        TherapistProfile, on_delete=models.PROTECT, related_name="appointments"
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="appointments")
    session_type = models.ForeignKey(SessionType, on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    busy_until = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    late_cancellation = models.BooleanField(default=False)
    #: The clinic's cancellation window when this was booked, as the patient was told it: a
    #: window widened later never makes their cancellation late (None: booked before it was kept).
    cancellation_window_hours = models.PositiveIntegerField(null=True, blank=True)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    rescheduled_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="rescheduled_to"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["start"]
        indexes = [
            models.Index(fields=["therapist", "start"], name="sched_appt_therapist_start"),
            models.Index(fields=["patient", "start"], name="sched_appt_patient_start"),
            # Covers the read of a calendar window (selectors.load_calendars) and SQLite's
            # overlap trigger: both read only active rows and only these columns, so neither
            # touches the table (SQLite 3.40 wants `status` in it too, though implied).
            models.Index(
                fields=["therapist", "start", "busy_until", "status"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="sched_appt_active_busy",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")) & Q(busy_until__gte=models.F("end")),
                name="%(app_label)s_%(class)s_times_in_order",
            ),
            models.CheckConstraint(
                condition=Q(
                    busy_until__lte=HoursLater(models.F("start"), hours=LONGEST_BUSY_HOURS)
                ),
                name="%(app_label)s_%(class)s_busy_at_most_6_hours",
                violation_error_message="A session and its buffer last at most 6 hours.",
            ),
            models.UniqueConstraint(
                fields=["therapist", "start"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="%(app_label)s_%(class)s_one_active_per_start",
                violation_error_message="That time is already booked.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} {self.therapist} ← {self.patient_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_upcoming(self) -> bool:
        return self.status == AppointmentStatus.BOOKED and self.start > timezone.now()


class AppointmentChange(models.Model):
    """One change to an appointment, with who made it and when: the history is never edited."""

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="changes")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(
        max_length=20
    )  # booked, cancelled, late_cancelled, rescheduled, no_show, completed, …
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", pgettext_lazy("waitlist status", "Waiting")
    OFFERED = "offered", pgettext_lazy("waitlist status", "Offered a slot")
    BOOKED = "booked", pgettext_lazy("waitlist status", "Booked")
    CANCELLED = "cancelled", pgettext_lazy("waitlist status", "Left the waitlist")


class WaitlistEntry(models.Model):
    """A patient waiting for a slot with a therapist (or anyone in their flare-up plan)."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    therapist = models.ForeignKey(
        TherapistProfile,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="waitlist",
        help_text="Empty: any therapist in the patient's flare-up plan.",
    )
    earliest = models.DateField()
    latest = models.DateField()
    status = models.CharField(
        max_length=10, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latest__gte=models.F("earliest")),
                name="%(app_label)s_%(class)s_range_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient_id} waits {self.earliest}..{self.latest} ({self.status})"


class SlotOffer(models.Model):
    """A freed slot held for one waitlist entry until it expires."""

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    appointment = models.OneToOneField(Appointment, on_delete=models.CASCADE, related_name="offer")
    offered_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Offer {self.pk} until {self.expires_at:%Y-%m-%d %H:%M}"


def _new_secret() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A secret iCalendar feed of one person's sessions; regenerating it kills the old link."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    secret = models.CharField(max_length=64, unique=True, default=_new_secret)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Feed of {self.owner_id}"


def policy_durations(policy: BookingPolicy) -> dict[str, timedelta]:
    return {
        "min_notice": timedelta(minutes=policy.min_notice_minutes),
        "horizon": timedelta(days=policy.horizon_days),
        "buffer": timedelta(minutes=policy.buffer_minutes),
        "step": timedelta(minutes=policy.step_minutes),
        "cancellation_window": timedelta(hours=policy.cancellation_window_hours),
        "hold": timedelta(minutes=policy.offer_hold_minutes),
    }
