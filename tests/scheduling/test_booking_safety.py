"""Before a booking: the red-flag questions asked again when the intake is more than a day old,
a confirm step showing what is booked, one session at a time per patient, and therapists not
taking new patients (issue 13, points 25, 16 and 17)."""

import json
import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from sciaticare.core.errors import Conflict, Refused
from sciaticare.intake import recheck
from sciaticare.intake import services as intake_services
from sciaticare.intake.models import Intake, RedFlagRecheck
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from sciaticare.scheduling.services import booking, changes
from tests.scheduling.helpers import (
    at,
    bookable_patient,
    make_plan,
    place_appointment,
    working_therapist,
)

pytestmark = pytest.mark.django_db


def _age(patient, days: float) -> Intake:
    """Make the patient's current intake `days` old."""
    intake = Intake.objects.filter(patient=patient).first()
    Intake.objects.filter(pk=intake.pk).update(created_at=timezone.now() - timedelta(days=days))
    intake.refresh_from_db()
    return intake


def _api_book(client, body):
    return client.post("/api/v1/appointments", json.dumps(body), content_type="application/json")


@pytest.fixture
def world():
    therapist, session, location = working_therapist(first_name="Rosa", last_name="Lindqvist")
    return {"therapist": therapist, "session": session, "location": location}


# --- 25. The red-flag re-check ---------------------------------------------------------------


def test_the_recheck_asks_every_emergency_and_urgent_question_and_nothing_else():
    from sciaticare.intake.triage.levels import Level
    from sciaticare.intake.triage.questions import QUESTIONS
    from sciaticare.intake.triage.reasons import REASONS

    expected = [q.code for q in QUESTIONS if q.reason and REASONS[q.reason].level >= Level.URGENT]
    assert [q.code for q in recheck.QUESTIONS_ASKED] == expected
    assert {"saddle_numbness", "bladder_change", "bowel_change", "foot_drop"} <= recheck.CODES
    assert "cancer_history" not in recheck.CODES  # a `soon` flag: not a booking-day question


def test_a_three_week_old_intake_cannot_book_through_the_service_until_rechecked(world):
    patient = bookable_patient()
    _age(patient, 21)

    with pytest.raises(Refused) as refused:
        booking.book_appointment(
            patient=patient, therapist_id=world["therapist"].pk, start=at(2, 10)
        )
    assert refused.value.code == "red_flag_recheck_required"
    assert not Appointment.objects.exists()

    intake_services.recheck_red_flags(patient=patient, yes=[])
    booked = booking.book_appointment(
        patient=patient, therapist_id=world["therapist"].pk, start=at(2, 10)
    )
    assert booked.status == AppointmentStatus.BOOKED


def test_an_intake_under_a_day_old_needs_no_recheck(world):
    patient = bookable_patient()
    _age(patient, 0.9)

    booking.book_appointment(patient=patient, therapist_id=world["therapist"].pk, start=at(2, 10))


def test_a_recheck_holds_for_one_day_only(world):
    patient = bookable_patient()
    intake = _age(patient, 10)
    intake_services.recheck_red_flags(patient=patient, yes=[])
    RedFlagRecheck.objects.update(checked_at=timezone.now() - timedelta(days=1, minutes=1))

    with pytest.raises(Refused) as refused:
        booking.book_appointment(
            patient=patient, therapist_id=world["therapist"].pk, start=at(2, 10)
        )
    assert refused.value.code == "red_flag_recheck_required"
    assert RedFlagRecheck.objects.get().intake == intake


def test_api_booking_answers_403_red_flag_recheck_required_then_books_after_the_api_recheck(
    client, world
):
    patient = bookable_patient()
    _age(patient, 21)
    client.force_login(patient)
    body = {"therapist": world["therapist"].pk, "start": at(2, 10).isoformat()}

    refused = _api_book(client, body)
    assert refused.status_code == 403
    assert refused.json()["code"] == "red_flag_recheck_required"

    checked = client.post(
        "/api/v1/intake/recheck", json.dumps({"yes": []}), content_type="application/json"
    )
    assert checked.status_code == 201
    assert checked.json()["found_red_flags"] is False
    assert _api_book(client, body).status_code == 201


def test_the_api_document_lists_the_recheck_refusal():
    from sciaticare.api import api

    operation = api.get_openapi_schema()["paths"]["/api/v1/appointments"]["post"]
    assert {403, 409} <= {int(code) for code in operation["responses"]}
    assert "red_flag_recheck_required" in operation["description"]


def test_the_api_recheck_refuses_unknown_codes(client):
    patient = bookable_patient()
    client.force_login(patient)

    answer = client.post(
        "/api/v1/intake/recheck",
        json.dumps({"yes": ["cancer_history"]}),
        content_type="application/json",
    )

    assert answer.status_code == 422
    assert not RedFlagRecheck.objects.exists()


def test_a_yes_makes_a_new_intake_whose_triage_blocks_the_booking(world):
    patient = bookable_patient()
    old = _age(patient, 21)

    done = intake_services.recheck_red_flags(patient=patient, yes=["bladder_change"])

    assert done.intake == old
    assert done.result is not None
    assert done.result.triage_level == "emergency"
    assert done.result.answers["bladder_change"] is True
    assert done.result.regions == old.regions  # the rest of the intake carried over
    with pytest.raises(Refused) as refused:
        booking.book_appointment(
            patient=patient, therapist_id=world["therapist"].pk, start=at(2, 10)
        )
    assert refused.value.code == "triage_blocks_booking"


def test_the_book_page_sends_an_old_intake_to_the_recheck_first_and_back(client, world):
    patient = bookable_patient()
    _age(patient, 21)
    client.force_login(patient)
    book_url = reverse("scheduling:book", args=[world["therapist"].pk])

    first = client.get(book_url)
    assert first.status_code == 302
    assert first["Location"].startswith(reverse("intake:recheck"))
    # A hand-made POST cannot skip it either.
    posted = client.post(book_url, {"start": at(2, 10).isoformat(), "confirm": "yes"})
    assert posted.status_code == 302
    assert not Appointment.objects.exists()

    page = client.get(first["Location"])
    body = page.content.decode()
    assert "Do any of these apply now?" in body
    for question in recheck.QUESTIONS_ASKED:
        assert question.text in body or question.text.replace("'", "&#x27;") in body
    assert "None of these" in body
    next_url = re.search(r'name="next" value="([^"]+)"', body).group(1)
    done = client.post(reverse("intake:recheck"), {"answer": "none", "next": next_url})
    assert done.status_code == 302
    assert done["Location"].startswith(book_url)
    assert client.get(book_url).status_code == 200


def test_the_flare_up_button_asks_the_red_flag_questions_first(client, world):
    patient = bookable_patient()
    make_plan(patient, world["therapist"])
    _age(patient, 21)
    client.force_login(patient)

    answer = client.get(reverse("scheduling:flare_up"))
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("intake:recheck"))
    assert client.post(reverse("scheduling:flare_up")).status_code == 405
    assert not Appointment.objects.exists()


def test_a_yes_on_the_page_leads_to_the_result_and_the_booking_is_blocked(client, world):
    patient = bookable_patient()
    _age(patient, 21)
    client.force_login(patient)

    done = client.post(
        reverse("intake:recheck"), {"answer": "some", "yes": ["saddle_numbness"], "next": "/"}
    )

    latest = Intake.objects.filter(patient=patient).first()
    assert done["Location"] == reverse("intake:detail", args=[latest.pk])
    page = client.get(done["Location"]).content.decode()
    assert "Go to an emergency department now" in page
    book = client.get(reverse("scheduling:book", args=[world["therapist"].pk]))
    assert b'name="start"' not in book.content


def test_some_apply_without_a_tick_is_a_422_and_no_record(client):
    patient = bookable_patient()
    _age(patient, 21)
    client.force_login(patient)

    answer = client.post(reverse("intake:recheck"), {"answer": "some"})

    assert answer.status_code == 422
    assert not RedFlagRecheck.objects.exists()


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_the_recheck_goes_back_only_to_this_site(client, target):
    patient = bookable_patient()
    _age(patient, 21)
    client.force_login(patient)

    done = client.post(reverse("intake:recheck"), {"answer": "none", "next": target})

    assert done.status_code == 302
    assert done["Location"] == reverse("web:dashboard")


def test_the_therapist_brief_shows_when_red_flags_were_last_answered(client, world):
    patient = bookable_patient()
    _age(patient, 21)
    intake_services.recheck_red_flags(patient=patient, yes=[])
    intake_services.share_intake(patient=patient, therapist_email=world["therapist"].user.email)
    client.force_login(world["therapist"].user)

    page = client.get(reverse("intake:brief", args=[patient.pk])).content.decode()

    today = timezone.localdate().strftime("%-d %B %Y")
    assert f"red flags last answered {today}" in page


# --- 25. The confirm step --------------------------------------------------------------------


def test_a_tap_on_a_time_shows_the_confirm_step_and_books_nothing(client, world):
    patient = bookable_patient()
    client.force_login(patient)
    url = reverse("scheduling:book", args=[world["therapist"].pk])
    start = re.search(r'name="start" value="([^"]+)"', client.get(url).content.decode()).group(1)

    step = client.post(url, {"start": start})

    assert step.status_code == 200
    assert not Appointment.objects.exists()
    body = step.content.decode()
    session, location = world["session"], world["location"]
    for shown in (
        "Confirm your booking",
        "Rosa Lindqvist",
        location.name,
        str(session.price),
        "24 hours",  # "free until 24 hours before", or "less than 24 hours away" for the first slot
        ">Confirm booking<",
        ">Back<",
    ):
        assert shown in body, shown
    assert f'href="{url}?service={session.pk}"' in body

    booked = client.post(url, {"start": start, "service": session.pk, "confirm": "yes"})
    assert booked.status_code == 302
    assert Appointment.objects.get().patient == patient


# --- 16. One session at a time per patient ---------------------------------------------------


def test_a_patient_cannot_book_two_therapists_at_the_same_time(world):
    other, _, _ = working_therapist()
    patient = bookable_patient()
    booking.book_appointment(patient=patient, therapist_id=world["therapist"].pk, start=at(2, 10))

    with pytest.raises(Conflict) as conflict:
        booking.book_appointment(patient=patient, therapist_id=other.pk, start=at(2, 10, 30))

    assert conflict.value.code == "patient_overlap"
    # Back to back is fine: the clinic's buffer is the therapist's time, not the patient's.
    booking.book_appointment(patient=patient, therapist_id=other.pk, start=at(2, 11))


def test_the_database_refuses_a_patients_overlapping_sessions(world):
    other, other_session, other_location = working_therapist()
    patient = bookable_patient()
    place_appointment(
        patient=patient,
        therapist=world["therapist"],
        session=world["session"],
        location=world["location"],
        start=at(2, 10),
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        place_appointment(
            patient=patient,
            therapist=other,
            session=other_session,
            location=other_location,
            start=at(2, 10, 45),
        )
    # A cancelled one does not count.
    Appointment.objects.update(status=AppointmentStatus.CANCELLED)
    place_appointment(
        patient=patient,
        therapist=other,
        session=other_session,
        location=other_location,
        start=at(2, 10, 45),
    )


def test_moving_a_session_onto_another_of_ones_own_is_refused(world):
    other, _, _ = working_therapist()
    patient = bookable_patient()
    booking.book_appointment(patient=patient, therapist_id=world["therapist"].pk, start=at(2, 10))
    second = booking.book_appointment(patient=patient, therapist_id=other.pk, start=at(2, 14))

    with pytest.raises(Conflict) as conflict:
        changes.reschedule_appointment(user=patient, appointment_id=second.pk, new_start=at(2, 10))

    assert conflict.value.code == "patient_overlap"
    second.refresh_from_db()
    assert second.status == AppointmentStatus.BOOKED


def test_api_and_page_say_patient_overlap(client, world):
    other, _, _ = working_therapist()
    patient = bookable_patient()
    booking.book_appointment(patient=patient, therapist_id=world["therapist"].pk, start=at(2, 10))
    client.force_login(patient)

    answer = _api_book(client, {"therapist": other.pk, "start": at(2, 10).isoformat()})
    assert answer.status_code == 409
    assert answer.json()["code"] == "patient_overlap"

    url = reverse("scheduling:book", args=[other.pk])
    for step in ({}, {"confirm": "yes"}):
        page = client.post(url, {"start": at(2, 10).isoformat(), **step})
        assert page.status_code == 409
        assert b"You already have a session at that time" in page.content


# --- 17. Therapists not taking new patients ---------------------------------------------------


def _closed(world):
    world["therapist"].accepting_new_patients = False
    world["therapist"].save(update_fields=["accepting_new_patients"])


def test_a_new_patient_cannot_book_a_therapist_not_taking_new_patients(client, world):
    _closed(world)
    patient = bookable_patient()

    with pytest.raises(Refused) as refused:
        booking.book_appointment(
            patient=patient, therapist_id=world["therapist"].pk, start=at(2, 10)
        )
    assert refused.value.code == "not_accepting_new_patients"

    client.force_login(patient)
    answer = _api_book(client, {"therapist": world["therapist"].pk, "start": at(2, 10).isoformat()})
    assert answer.status_code == 403
    assert answer.json()["code"] == "not_accepting_new_patients"
    page = client.get(reverse("scheduling:book", args=[world["therapist"].pk]))
    assert b"is not taking new patients" in page.content
    assert b'name="start"' not in page.content
    posted = client.post(
        reverse("scheduling:book", args=[world["therapist"].pk]),
        {"start": at(2, 10).isoformat(), "confirm": "yes"},
    )
    assert b"is not taking new patients" in posted.content
    assert not Appointment.objects.exists()


def test_a_patient_treated_before_can_still_book_them(client, world):
    _closed(world)
    patient = bookable_patient()
    place_appointment(
        patient=patient,
        therapist=world["therapist"],
        session=world["session"],
        location=world["location"],
        start=timezone.now() - timedelta(days=20),
        status=AppointmentStatus.COMPLETED,
    )

    booking.book_appointment(patient=patient, therapist_id=world["therapist"].pk, start=at(2, 10))
    client.force_login(patient)
    assert (
        b'name="start"'
        in client.get(reverse("scheduling:book", args=[world["therapist"].pk])).content
    )


def test_a_cancelled_session_does_not_make_an_existing_patient(world):
    _closed(world)
    patient = bookable_patient()
    place_appointment(
        patient=patient,
        therapist=world["therapist"],
        session=world["session"],
        location=world["location"],
        start=timezone.now() - timedelta(days=20),
        status=AppointmentStatus.CANCELLED,
    )

    with pytest.raises(Refused):
        booking.book_appointment(
            patient=patient, therapist_id=world["therapist"].pk, start=at(2, 10)
        )


def test_moving_a_session_shows_the_confirm_step_first(client, world):
    patient = bookable_patient()
    booked = booking.book_appointment(
        patient=patient, therapist_id=world["therapist"].pk, start=at(2, 10)
    )
    client.force_login(patient)
    url = reverse("scheduling:reschedule", args=[booked.pk])

    step = client.post(url, {"start": at(2, 14).isoformat()})

    assert step.status_code == 200
    assert b"Confirm the new time" in step.content
    assert f'href="{url}"'.encode() in step.content
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED
    moved = client.post(url, {"start": at(2, 14).isoformat(), "confirm": "yes"})
    assert moved.status_code == 302
    assert Appointment.objects.get(status=AppointmentStatus.BOOKED).start == at(2, 14)


# --- UX finding 1: a tick is never thrown away --------------------------------------------


def test_the_recheck_page_is_one_form_so_the_ticks_travel_with_either_answer(client, world):
    patient = bookable_patient()
    _age(patient, 21)
    client.force_login(patient)

    body = client.get(reverse("intake:recheck")).content.decode()

    shared = body.count('action="/accounts/logout/"') + body.count('class="language-switcher"')
    assert body.count("<form") - shared == 1
    form = body[body.index('<form method="post" id="recheck"') :]
    form = form[: form.index("</form>")]
    assert 'name="yes"' in form
    assert 'value="none"' in form
    assert 'value="some"' in form
    # Both answers are real answers: neither is styled as the lesser one.
    assert 'class="secondary"' not in form


def test_none_of_these_with_a_tick_is_taken_as_a_yes(client, world):
    patient = bookable_patient()
    _age(patient, 21)
    client.force_login(patient)

    done = client.post(
        reverse("intake:recheck"),
        {"answer": "none", "yes": ["saddle_numbness"], "next": "/"},
    )

    latest = Intake.objects.filter(patient=patient).first()
    assert latest.triage_level == "emergency"
    assert done["Location"] == reverse("intake:detail", args=[latest.pk])
    check = RedFlagRecheck.objects.get()
    assert check.answers["saddle_numbness"] is True
    assert check.result_id == latest.pk
    book = client.get(reverse("scheduling:book", args=[world["therapist"].pk]))
    assert b'name="start"' not in book.content


# --- "Not taking new patients" said up front (UX finding 10) ----------------------------------


def _search(client):
    return client.get(reverse("directory:search"), {"place": "Manchester"}).content.decode()


def test_search_and_profile_say_not_taking_new_patients_instead_of_book(client, world):
    _closed(world)
    profile_url = reverse("directory:profile", args=[world["therapist"].pk])
    book_url = reverse("scheduling:book", args=[world["therapist"].pk])

    anonymous = _search(client)
    assert "Not taking new patients" in anonymous
    assert f'href="{book_url}"' not in anonymous

    client.force_login(bookable_patient())
    found, profile = _search(client), client.get(profile_url).content.decode()
    for page in (found, profile):
        assert "Not taking new patients" in page
        assert book_url not in page
        assert "to my flare-up plan" not in page
    assert "See free times and book" not in profile


def test_their_own_patient_still_sees_book(client, world):
    _closed(world)
    patient = bookable_patient()
    place_appointment(
        patient=patient,
        therapist=world["therapist"],
        session=world["session"],
        location=world["location"],
        start=timezone.now() - timedelta(days=20),
        status=AppointmentStatus.COMPLETED,
    )
    client.force_login(patient)

    book_url = reverse("scheduling:book", args=[world["therapist"].pk])
    assert f'href="{book_url}"' in _search(client)
    profile = client.get(reverse("directory:profile", args=[world["therapist"].pk]))
    assert "See free times and book" in profile.content.decode()


def test_the_book_page_says_not_taking_before_the_red_flag_questions(client, world):
    _closed(world)
    patient = bookable_patient()
    _age(patient, 21)
    client.force_login(patient)

    page = client.get(reverse("scheduling:book", args=[world["therapist"].pk]))

    assert page.status_code == 200
    assert b"is not taking new patients" in page.content
    assert b'name="start"' not in page.content


def test_the_flare_up_plan_marks_a_therapist_who_would_refuse_her(client, world):
    _closed(world)
    patient = bookable_patient()
    make_plan(patient, world["therapist"])
    client.force_login(patient)

    plan = client.get(reverse("directory:plan")).content.decode()

    assert "Not taking new patients" in plan
