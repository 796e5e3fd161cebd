"""An emergency or urgent intake stops a session from being moved (the booking's triage gate:
service, page and API), and the patient can cancel every booked session at once, each therapist
told as for any cancellation (UX finding 2)."""

import json

import pytest
from django.urls import reverse

from sciaticare.core.errors import Refused
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from sciaticare.scheduling.services import changes
from tests.intake.factories import make_intake
from tests.scheduling.helpers import at, bookable_patient, place_appointment, working_therapist

pytestmark = pytest.mark.django_db

LEVELS = {"emergency": {"bladder_change": True}, "urgent": {"foot_drop": True}}


@pytest.fixture
def world():
    therapist, session, location = working_therapist(first_name="Ada", last_name="Byrne")
    patient = bookable_patient(first_name="Maya")
    first = place_appointment(
        patient=patient, therapist=therapist, session=session, location=location, start=at(3, 10)
    )
    second = place_appointment(
        patient=patient, therapist=therapist, session=session, location=location, start=at(5, 10)
    )
    return {"therapist": therapist, "patient": patient, "first": first, "second": second}


@pytest.mark.parametrize("level", ["emergency", "urgent"])
def test_the_service_refuses_to_move_a_session_of_a_blocked_patient(world, level):
    make_intake(world["patient"], yes=LEVELS[level])

    for mover in (world["patient"], world["therapist"].user):
        with pytest.raises(Refused) as refused:
            changes.reschedule_appointment(
                user=mover, appointment_id=world["first"].pk, new_start=at(4, 11)
            )
        assert refused.value.code == "triage_blocks_booking"
        with pytest.raises(Refused):
            changes.preview_move(user=mover, appointment_id=world["first"].pk, new_start=at(4, 11))
    world["first"].refresh_from_db()
    assert world["first"].status == AppointmentStatus.BOOKED
    assert world["first"].start == at(3, 10)


def test_a_move_is_still_fine_for_a_patient_massage_suits(world):
    moved = changes.reschedule_appointment(
        user=world["patient"], appointment_id=world["first"].pk, new_start=at(4, 11)
    )
    assert moved.start == at(4, 11)


def test_the_move_page_shows_the_advice_instead_of_times_and_refuses_a_post(client, world):
    make_intake(world["patient"], yes=LEVELS["emergency"])
    client.force_login(world["patient"])
    url = reverse("scheduling:reschedule", args=[world["first"].pk])

    page = client.get(url)
    assert page.status_code == 200
    assert b'name="start"' not in page.content
    assert b"Go to an emergency department now (or call the emergency number)." in page.content

    posted = client.post(url, {"start": at(4, 11).isoformat(), "confirm": "yes"})
    assert posted.status_code == 403
    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED).count() == 2
    assert not Appointment.objects.filter(start=at(4, 11)).exists()


def test_the_api_answers_403_triage_blocks_booking_to_a_move(client, world):
    make_intake(world["patient"], yes=LEVELS["urgent"])
    client.force_login(world["patient"])

    answer = client.post(
        f"/api/v1/appointments/{world['first'].pk}/reschedule",
        json.dumps({"start": at(4, 11).isoformat()}),
        content_type="application/json",
    )

    assert answer.status_code == 403
    assert answer.json()["code"] == "triage_blocks_booking"


def test_the_booked_sessions_come_with_a_prompt_to_cancel_them(client, world):
    client.force_login(world["patient"])
    prompt = reverse("scheduling:cancel_for_triage")
    for url in (reverse("web:dashboard"), reverse("scheduling:appointments")):
        assert prompt.encode() not in client.get(url).content, url

    make_intake(world["patient"], yes=LEVELS["emergency"])

    for url in (reverse("web:dashboard"), reverse("scheduling:appointments")):
        body = client.get(url).content.decode()
        assert f'href="{prompt}"' in body, url
        assert "Cancel my booked sessions" in body, url


def test_cancel_my_booked_sessions_asks_then_cancels_all_and_tells_the_therapist(
    client, world, smtp, django_capture_on_commit_callbacks
):
    make_intake(world["patient"], yes=LEVELS["urgent"])
    client.force_login(world["patient"])
    url = reverse("scheduling:cancel_for_triage")

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert b"Cancel 2 sessions" in confirm.content
    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED).count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url)

    assert done.status_code == 302
    for appointment in (world["first"], world["second"]):
        appointment.refresh_from_db()
        assert appointment.status == AppointmentStatus.CANCELLED
        assert not appointment.late_cancellation
    to_therapist = smtp.subjects(world["therapist"].user.email)
    assert len(to_therapist) == 2
    body = smtp.to(world["therapist"].user.email)[0].get_body(preferencelist=("plain",))
    # No clinical detail in mail (docs/security.md): the usual cancellation words only.
    assert "intake" not in body.get_content().lower()


def test_cancel_all_is_refused_while_massage_is_fine(client, world):
    client.force_login(world["patient"])

    client.post(reverse("scheduling:cancel_for_triage"))

    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED).count() == 2
