"""The demo therapist has sessions still to come today, whatever day and hour `make run` is run."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from sciaticare.accounts.models import User
from sciaticare.scheduling.models import Appointment, AppointmentStatus

pytestmark = pytest.mark.django_db

SATURDAY_EVENING = datetime(2026, 12, 5, 18, 40, tzinfo=UTC)
SUNDAY_MORNING = datetime(2026, 12, 6, 7, 5, tzinfo=UTC)


def _sessions_today(email: str) -> list[Appointment]:
    # The dashboard's "Today" card: booked, not yet started, today.
    return list(
        Appointment.objects.filter(
            therapist__user__email=email,
            status=AppointmentStatus.BOOKED,
            start__gte=timezone.now(),
            start__date=timezone.localdate(),
        )
    )


def test_seed_demo_gives_daniel_sessions_today_on_a_saturday_and_the_next_sunday(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: SATURDAY_EVENING)
    call_command("seed_demo")
    saturday = _sessions_today("therapist@example.com")
    assert len(saturday) >= 2

    # The demo database is kept: the next day's `make run` seeds nothing new but tops today up.
    monkeypatch.setattr(timezone, "now", lambda: SUNDAY_MORNING)
    call_command("seed_demo")
    sunday = _sessions_today("therapist@example.com")
    assert len(sunday) >= 2
    daniel = User.objects.get(email="therapist@example.com")
    assert daniel.first_name == "Daniel"
