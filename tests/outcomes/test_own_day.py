"""The person's own day (issue 16 point 4): the diary's "today", its charts' days and weekly
medians are in the patient's time zone, across both daylight-saving changes and in the zones
furthest from UTC; a patient who travels keeps their past entries on the days they logged
them. Every test here freezes the clock."""

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sciaticare.accounts.selectors import today_for
from sciaticare.accounts.services import set_time_zone
from sciaticare.core.errors import Invalid
from sciaticare.outcomes import services
from sciaticare.outcomes.models import PainEntry
from sciaticare.outcomes.selectors import dashboard_relief_for, recent_diary_line, relief_for
from sciaticare.records.models import SessionNote
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from tests.core.test_time import OWN_DAYS
from tests.directory.factories import TherapistProfileFactory
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """The clock, frozen; `clock.at = …` moves it."""

    class Clock:
        at = datetime(2026, 7, 14, 12, 0, tzinfo=UTC)

    monkeypatch.setattr(timezone, "now", lambda: Clock.at)
    return Clock


def _patient_in(zone: str):
    patient = PatientFactory()
    set_time_zone(user=patient, time_zone=zone)
    return patient


@pytest.mark.parametrize(("zone", "moment", "day"), OWN_DAYS)
def test_an_entry_lands_on_the_patients_own_day(clock, zone, moment, day):
    patient = _patient_in(zone)
    clock.at = moment

    entry, _ = services.log_pain(patient=patient, back_pain=5, leg_pain=6)

    assert entry.day == day
    assert today_for(patient) == day


def test_at_half_past_midnight_in_london_the_page_logs_londons_day(client, clock):
    patient = _patient_in("Europe/London")
    client.force_login(patient)
    clock.at = datetime(2026, 7, 14, 23, 30, tzinfo=UTC)  # 00:30 BST on 15 July

    response = client.post(reverse("outcomes:diary"), {"back_pain": 3, "leg_pain": 4})

    assert response.status_code == 302
    assert list(PainEntry.objects.filter(patient=patient).values_list("day", flat=True)) == [
        date(2026, 7, 15)
    ]
    # The page offers that entry as today's, to change.
    form = client.get(reverse("outcomes:diary")).context["form"]
    assert (form.initial["back_pain"], form.initial["leg_pain"]) == (3, 4)


def test_at_eight_in_the_evening_in_new_york_the_api_logs_new_yorks_day(client, clock):
    patient = _patient_in("America/New_York")
    client.force_login(patient)
    clock.at = datetime(2026, 1, 15, 1, 0, tzinfo=UTC)  # 20:00 EST on 14 January

    posted = client.post(
        "/api/v1/diary",
        json.dumps({"back_pain": 2, "leg_pain": 3}),
        content_type="application/json",
    )
    # The UTC date is not the patient's day: it is refused like any other day.
    refused = client.post(
        "/api/v1/diary",
        json.dumps({"date": "2026-01-15", "back_pain": 2, "leg_pain": 3}),
        content_type="application/json",
    )

    assert posted.status_code == 201
    assert posted.json()["date"] == "2026-01-14"
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "date"


def test_a_day_the_patient_has_not_reached_cannot_be_logged(clock):
    """Pago Pago (−11) is still on 14 July when UTC is on 15 July: the 15th is the future."""
    patient = _patient_in("Pacific/Pago_Pago")
    clock.at = datetime(2026, 7, 15, 9, 0, tzinfo=UTC)

    with pytest.raises(Invalid):
        services.log_pain(patient=patient, back_pain=1, leg_pain=1, day=date(2026, 7, 15))
    with pytest.raises(Invalid):
        services.add_past_entries(
            patient=patient,
            entries=[services.PastEntry(day=date(2026, 7, 15), back_pain=1, leg_pain=1)],
        )
    # Kiritimati (+14) is already on 15 July at that instant: its patients may log it.
    ahead = _patient_in("Pacific/Kiritimati")
    entry, _ = services.log_pain(patient=ahead, back_pain=1, leg_pain=1, day=date(2026, 7, 15))
    assert entry.day == date(2026, 7, 15)


def test_a_traveller_keeps_past_entries_on_their_days(clock):
    """Logged in London, then in New York, then in Kiritimati: each entry stays on the day it
    was logged; the new zone decides only the days still to come."""
    patient = _patient_in("Europe/London")
    clock.at = datetime(2026, 7, 14, 22, 30, tzinfo=UTC)  # 23:30 BST on 14 July
    services.log_pain(patient=patient, back_pain=7, leg_pain=8)

    set_time_zone(user=patient, time_zone="America/New_York")
    clock.at = datetime(2026, 7, 15, 1, 0, tzinfo=UTC)  # 21:00 EDT, still 14 July there
    services.log_pain(patient=patient, back_pain=6, leg_pain=7)  # changes the 14th's entry
    clock.at = datetime(2026, 7, 15, 15, 0, tzinfo=UTC)  # 11:00 EDT on the 15th
    services.log_pain(patient=patient, back_pain=5, leg_pain=5)

    set_time_zone(user=patient, time_zone="Pacific/Kiritimati")
    clock.at = datetime(2026, 7, 15, 16, 0, tzinfo=UTC)  # 06:00 on 16 July in Kiritimati
    services.log_pain(patient=patient, back_pain=3, leg_pain=2)

    assert list(
        PainEntry.objects.filter(patient=patient)
        .order_by("day")
        .values_list("day", "back_pain", "leg_pain")
    ) == [
        (date(2026, 7, 14), 6, 7),
        (date(2026, 7, 15), 5, 5),
        (date(2026, 7, 16), 3, 2),
    ]
    # Flying back west makes the 16th a day not yet reached, never a moved entry.
    set_time_zone(user=patient, time_zone="Pacific/Pago_Pago")  # 05:00 on 15 July there
    assert today_for(patient) == date(2026, 7, 15)
    assert PainEntry.objects.filter(patient=patient, day=date(2026, 7, 16)).exists()
    with pytest.raises(Invalid):  # and the 16th's entry is no longer "today's" to change
        services.log_pain(patient=patient, back_pain=0, leg_pain=0, day=date(2026, 7, 16))


def _session(patient, start: datetime) -> None:
    therapist = TherapistProfileFactory()
    appointment = Appointment.objects.create(
        patient=patient,
        therapist=therapist,
        location=therapist.locations.first(),
        session_type=therapist.session_types.get(is_standard=True),
        start=start,
        end=start + timedelta(hours=1),
        busy_until=start + timedelta(minutes=75),
        status=AppointmentStatus.COMPLETED,
    )
    SessionNote.objects.create(
        appointment=appointment,
        therapist=therapist,
        patient=patient,
        back_pain_before=8,
        back_pain_after=4,
        leg_pain_before=8,
        leg_pain_after=5,
        signed_at=appointment.end,
        signed_by=therapist.user,
        seal="test",
    )


def test_the_charts_and_weekly_medians_use_the_patients_days(clock):
    """A session at 20:00 in New York (01:00 UTC the next day) is on the New York day on the
    chart, and the week before it (the baseline) is counted from that day."""
    patient = _patient_in("America/New_York")
    first_session = date(2026, 3, 9)  # the day after the clocks went forward
    _session(patient, datetime(2026, 3, 10, 0, 0, tzinfo=UTC))  # 20:00 EDT on 9 March
    # 8/10 the day before the session, 3/10 from the session's day on: the baseline is the
    # day before alone (the session's own day is left out) only if the session is on 9 March.
    PainEntry.objects.create(patient=patient, day=date(2026, 3, 8), back_pain=8, leg_pain=8)
    PainEntry.objects.bulk_create(
        PainEntry(patient=patient, day=first_session + timedelta(days=i), back_pain=3, leg_pain=3)
        for i in range(21)
    )
    clock.at = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)

    relief = relief_for(patient=patient, viewer=patient)
    dashboard = dashboard_relief_for(patient=patient)

    assert relief.first_session == first_session
    assert [s.day for s in relief.sessions] == [first_session]
    assert relief.baseline == 8
    assert [(w.week_start, w.median, w.change_from_baseline) for w in relief.weekly] == [
        (first_session + timedelta(weeks=i), 3, 5) for i in range(3)
    ]
    # The dashboard's lighter read puts the marker on the same day.
    assert dashboard.pain_chart.markers == relief.pain_chart.markers


def test_the_therapists_diary_summary_counts_the_patients_last_week(clock):
    patient = _patient_in("Pacific/Kiritimati")
    clock.at = datetime(2026, 7, 15, 11, 0, tzinfo=UTC)  # 01:00 on 16 July in Kiritimati
    PainEntry.objects.create(patient=patient, day=date(2026, 7, 9), back_pain=4, leg_pain=4)
    PainEntry.objects.create(patient=patient, day=date(2026, 7, 8), back_pain=9, leg_pain=9)
    # Since 9 July (seven days before the patient's 16th), not 8 July (before UTC's 15th).
    assert "(1 entry)" in recent_diary_line(patient.pk)


ZONES = st.sampled_from(
    ["Europe/London", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    zone=ZONES,
    moment=st.datetimes(
        min_value=datetime(2026, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
        max_value=datetime(2027, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
)
def test_any_instant_logs_the_day_the_patients_clock_shows(zone, moment):
    patient = _patient_in(zone)
    entry, _ = services.log_pain(patient=patient, back_pain=2, leg_pain=2, now=moment)
    assert entry.day == moment.astimezone(ZoneInfo(zone)).date()
    assert today_for(patient, moment) == entry.day
