"""A therapist's own calendar (CalDAV): the connection, the busy times last read from it, and
the events we wrote into it for their appointments."""

from __future__ import annotations

from django.db import models

from sciaticare.directory.models import TherapistProfile
from sciaticare.scheduling.models import Appointment


class CalendarConnection(models.Model):
    """A therapist's own calendar on a CalDAV server, with the app password encrypted (Fernet,
    services/calendars.py), and how its last read and write went."""

    therapist = models.OneToOneField(
        TherapistProfile, on_delete=models.CASCADE, related_name="calendar_connection"
    )
    server_url = models.URLField(max_length=500)
    username = models.CharField(max_length=200)
    #: The app password, sealed (integrations/sealed.py): never the plain text.
    password_encrypted = models.TextField()
    calendar_url = models.URLField(max_length=500)
    calendar_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    #: The last read attempted (on a schedule or before a slot list), and the last that worked.
    read_attempted_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    #: What went wrong with the last read, in plain words ("" when it worked).
    read_error = models.CharField(max_length=300, blank=True)
    #: Set while a read is under way (one at a time, whatever the number of processes): the
    #: others answer from the stored busy times. A claim older than a read can last is stale.
    reading_since = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"calendar of therapist {self.therapist_id}"


class BusyInterval(models.Model):
    """A time the therapist's own calendar says they are busy: start and end only, never the
    event's title or description (their private life), replaced at each read."""

    connection = models.ForeignKey(
        CalendarConnection, on_delete=models.CASCADE, related_name="busy_intervals"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["connection", "start"], name="integ_busy_conn_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message="A busy time ends after it starts.",
            )
        ]

    def __str__(self) -> str:
        return f"busy {self.start:%Y-%m-%d %H:%M} to {self.end:%Y-%m-%d %H:%M} UTC"


class CalendarEvent(models.Model):
    """The event we keep in the therapist's calendar for one appointment: its stable UID, where
    it is (href, etag), what we last wrote (a hash, so a re-run writes nothing), and the last
    error writing it."""

    appointment = models.OneToOneField(
        Appointment, on_delete=models.CASCADE, related_name="calendar_event"
    )
    connection = models.ForeignKey(
        CalendarConnection, on_delete=models.CASCADE, related_name="events"
    )
    uid = models.CharField(max_length=200, unique=True)
    href = models.URLField(max_length=700, blank=True)
    etag = models.CharField(max_length=200, blank=True)
    #: A hash of the event's text as last written ("" once it has been removed).
    written = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.uid
