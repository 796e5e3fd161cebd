"""The therapist's dashboard "Today" is the therapist's own day (their time zone): at 18:00 in
Boston, a session at 20:30 there (00:30 UTC the next day) is today's; one tomorrow morning is
not, though it is on the same UTC date."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sciaticare.accounts.services import set_time_zone
from tests.scheduling.helpers import bookable_patient, place_appointment, working_therapist

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 7, 14, 22, 0, tzinfo=UTC)  # 18:00 EDT on 14 July


def test_the_dashboards_today_is_the_therapists_day(client, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    therapist, session, location = working_therapist(
        time_zone="America/New_York", start=datetime.min.time(), end=datetime.max.time()
    )
    set_time_zone(user=therapist.user, time_zone="America/New_York")
    evening, morning = bookable_patient(first_name="Evening"), bookable_patient(first_name="Dawn")
    for patient, start in (
        (evening, datetime(2026, 7, 15, 0, 30, tzinfo=UTC)),  # 20:30 EDT on the 14th
        (morning, datetime(2026, 7, 15, 13, 0, tzinfo=UTC)),  # 09:00 EDT on the 15th
    ):
        place_appointment(
            patient=patient, therapist=therapist, session=session, location=location, start=start
        )
    client.force_login(therapist.user)

    today = client.get(reverse("web:dashboard")).context["sessions_today"]

    assert [a.patient.first_name for a in today] == ["Evening"]


def test_each_of_todays_links_names_its_client(client, monkeypatch):
    # Found by an outside test: a screen reader's list of links read "note", "note", "brief".
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    therapist, session, location = working_therapist(
        time_zone="America/New_York", start=datetime.min.time(), end=datetime.max.time()
    )
    set_time_zone(user=therapist.user, time_zone="America/New_York")
    patient = bookable_patient(first_name="Evening", last_name="Star")
    appointment = place_appointment(
        patient=patient,
        therapist=therapist,
        session=session,
        location=location,
        start=datetime(2026, 7, 15, 0, 30, tzinfo=UTC),  # 20:30 EDT on the 14th
    )
    client.force_login(therapist.user)

    page = client.get(reverse("web:dashboard")).content.decode()

    note = reverse("records:note", args=[appointment.pk])
    link = page.split(f'href="{note}">', 1)[1].split("</a>", 1)[0]
    assert "Evening Star" in link
    assert "20:30" in link
