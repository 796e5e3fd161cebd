"""The one-tap red-flag re-check (issue 20, point 1): every question on one screen, "None of
these apply — nothing has changed" in one tap, any "yes" to a new intake whose level the
triage engine decides; an intake over four weeks old is filled in again instead, on the page,
the service and the API alike."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sciaticare.core.errors import Refused
from sciaticare.intake import recheck
from sciaticare.intake import services as intake_services
from sciaticare.intake.models import Intake, RedFlagRecheck
from sciaticare.intake.triage.levels import Level
from sciaticare.intake.triage.reasons import REASONS
from sciaticare.scheduling.models import Appointment
from sciaticare.scheduling.services import booking
from tests.factories import PatientFactory, TherapistFactory
from tests.intake.factories import make_intake
from tests.scheduling.helpers import at, bookable_patient, working_therapist

pytestmark = pytest.mark.django_db

RECHECK = reverse("intake:recheck")


def _age(patient, age: timedelta) -> Intake:
    intake = Intake.objects.filter(patient=patient).first()
    Intake.objects.filter(pk=intake.pk).update(created_at=timezone.now() - age)
    intake.refresh_from_db()
    return intake


@pytest.fixture
def therapist():
    return working_therapist(first_name="Rosa", last_name="Lindqvist")[0]


def _book(patient, therapist):
    return booking.book_appointment(patient=patient, therapist_id=therapist.pk, start=at(2, 10))


# --- the screen -------------------------------------------------------------------------------


def test_every_question_is_on_one_screen_each_with_its_own_box_and_one_button_for_none(client):
    patient = bookable_patient()
    _age(patient, timedelta(weeks=3))
    client.force_login(patient)

    body = client.get(RECHECK, {"next": "/flare-up/"}).content.decode()

    form = body[body.index('<form method="post" id="recheck"') :]
    form = form[: form.index("</form>")]
    boxes = re.findall(r'<input type="checkbox" id="yes-(\w+)" name="yes" value="(\w+)">', form)
    assert [code for code, _ in boxes] == [q.code for q in recheck.QUESTIONS_ASKED]
    assert all(box_id == value for box_id, value in boxes)
    for question in recheck.QUESTIONS_ASKED:
        assert f'<label for="yes-{question.code}"' in form
    assert form.count('value="none"') == 1
    assert "None of these apply — nothing has changed" in form
    assert 'href="/intake/new/?episode=new"' in body  # a new episode: the whole intake


def test_one_tap_answers_every_question_no_and_goes_on(client):
    patient = bookable_patient()
    intake = _age(patient, timedelta(weeks=3))
    client.force_login(patient)

    done = client.post(RECHECK, {"answer": "none", "next": "/flare-up/"})

    assert done.status_code == 302
    assert done["Location"] == "/flare-up/"
    check = RedFlagRecheck.objects.get()
    assert check.answers == dict.fromkeys(recheck.CODES, False)
    assert check.intake == intake
    assert check.result is None
    assert Intake.objects.filter(patient=patient).count() == 1


@pytest.mark.parametrize("question", recheck.QUESTIONS_ASKED, ids=lambda q: q.code)
def test_any_yes_is_a_new_intake_whose_level_the_engine_decides(client, therapist, question):
    patient = bookable_patient()
    _age(patient, timedelta(weeks=3))
    client.force_login(patient)

    done = client.post(RECHECK, {"answer": "some", "yes": [question.code], "next": "/flare-up/"})

    latest = Intake.objects.filter(patient=patient).first()
    assert done["Location"] == reverse("intake:detail", args=[latest.pk])
    assert latest.triage_level == REASONS[question.code].level.code
    assert question.code in latest.triage_reasons
    page = client.get(done["Location"]).content.decode()
    if latest.level == Level.EMERGENCY:
        assert page.index('id="emergency"') < page.index("<h1")
        assert "Go to an emergency department now" in page
    else:
        assert page.index('id="urgent"') < page.index("<h1")
        assert "See a doctor today" in page
    assert "update the rest of your intake" in page
    with pytest.raises(Refused):
        _book(patient, therapist)


@pytest.mark.parametrize(
    ("yes", "cleared"),
    [
        ({"saddle_numbness": True}, False),
        ({"fever": True}, False),
        ({"cancer_history": True}, False),
    ],
)
def test_nothing_new_on_an_intake_that_holds_massage_off_never_says_you_can_book(
    client, yes, cleared
):
    # Found from outside: "None of these" after a "yes" that made the intake an emergency.
    patient = PatientFactory()
    intake = make_intake(patient, yes=yes)
    _age(patient, timedelta(days=2))
    client.force_login(patient)

    done = client.post(RECHECK, {"answer": "none", "next": "/flare-up/"}, follow=True)

    page = done.content.decode()
    assert done.redirect_chain[-1][0] == reverse("intake:detail", args=[intake.pk])
    assert "you can book" not in page
    assert "still say to get medical advice before massage" in page


def test_a_yes_meets_the_old_answers_and_the_engine_finds_the_combination(client):
    """Cancer in the past (a `soon` intake, cleared by a doctor) and a new foot drop on the
    re-check: possible spinal cord compression, an emergency, not the foot drop's `urgent`."""
    patient = PatientFactory()
    intake = make_intake(patient, yes={"cancer_history": True})
    intake_services.confirm_doctor_clearance(patient=patient, intake_id=intake.pk)
    _age(patient, timedelta(weeks=2))
    client.force_login(patient)

    client.post(RECHECK, {"answer": "some", "yes": ["foot_drop"]})

    latest = Intake.objects.filter(patient=patient).first()
    assert latest.triage_level == "emergency"
    assert "possible_spinal_cord_compression" in latest.triage_reasons


# --- four weeks -------------------------------------------------------------------------------


def test_over_four_weeks_the_recheck_page_sends_to_the_whole_intake(client):
    patient = bookable_patient()
    _age(patient, timedelta(weeks=4, minutes=1))
    client.force_login(patient)

    answer = client.get(RECHECK, {"next": "/flare-up/"})

    assert answer.status_code == 302
    assert answer["Location"] == reverse("intake:form")
    assert "more than four weeks old" in client.get(answer["Location"]).content.decode()


def test_over_four_weeks_none_of_these_is_refused_but_a_yes_is_kept(client):
    """A page left open across the four weeks: "none" vouches for nothing, a "yes" counts."""
    patient = bookable_patient()
    _age(patient, timedelta(weeks=5))
    client.force_login(patient)

    none = client.post(RECHECK, {"answer": "none", "next": "/flare-up/"})
    assert none["Location"] == reverse("intake:form")
    assert not RedFlagRecheck.objects.exists()

    yes = client.post(RECHECK, {"answer": "some", "yes": ["bladder_change"]})
    latest = Intake.objects.filter(patient=patient).first()
    assert yes["Location"] == reverse("intake:detail", args=[latest.pk])
    assert latest.triage_level == "emergency"


def test_the_service_refuses_none_of_these_on_an_old_intake():
    patient = bookable_patient()
    _age(patient, timedelta(days=29))

    with pytest.raises(Refused) as refused:
        intake_services.recheck_red_flags(patient=patient, yes=[])

    assert refused.value.code == "intake_out_of_date"
    assert not RedFlagRecheck.objects.exists()


def test_booking_on_an_old_intake_needs_the_whole_intake_whatever_the_rechecks(therapist):
    patient = bookable_patient()
    _age(patient, timedelta(weeks=3, days=6))
    intake_services.recheck_red_flags(patient=patient, yes=[])
    _age(patient, timedelta(weeks=4, hours=1))  # the re-check was an hour ago

    with pytest.raises(Refused) as refused:
        _book(patient, therapist)
    assert refused.value.code == "intake_out_of_date"
    assert not Appointment.objects.exists()

    make_intake(patient)  # filled in again: a new revision of the open episode
    assert _book(patient, therapist).patient == patient


def test_under_four_weeks_a_recheck_opens_booking(therapist):
    patient = bookable_patient()
    _age(patient, timedelta(weeks=4) - timedelta(hours=1))
    intake_services.recheck_red_flags(patient=patient, yes=[])

    assert _book(patient, therapist).patient == patient


def test_the_api_says_intake_out_of_date_for_booking_and_for_none_of_these(client, therapist):
    patient = bookable_patient()
    _age(patient, timedelta(days=30))
    client.force_login(patient)

    booked = client.post(
        "/api/v1/appointments",
        json.dumps({"therapist": therapist.pk, "start": at(2, 10).isoformat()}),
        content_type="application/json",
    )
    rechecked = client.post(
        "/api/v1/intake/recheck", json.dumps({"yes": []}), content_type="application/json"
    )

    assert (booked.status_code, booked.json()["code"]) == (403, "intake_out_of_date")
    assert (rechecked.status_code, rechecked.json()["code"]) == (403, "intake_out_of_date")


def test_the_api_document_names_the_refusal():
    from sciaticare.api import api

    paths = api.get_openapi_schema()["paths"]
    assert "intake_out_of_date" in paths["/api/v1/appointments"]["post"]["description"]
    assert "intake_out_of_date" in paths["/api/v1/intake/recheck"]["post"]["description"]


# --- who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("therapist", 403), ("patient_without_intake", 302), ("patient", 200)],
)
def test_who_may_open_the_recheck(client, who, status):
    person = {
        "anonymous": None,
        "therapist": TherapistFactory(),
        "patient_without_intake": PatientFactory(),
        "patient": bookable_patient(),
    }[who]
    if person is not None:
        client.force_login(person)

    answer = client.get(RECHECK)

    assert answer.status_code == status
    if who == "anonymous":
        assert answer["Location"].startswith(reverse("account_login"))
    if who == "patient_without_intake":
        assert answer["Location"] == reverse("intake:form")


@pytest.mark.parametrize("who", ["anonymous", "therapist"])
def test_nobody_but_a_patient_records_a_recheck(client, who):
    if who == "therapist":
        client.force_login(TherapistFactory())

    answer = client.post(RECHECK, {"answer": "none"})

    assert answer.status_code in (302, 403)
    assert not RedFlagRecheck.objects.exists()
