"""Fixtures of the reminders tests: a local Twilio and a local push service that the real
libraries talk to, the site's VAPID keys, a frozen clock, and a patient with a session."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from sciaticare.reminders.push import new_key_pair
from sciaticare.scheduling.models import (
    Appointment,
    AppointmentStatus,
    SlotOffer,
    WaitlistEntry,
    WaitlistStatus,
)
from tests.factories import PatientFactory
from tests.reminders.fakes import FakePushService, FakeTwilio
from tests.scheduling.helpers import place_appointment, working_therapist

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "test-auth-token-not-a-secret"
OUR_NUMBER = "+15005550006"
#: 09:00 UTC on a summer Tuesday: 10:00 in London, 11:00 in Madrid, 05:00 in New York.
MORNING = datetime(2026, 7, 14, 9, 0, tzinfo=UTC)


@pytest.fixture
def twilio(settings: Any) -> Iterator[FakeTwilio]:
    """Texts go through the real Twilio library to a local Messages API."""
    fake = FakeTwilio(ACCOUNT_SID, AUTH_TOKEN)
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM = OUR_NUMBER
    settings.TWILIO_API_BASE = fake.url
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture(scope="session")
def vapid_keys() -> tuple[str, str]:
    return new_key_pair()


@pytest.fixture
def push_service(settings: Any, vapid_keys: tuple[str, str]) -> Iterator[FakePushService]:
    """Notifications go through pywebpush to a local push service that decrypts them."""
    fake = FakePushService()
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = vapid_keys
    settings.VAPID_SUBJECT = "mailto:care@sciaticare.example"
    settings.PUSH_SERVICES = [fake.url]
    try:
        yield fake
    finally:
        fake.stop()


@dataclass
class Clock:
    at: datetime = MORNING

    def move(self, by: timedelta) -> None:
        self.at += by


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The clock, frozen at MORNING; `clock.at = …` moves it."""
    frozen = Clock()
    monkeypatch.setattr(timezone, "now", lambda: frozen.at)
    return frozen


def patient_in(zone: str = "Europe/London", **fields: Any) -> Any:
    fields.setdefault("phone", "+447400123456")
    return PatientFactory(time_zone=zone, **fields)


def session_for(patient: Any, start: datetime, **therapist: Any) -> Appointment:
    """A booked session of `patient` at `start`, with a therapist of their own."""
    therapist.setdefault("first_name", "Ada")
    therapist.setdefault("last_name", "Byrne")
    profile, session, location = working_therapist(**therapist)
    return place_appointment(
        patient=patient, therapist=profile, session=session, location=location, start=start
    )


def offer_to(patient: Any, *, held_for: timedelta, now: datetime) -> SlotOffer:
    """A session two days ahead held for `patient` from the waitlist, until `now + held_for`."""
    held = session_for(patient, now + timedelta(days=2))
    Appointment.objects.filter(pk=held.pk).update(
        status=AppointmentStatus.HELD, hold_expires_at=now + held_for
    )
    entry = WaitlistEntry.objects.create(
        patient=patient,
        therapist=held.therapist,
        earliest=now.date(),
        latest=now.date() + timedelta(days=14),
        status=WaitlistStatus.OFFERED,
    )
    return SlotOffer.objects.create(entry=entry, appointment=held, expires_at=now + held_for)
