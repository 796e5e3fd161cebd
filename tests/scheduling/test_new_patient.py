"""Book first, explain later: a new person books with the symptom check this browser carries and
a short form (name, email, mobile number, password); the account, the safety intake and the
booking are made together or not at all, and the booking gate still decides."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.http import HttpResponse
from django.urls import reverse

from sciaticare.accounts import services as accounts_services
from sciaticare.accounts.models import User
from sciaticare.core.errors import Conflict, Invalid, Refused
from sciaticare.intake import carried_check
from sciaticare.intake.models import Episode, Intake
from sciaticare.intake.symptom_check import CheckState
from sciaticare.intake.triage.questions import QUESTIONS, REQUIRED_CODES
from sciaticare.reminders.models import ChannelChoice, Kind
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from sciaticare.scheduling.services.new_patient import book_as_new_patient
from tests.factories import PatientFactory
from tests.scheduling.helpers import at, bookable_patient, working_therapist

pytestmark = pytest.mark.django_db

PASSWORD = "walk-daily-and-stretch"


def check(*, yes: tuple[str, ...] = (), age: int = 40, weeks: float = 3) -> CheckState:
    """A finished symptom check: "no" to every question but `yes`."""
    answers = {code: code in yes for code in REQUIRED_CODES}
    return CheckState(answers=answers, age=age, onset_weeks=weeks)


def carry(client: Any, state: CheckState) -> None:
    """Give the test browser the cookie the check's last page sets."""
    response = HttpResponse()
    carried_check.remember(response, state)
    client.cookies[carried_check.COOKIE] = response.cookies[carried_check.COOKIE].value


def account(**changes: Any) -> accounts_services.NewPatientAccount:
    values = {
        "email": "ines@example.org",
        "password": PASSWORD,
        "first_name": "Inês",
        "last_name": "Duarte",
        "phone": "07400 123456",
        "time_zone": "Europe/London",
        "language": "en",
        **changes,
    }
    return accounts_services.check_new_patient_account(**values)


@pytest.mark.parametrize(
    ("time_zone", "place", "stored"),
    [
        ("UTC", "Europe/London", "+447400123456"),  # a browser on UTC, a clinic in England
        ("Europe/London", "America/New_York", "+447400123456"),  # the browser's country first
        ("Etc/GMT+3", "Europe/London", "+447400123456"),
    ],
)
def test_a_number_without_its_country_is_read_where_the_person_books(time_zone, place, stored):
    # Found by an outside test: "07911 123456" was refused for a clinic in England when the
    # browser's zone (UTC) named no country.
    assert account(time_zone=time_zone, place_time_zone=place).phone == stored


@pytest.mark.parametrize(
    ("time_zone", "place", "kept"),
    [
        ("UTC", "Europe/London", "Europe/London"),  # a browser on UTC (privacy modes say so)
        ("Etc/GMT+3", "Europe/London", "Europe/London"),
        ("America/Chicago", "Europe/London", "America/Chicago"),  # a zone of a country: its own
        ("Asia/Calcutta", "Europe/London", "Asia/Calcutta"),  # an older name Chromium reports
        ("UTC", "", "UTC"),  # nowhere better to read it from
    ],
)
def test_a_browser_zone_of_no_country_gives_way_to_the_booked_places(time_zone, place, kept):
    # Found by an outside test: an account made by booking first from a browser on UTC kept
    # UTC, so its account page then read "07911 123456" as needing +44, and its day (the diary's
    # "today", reminders' times) was UTC's, not the person's.
    assert account(time_zone=time_zone, place_time_zone=place, phone="+447400123456").time_zone == (
        kept
    )


def test_with_no_country_anywhere_the_number_needs_its_code():
    with pytest.raises(Invalid) as refused:
        account(time_zone="UTC")

    assert "country code" in str(refused.value.errors)


def nothing_stored() -> bool:
    return not (
        User.objects.filter(email="ines@example.org").exists()
        or Intake.objects.exists()
        or Episode.objects.exists()
        or Appointment.objects.exists()
    )


# --- The service -------------------------------------------------------------------------


def test_booking_first_makes_the_account_the_safety_intake_and_the_booking():
    therapist, _, _ = working_therapist()

    appointment = book_as_new_patient(
        account=account(), check=check(weeks=3), therapist_id=therapist.pk, start=at(3, 10)
    )

    patient = appointment.patient
    assert appointment.status == AppointmentStatus.BOOKED
    assert (patient.email, patient.first_name, patient.phone) == (
        "ines@example.org",
        "Inês",
        "+447400123456",
    )
    assert patient.is_patient
    assert not patient.is_therapist
    assert patient.check_password(PASSWORD)
    intake = Intake.objects.get(patient=patient)
    assert intake.safety_only
    assert intake.age == 40
    assert intake.triage_level == "ok"
    assert set(intake.answers) == REQUIRED_CODES
    assert intake.back_pain_now is None
    assert intake.regions == []
    assert (patient.time_zone, intake.onset_date.isoformat()) == (
        "Europe/London",
        (intake.created_at.astimezone().date() - timedelta(days=21)).isoformat(),
    )
    address = EmailAddress.objects.get(user=patient)
    assert (address.email, address.primary, address.verified) == ("ines@example.org", True, False)
    # Reminders of the session by text too: the number was given for it.
    assert ChannelChoice.objects.get(user=patient, kind=Kind.APPOINTMENT).sms


@pytest.mark.parametrize(
    ("yes", "code"),
    [
        (("bladder_change",), "triage_blocks_booking"),  # emergency
        (("fever",), "triage_blocks_booking"),  # urgent
        (("cancer_history",), "clearance_required"),  # see a doctor within two weeks
    ],
)
def test_a_check_that_says_see_a_doctor_books_nothing_and_keeps_nothing(yes, code):
    therapist, _, _ = working_therapist()

    with pytest.raises(Refused) as refused:
        book_as_new_patient(
            account=account(), check=check(yes=yes), therapist_id=therapist.pk, start=at(3, 10)
        )

    assert refused.value.code == code
    assert nothing_stored()


def test_a_time_just_taken_undoes_the_account_and_the_intake():
    therapist, _, _ = working_therapist()
    booked = bookable_patient()
    from sciaticare.scheduling.services.booking import book_appointment

    book_appointment(patient=booked, therapist_id=therapist.pk, start=at(3, 10))

    with pytest.raises(Conflict) as conflict:
        book_as_new_patient(
            account=account(), check=check(), therapist_id=therapist.pk, start=at(3, 10)
        )

    assert conflict.value.code == "slot_taken"
    assert not User.objects.filter(email="ines@example.org").exists()
    assert not Intake.objects.exclude(patient=booked).exists()


def test_a_check_ended_early_is_not_taken_as_a_safety_intake():
    therapist, _, _ = working_therapist()
    partial = CheckState(answers={"saddle_numbness": False}, age=40, onset_weeks=3)

    with pytest.raises(Invalid) as invalid:
        book_as_new_patient(
            account=account(), check=partial, therapist_id=therapist.pk, start=at(3, 10)
        )

    assert invalid.value.code == "check_incomplete"
    assert nothing_stored()


def test_an_address_with_an_account_is_a_clear_conflict_whatever_its_case():
    PatientFactory(email="ines@example.org")

    with pytest.raises(Conflict) as conflict:
        account(email="Ines@Example.ORG")

    assert conflict.value.code == "email_taken"
    assert "Sign in to book" in conflict.value.message
    assert conflict.value.errors[0][0] == "email"


def test_an_address_taken_between_the_check_and_the_booking_is_a_conflict_too():
    therapist, _, _ = working_therapist()
    ready = account()
    PatientFactory(email="ines@example.org")

    with pytest.raises(Conflict) as conflict:
        book_as_new_patient(
            account=ready, check=check(), therapist_id=therapist.pk, start=at(3, 10)
        )

    assert conflict.value.code == "email_taken"
    assert not Intake.objects.exists()
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"password": "short"}, "password"),
        ({"password": "password123456"}, "password"),  # a common password
        ({"phone": ""}, "phone"),
        ({"phone": "12"}, "phone"),
        ({"phone": "020 7946 0000"}, "phone"),  # a London landline: no texts
    ],
)
def test_sign_up_rules_hold_for_booking_first(changes, field):
    with pytest.raises(Invalid) as invalid:
        account(**changes)

    assert field in {name for name, _ in invalid.value.errors}


def test_an_unknown_time_zone_falls_back_to_the_sites(settings):
    ready = account(time_zone="Mars/Olympus_Mons", phone="+44 7400 123456")

    assert ready.time_zone == settings.TIME_ZONE


# --- The pages ---------------------------------------------------------------------------


def _url(therapist: Any) -> str:
    return reverse("scheduling:new_patient", args=[therapist.pk])


def _form(state: CheckState, **changes: Any) -> dict[str, str]:
    return {
        "check_confirmed": "on",
        "shown_check": carried_check.digest(state),
        "first_name": "Inês",
        "last_name": "Duarte",
        "email": "ines@example.org",
        "phone": "07400 123456",
        "password": PASSWORD,
        "time_zone": "Europe/London",
        **changes,
    }


def _book(client: Any, therapist: Any, state: CheckState, **changes: Any) -> Any:
    return client.post(
        _url(therapist), {"start": at(3, 10).isoformat(), "book": "yes", **_form(state, **changes)}
    )


def test_an_anonymous_book_link_leads_to_booking_first(client):
    therapist, session, _ = working_therapist()

    response = client.get(reverse("scheduling:book", args=[therapist.pk]), {"service": session.pk})

    assert response.status_code == 302
    assert response["Location"] == f"{_url(therapist)}?service={session.pk}"


def test_without_a_check_the_page_asks_for_it_first_and_offers_sign_in(client):
    therapist, _, _ = working_therapist()

    response = client.get(_url(therapist))

    assert response.status_code == 200
    assert b"First, a two-minute symptom check" in response.content
    assert reverse("check").encode() in response.content
    assert b"/accounts/login/?next=" in response.content
    assert b'button class="slot"' not in response.content


def test_a_tampered_cookie_is_no_check(client):
    therapist, _, _ = working_therapist()
    carry(client, check())
    client.cookies[carried_check.COOKIE] = client.cookies[carried_check.COOKIE].value[:-3] + "xyz"

    page = client.get(_url(therapist))
    sent = _book(client, therapist, check())

    assert b"First, a two-minute symptom check" in page.content
    assert sent.status_code == 403
    assert nothing_stored()


@pytest.mark.parametrize(
    ("yes", "words"),
    [
        (("bladder_change",), b"Go to an emergency department now"),
        (("fever",), b"See a doctor today"),
        (("cancer_history",), b"See a doctor within about two weeks, before massage"),
    ],
)
def test_a_check_that_says_see_a_doctor_shows_its_advice_never_the_form(client, yes, words):
    therapist, _, _ = working_therapist()
    state = check(yes=yes)
    carry(client, state)

    for response in (
        client.get(_url(therapist)),
        client.post(_url(therapist), {"start": at(3, 10).isoformat()}),
        _book(client, therapist, state),
    ):
        assert response.status_code == 403
        assert words in response.content
        assert b"Choose a password" not in response.content
    assert nothing_stored()


def test_an_emergency_that_ended_the_check_early_shows_the_emergency_first(client):
    therapist, _, _ = working_therapist()
    carry(client, CheckState(answers={"saddle_numbness": False, "bladder_change": True}))

    response = client.get(_url(therapist))

    assert response.status_code == 403
    assert response.content.index(b'id="emergency"') < response.content.index(b"<header")


def test_a_safe_check_shows_the_free_times_then_the_short_form_with_every_question(client):
    therapist, _, _ = working_therapist(first_name="Rosa", last_name="Lindqvist")
    state = check(age=38, weeks=2.5)
    carry(client, state)

    times = client.get(_url(therapist))
    form = client.post(_url(therapist), {"start": at(3, 10).isoformat()})

    assert times.status_code == 200
    assert b'class="slot"' in times.content
    assert form.status_code == 200
    page = form.content.decode()
    assert "Rosa Lindqvist" in page
    for question in QUESTIONS:  # every red-flag question is shown with its answer
        assert question.text.replace("'", "&#x27;") in page
    assert "<strong>38</strong>" in page
    assert "<strong>2.5</strong>" in page
    assert "Choose a password" in page
    assert form["Cache-Control"].startswith("max-age=0")
    assert "no-store" in form["Cache-Control"]
    assert nothing_stored()


def test_the_short_form_books_signs_in_and_forgets_the_check(client):
    therapist, _, _ = working_therapist()
    state = check()
    carry(client, state)

    response = _book(client, therapist, state)

    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("scheduling:appointment", args=[appointment.pk])
    assert response.cookies[carried_check.COOKIE]["max-age"] == 0
    assert client.session["_auth_user_id"] == str(appointment.patient_id)
    (verify,) = [m for m in mail.outbox if "/accounts/confirm-email/" in m.body]
    assert verify.to == ["ines@example.org"]
    booked = client.get(response["Location"])
    assert b"Your intake is not finished" in booked.content
    assert reverse("intake:finish").encode() in booked.content


@pytest.mark.parametrize("zone", ["Europe/London" * 250, "Europe/London\x00", "Mars/Olympus"])
def test_a_browser_zone_we_do_not_know_is_dropped_not_refused(client, zone):
    """Found by an outside test: a crafted hidden zone (3,000 characters, a NUL) was a 422
    saying fields were marked below, with none marked: nobody sees the field, so it falls
    back to the booked place's zone instead."""
    therapist, _, location = working_therapist()
    state = check()
    carry(client, state)

    response = _book(client, therapist, state, time_zone=zone)

    assert response.status_code == 302
    assert Appointment.objects.get().patient.time_zone == location.time_zone


def test_the_check_must_be_confirmed(client):
    therapist, _, _ = working_therapist()
    state = check()
    carry(client, state)

    response = _book(client, therapist, state, check_confirmed="")

    assert response.status_code == 422
    assert b"Please read your answers and confirm them." in response.content
    assert nothing_stored()


def test_a_check_taken_again_in_another_tab_is_shown_again_before_booking(client):
    therapist, _, _ = working_therapist()
    shown = check(weeks=3)
    carry(client, check(weeks=5))

    response = _book(client, therapist, shown)

    assert response.status_code == 409
    assert b"taken again since this page opened" in response.content
    assert b"<strong>5</strong>" in response.content
    assert nothing_stored()


def test_a_taken_address_says_so_clearly_and_offers_sign_in(client):
    therapist, _, _ = working_therapist()
    PatientFactory(email="ines@example.org")
    state = check()
    carry(client, state)

    response = _book(client, therapist, state)

    assert response.status_code == 409
    assert b"An account already uses this email address." in response.content
    assert b"Sign in to book" in response.content
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"email": "not-an-address"}, b"Enter a valid email address."),
        ({"first_name": ""}, b"This field is required."),
        ({"password": "short"}, b"This password is too short."),
        ({"phone": "12"}, b"mobile number"),
    ],
)
def test_bad_input_is_a_422_that_names_the_field(client, changes, words):
    therapist, _, _ = working_therapist()
    state = check()
    carry(client, state)

    response = _book(client, therapist, state, **changes)

    assert response.status_code == 422
    assert words in response.content
    assert nothing_stored()


@pytest.mark.parametrize("start", ["", "tomorrow", "2026-02-30T10:00:00+00:00"])
def test_a_start_that_is_not_an_offered_time_is_a_422(client, start):
    therapist, _, _ = working_therapist()
    carry(client, check())

    response = client.post(_url(therapist), {"start": start})

    assert response.status_code == 422
    assert b"Choose one of the offered times." in response.content


def test_a_time_off_the_calendar_is_refused_before_the_form(client):
    therapist, _, _ = working_therapist()
    carry(client, check())

    response = client.post(_url(therapist), {"start": at(3, 3).isoformat()})

    assert response.status_code == 422
    assert b"Choose a password" not in response.content


def test_a_therapist_not_taking_new_patients_says_so(client):
    therapist, _, _ = working_therapist()
    therapist.accepting_new_patients = False
    therapist.save()
    carry(client, check())

    response = client.get(_url(therapist))

    assert response.status_code == 403
    assert b"is not taking new patients" in response.content


def test_an_unknown_therapist_or_session_is_404(client):
    therapist, _, _ = working_therapist()
    carry(client, check())

    assert client.get(reverse("scheduling:new_patient", args=[999999])).status_code == 404
    assert client.get(_url(therapist), {"service": "x"}).status_code == 404


@pytest.mark.parametrize("role", ["patient", "therapist"])
def test_someone_signed_in_is_sent_to_the_ordinary_booking_page(client, roles, role):
    therapist, session, _ = working_therapist()
    client.force_login(roles[role])

    response = client.get(_url(therapist), {"service": session.pk})

    assert response.status_code == 302
    assert response["Location"] == (
        reverse("scheduling:book", args=[therapist.pk]) + f"?service={session.pk}"
    )


def test_accounts_made_by_booking_first_are_limited_per_address(client, settings):
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "new_patient": "1/h"}
    therapist, _, _ = working_therapist()
    state = check()
    carry(client, state)

    first = _book(client, therapist, state, email="bad")
    second = _book(client, therapist, state)

    assert first.status_code == 422
    assert second.status_code == 429
    assert second["Retry-After"]
    page = second.content.decode()
    assert re.search(r"Please try again in \d+ minutes?, or sign in", page)
    assert "guessing passwords" not in page
    assert nothing_stored()


def test_a_password_past_128_characters_is_refused_before_it_is_hashed(client):
    therapist, _, _ = working_therapist()
    state = check()
    carry(client, state)

    response = _book(client, therapist, state, password="x" * 129)

    assert response.status_code == 422
    assert nothing_stored()


# --- Before the session: the confirmation, the reminder and the dashboard ask for the rest --


def _booked_first(django_capture_on_commit_callbacks: Any) -> Appointment:
    therapist, _, _ = working_therapist(first_name="Ada", last_name="Byrne")
    with django_capture_on_commit_callbacks(execute=True):
        return book_as_new_patient(
            account=account(), check=check(), therapist_id=therapist.pk, start=at(3, 10)
        )


def test_the_booking_confirmation_says_what_is_missing(smtp, django_capture_on_commit_callbacks):
    _booked_first(django_capture_on_commit_callbacks)

    (message,) = smtp.to("ines@example.org")
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Your intake is not finished" in body
    assert "- where it hurts (the body map)" in body
    assert reverse("intake:finish") in body


def test_the_reminder_asks_to_finish_the_intake_only_while_it_is_missing(
    smtp, django_capture_on_commit_callbacks
):
    from sciaticare.intake import services as intake_services
    from sciaticare.scheduling import notifications

    appointment = _booked_first(django_capture_on_commit_callbacks)
    smtp.messages.clear()

    notifications.send_reminder.call(appointment.pk, appointment.start.isoformat())
    (reminder,) = smtp.to("ines@example.org")
    assert "Please finish" not in reminder["Subject"]
    assert reverse("intake:finish") in reminder.get_body(preferencelist=("plain",)).get_content()
    message = notifications.reminder_message(appointment)
    assert message.text.endswith("Please finish your intake before then:")
    assert message.url.endswith(reverse("intake:finish"))

    intake_services.add_intake_details(
        patient=appointment.patient,
        details=intake_services.IntakeDetails(back_pain=(3, 3, 4), leg_pain=(5, 4, 6)),
    )
    message = notifications.reminder_message(appointment)
    assert "finish" not in message.body
    assert message.url.endswith(reverse("scheduling:appointment", args=[appointment.pk]))


def test_the_dashboard_says_what_is_missing(client, django_capture_on_commit_callbacks):
    appointment = _booked_first(django_capture_on_commit_callbacks)
    client.force_login(appointment.patient)

    page = client.get(reverse("web:dashboard")).content.decode()

    assert "Your intake is not finished. Before your session, please add:" in page
    assert "what makes it worse or better" in page
    assert f'href="{reverse("intake:finish")}"' in page


def test_nothing_of_the_check_is_stored_by_the_pages_before_booking(client):
    """The book-first pages short of booking (the times, the form, a form refused) write no
    row of any table: the check's answers stay in the browser until the person books."""
    from django.apps import apps

    therapist, _, _ = working_therapist()
    state = check(yes=("pregnant",))
    carry(client, state)

    def counts() -> dict[str, int]:
        return {model._meta.label: model.objects.count() for model in apps.get_models()}

    before = counts()
    client.get(_url(therapist))
    client.post(_url(therapist), {"start": at(3, 10).isoformat()})
    _book(client, therapist, state, check_confirmed="")  # not confirmed: refused
    _book(client, therapist, state, password="short")  # refused

    assert counts() == before


def test_a_clinic_that_takes_a_deposit_holds_the_time_and_sends_the_new_patient_to_pay(
    client, stripe_server
):
    from tests.billing.factories import deposit_therapist

    therapist, _, _ = deposit_therapist()
    state = check()
    carry(client, state)

    form = client.post(_url(therapist), {"start": at(3, 10).isoformat()})
    response = _book(client, therapist, state)

    assert b"Book and pay the \xc2\xa310.00 deposit" in form.content
    appointment = Appointment.objects.get()
    assert appointment.status == AppointmentStatus.HELD
    assert response.status_code == 302
    assert response["Location"] != reverse("scheduling:appointment", args=[appointment.pk])
    assert client.session["_auth_user_id"] == str(appointment.patient_id)
    assert client.get(response["Location"]).status_code == 200
