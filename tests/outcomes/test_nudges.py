"""The evening nudge reaches only patients who asked for it and have not logged today, in each
patient's own evening (their time zone), once on their day however often the hourly job runs."""

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from sciaticare.accounts.services import set_time_zone
from sciaticare.outcomes import services
from sciaticare.outcomes.tasks import due_nudges, in_nudge_hours
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

# 19:30 UTC on a summer day: 20:30 in London, 15:30 in New York, 09:30 next day in Kiritimati.
EVENING_UTC = datetime(2026, 7, 14, 19, 30, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """The clock, frozen; `clock.at = …` moves it."""

    class Clock:
        at = EVENING_UTC

    monkeypatch.setattr(timezone, "now", lambda: Clock.at)
    return Clock


def _patient(zone: str = "UTC"):
    patient = PatientFactory()
    set_time_zone(user=patient, time_zone=zone)
    services.set_daily_nudge(patient=patient, on=True)
    return patient


def test_nudges_go_to_those_who_asked_and_have_not_logged(clock):
    wants, logged, quiet = _patient(), _patient(), PatientFactory()
    services.log_pain(patient=logged, back_pain=3, leg_pain=2)

    call_command("send_diary_nudges")

    assert [m.to for m in mail.outbox] == [[wants.email]]
    assert "/diary/" in mail.outbox[0].body
    assert quiet.email not in str([m.to for m in mail.outbox])


def test_switching_the_nudge_off_stops_it(clock):
    patient = _patient()
    services.set_daily_nudge(patient=patient, on=False)

    call_command("send_diary_nudges")

    assert mail.outbox == []


@pytest.mark.parametrize(
    ("utc", "due_zones"),
    [
        # 19:30 UTC in July: London's evening (20:30 BST); New York's afternoon; Kiritimati's
        # next morning; Pago Pago's morning.
        (datetime(2026, 7, 14, 19, 30, tzinfo=UTC), {"Europe/London"}),
        # 23:30 UTC: 19:30 in New York (EDT); London is past 22:00 (00:30).
        (datetime(2026, 7, 14, 23, 30, tzinfo=UTC), {"America/New_York"}),
        # 05:30 UTC: 19:30 in Kiritimati (+14, the next day already).
        (datetime(2026, 7, 15, 5, 30, tzinfo=UTC), {"Pacific/Kiritimati"}),
        # 06:30 UTC: 19:30 on 14 July in Pago Pago (−11) and 20:30 on 15 July in Kiritimati
        # (+14): the same evening hour, a calendar day apart.
        (datetime(2026, 7, 15, 6, 30, tzinfo=UTC), {"Pacific/Pago_Pago", "Pacific/Kiritimati"}),
        # Winter: 19:30 UTC is 19:30 GMT in London; 00:30 UTC is 19:30 EST in New York.
        (datetime(2026, 1, 14, 19, 30, tzinfo=UTC), {"Europe/London"}),
        (datetime(2026, 1, 15, 0, 30, tzinfo=UTC), {"America/New_York"}),
    ],
)
def test_each_patient_is_nudged_in_their_own_evening(clock, utc, due_zones):
    zones = ["Europe/London", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago"]
    people = {zone: _patient(zone) for zone in zones}
    clock.at = utc

    call_command("send_diary_nudges")

    assert sorted(m.to[0] for m in mail.outbox) == sorted(people[z].email for z in due_zones)


def test_a_job_run_twice_or_retried_nudges_once_a_day(clock):
    patient = _patient("America/New_York")
    clock.at = datetime(2026, 7, 14, 23, 5, tzinfo=UTC)  # 19:05 in New York
    call_command("send_diary_nudges")
    call_command("send_diary_nudges")
    clock.at = datetime(2026, 7, 15, 0, 5, tzinfo=UTC)  # 20:05: the next hourly run
    call_command("send_diary_nudges")
    assert len(mail.outbox) == 1

    clock.at = datetime(2026, 7, 15, 23, 5, tzinfo=UTC)  # the next New York evening
    call_command("send_diary_nudges")
    assert [m.to for m in mail.outbox] == [[patient.email]] * 2


def test_logging_on_ones_own_day_is_what_counts(clock):
    """A London patient logs at 00:30 BST (23:30 UTC the day before); that evening's nudge
    knows they logged that London day, though its UTC date is the day before."""
    patient = _patient("Europe/London")
    clock.at = datetime(2026, 7, 14, 23, 30, tzinfo=UTC)
    services.log_pain(patient=patient, back_pain=4, leg_pain=5)

    clock.at = datetime(2026, 7, 15, 18, 30, tzinfo=UTC)  # 19:30 BST on 15 July
    assert due_nudges() == []


def test_a_job_that_was_down_catches_up_within_the_evening_but_not_at_night(clock):
    patient = _patient("Europe/London")
    clock.at = datetime(2026, 7, 14, 20, 45, tzinfo=UTC)  # 21:45 BST: still the evening
    assert [n.email for n in due_nudges()] == [patient.email]
    clock.at = datetime(2026, 7, 14, 21, 0, tzinfo=UTC)  # 22:00 BST: too late
    assert due_nudges() == []


@pytest.mark.parametrize(
    ("hour", "minute", "due"), [(18, 59, False), (19, 0, True), (21, 59, True), (22, 0, False)]
)
def test_the_evening_window(hour, minute, due):
    assert in_nudge_hours(datetime(2026, 7, 14, hour, minute, tzinfo=UTC)) is due
