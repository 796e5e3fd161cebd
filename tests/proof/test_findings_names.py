"""Finding 11 of issue 13: a first name with CR/LF was accepted and broke the therapist's
cancellation mail (its subject carries the name). Names refuse control characters wherever a
person types one, and mail subjects are made one line whatever they carry."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sciaticare.accounts.models import User
from sciaticare.scheduling.services import booking, changes
from tests.directory.factories import ClinicFactory, LocationFactory
from tests.factories import PatientFactory
from tests.scheduling.helpers import at, bookable_patient, working_therapist

pytestmark = pytest.mark.django_db

BROKEN = ["Ana\r\nBcc: all@example.org", "Ana\nLima", "Ana\tLima", "Ana\x00", "Ana\u2028Lima"]
PASSWORD = "calf-stretch-every-day"


@pytest.mark.parametrize("name", BROKEN, ids=["crlf", "lf", "tab", "nul", "line-separator"])
@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_sign_up_refuses_a_name_with_control_characters(client, name, field):
    fields = {"first_name": "Ana", "last_name": "Lima", field: name}

    response = client.post(
        reverse("account_signup"),
        {"email": "ana@example.org", "password1": PASSWORD, "password2": PASSWORD, **fields},
    )

    assert response.status_code == 200
    assert "cannot contain line breaks" in response.content.decode()
    assert not User.objects.filter(email="ana@example.org").exists()


def test_names_with_accents_apostrophes_and_hyphens_are_welcome(client):
    client.post(
        reverse("account_signup"),
        {
            "email": "siobhan@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "first_name": "Siobhán-Zoë",
            "last_name": "O'Brien Øster",
        },
    )

    assert User.objects.get(email="siobhan@example.org").last_name == "O'Brien Øster"


@pytest.mark.parametrize(
    "make",
    [
        lambda: PatientFactory.build(first_name="Ana\r\nLima"),
        lambda: ClinicFactory.build(name="North\r\nClinic"),
        lambda: LocationFactory.build(name="Didsbury\n"),
    ],
    ids=["person", "clinic", "location"],
)
def test_every_stored_name_refuses_control_characters(make):
    """The models carry the rule, so the admin's forms (and any other model form) apply it."""
    with pytest.raises(ValidationError, match="line breaks"):
        make().clean_fields(exclude=["password", "clinic", "email"])


def test_a_session_type_name_refuses_control_characters():
    from sciaticare.directory.forms import SessionTypeForm

    form = SessionTypeForm(
        {"name": "Deep\r\ntissue", "minutes": 60, "price": "50", "currency": "GBP"}
    )

    assert not form.is_valid()
    assert "line breaks" in str(form.errors["name"])


def test_the_admin_refuses_a_name_with_a_line_break(client, site_admin):
    person = PatientFactory()
    client.force_login(site_admin)

    response = client.post(
        reverse("admin:accounts_user_change", args=[person.pk]),
        {
            "email": person.email,
            "first_name": "Ana\r\nLima",
            "last_name": "",
            "is_patient": "on",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )

    assert response.status_code == 200
    assert "line breaks" in response.content.decode()
    person.refresh_from_db()
    assert "\n" not in person.first_name


def test_a_name_stored_with_a_line_break_still_gets_the_therapist_their_cancellation_mail(
    smtp, django_capture_on_commit_callbacks
):
    """A name saved before the rule (or by a path that skips forms) cannot break a mail."""
    therapist, _, _ = working_therapist(first_name="Ada", last_name="Byrne")
    patient = bookable_patient(first_name="Rowena", last_name="Quill")
    with django_capture_on_commit_callbacks(execute=True):
        appointment = booking.book_appointment(
            patient=patient, therapist_id=therapist.pk, start=at(3, 10)
        )
    User.objects.filter(pk=patient.pk).update(first_name="Rowena\r\nBcc: all@example.org")
    smtp.messages.clear()

    with django_capture_on_commit_callbacks(execute=True):
        changes.cancel_appointment(user=patient, appointment_id=appointment.pk)

    (to_therapist,) = smtp.to(therapist.user.email)
    subject = " ".join(str(to_therapist["Subject"]).split())  # a long header comes folded
    assert subject.startswith("Cancelled: session with Rowena Bcc: all@example.org on ")
    assert to_therapist["Bcc"] is None
    assert all("all@example.org" not in recipients for recipients, _ in smtp.messages)


def test_one_line_makes_each_run_of_control_characters_one_space():
    from sciaticare.core.names import one_line

    assert one_line("Rowena\r\n\tQuill\u2028 x") == "Rowena Quill x"
