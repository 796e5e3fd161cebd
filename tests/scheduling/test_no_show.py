"""Marking a session missed is two steps on the page, like cancelling: "No-show…" leads to a
confirm step that says what it charges (the payment seam's words), and only its POST marks,
with a message saying so. Nobody is a no-show in the first 15 minutes after the start: the page
does not offer it, and the service and the API refuse it (409 `too_early_for_no_show`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from sciaticare.billing.models import Payment, PaymentMethod, PaymentStatus, Purpose
from sciaticare.core.errors import Conflict
from sciaticare.scheduling.models import AppointmentStatus
from sciaticare.scheduling.services import attendance
from tests.billing.factories import clinic_policy
from tests.scheduling.helpers import bookable_patient, place_appointment, working_therapist

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 5, 11, 15, tzinfo=UTC)  # London is on UTC in December


@pytest.fixture
def session():
    therapist, session_type, location = working_therapist(first_name="Daniel")
    clinic_policy(location.clinic)  # a £30.00 missed-session fee
    patient = bookable_patient(first_name="Daria", last_name="Roberts")
    appointment = place_appointment(
        patient=patient,
        therapist=therapist,
        session=session_type,
        location=location,
        start=START,
    )
    Payment.objects.create(  # her deposit, paid by card when she booked
        clinic=location.clinic,
        patient=patient,
        purpose=Purpose.SESSION,
        appointment=appointment,
        amount=Decimal("11.00"),
        currency="GBP",
        status=PaymentStatus.SUCCEEDED,
        method=PaymentMethod.CARD_ONLINE,
    )
    return appointment


def _at(monkeypatch, minutes: int) -> datetime:
    now = START + timedelta(minutes=minutes)
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now


def _status(appointment) -> str:
    appointment.refresh_from_db()
    return appointment.status


def test_no_show_is_a_confirm_step_that_says_the_fee_then_marks(session, client, monkeypatch):
    _at(monkeypatch, 16)
    client.force_login(session.therapist.user)
    page = client.get(f"/appointments/{session.pk}/").content.decode()
    assert f'href="/appointments/{session.pk}/no-show/"' in page
    assert 'name="attended" value="no"' not in page  # no one-tap no-show any more

    confirm = client.get(f"/appointments/{session.pk}/no-show/")
    words = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Mark Daria Roberts as not attended?" in words
    assert (
        "Under the clinic&#x27;s policy this charges the client a £30.00 missed-session fee "
        "(their £11.00 deposit is counted: £19.00 is left to pay)." in words
    )
    assert _status(session) == AppointmentStatus.BOOKED  # looking changes nothing

    done = client.post(f"/appointments/{session.pk}/no-show/", follow=True)
    assert _status(session) == AppointmentStatus.NO_SHOW
    assert "Marked as not attended. The patient is told." in done.content.decode()


def test_the_old_one_tap_form_only_leads_to_the_confirm_step(session, client, monkeypatch):
    _at(monkeypatch, 16)
    client.force_login(session.therapist.user)
    response = client.post(f"/appointments/{session.pk}/attendance/", {"attended": "no"})
    assert response.headers["Location"] == f"/appointments/{session.pk}/no-show/"
    assert _status(session) == AppointmentStatus.BOOKED


def test_the_patient_has_no_no_show_step(session, client, monkeypatch):
    _at(monkeypatch, 16)
    client.force_login(session.patient)
    assert client.get(f"/appointments/{session.pk}/no-show/").status_code == 404
    assert client.post(f"/appointments/{session.pk}/no-show/").status_code == 404
    assert _status(session) == AppointmentStatus.BOOKED


def test_a_client_five_minutes_late_is_not_a_no_show_yet(session, client, monkeypatch):
    now = _at(monkeypatch, 5)
    client.force_login(session.therapist.user)
    page = client.get(f"/appointments/{session.pk}/").content.decode()
    assert "/no-show/" not in page
    assert "No-show can be marked from 11:30 GMT" in page
    assert 'value="yes">Completed' in page  # attended can be marked from the start

    # The step sends back to the session; its POST, and the API, are refused.
    assert client.get(f"/appointments/{session.pk}/no-show/").status_code == 302
    refused = client.post(f"/appointments/{session.pk}/no-show/", follow=True)
    assert "15 minutes after its start" in refused.content.decode()
    api = client.post(f"/api/v1/appointments/{session.pk}/no-show")
    assert (api.status_code, api.json()["code"]) == (409, "too_early_for_no_show")
    with pytest.raises(Conflict):
        attendance.mark_attendance(
            therapist_user=session.therapist.user,
            appointment_id=session.pk,
            attended=False,
            now=now,
        )
    assert _status(session) == AppointmentStatus.BOOKED

    _at(monkeypatch, 15)
    api = client.post(f"/api/v1/appointments/{session.pk}/no-show")
    assert (api.status_code, api.json()["status"]) == (200, "no_show")
