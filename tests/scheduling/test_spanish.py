"""Scheduling in Spanish (docs/i18n.md): mail and its calendar file in each recipient's own
language, whatever language the booking was made in; a Spanish-speaking person's booking pages,
appointment history, refusals and form errors in Spanish, with Spanish days and money; the
calendar feed in its owner's language."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from sciaticare.scheduling import history
from sciaticare.scheduling.models import AppointmentChange, AppointmentStatus
from sciaticare.scheduling.services import booking, calendar_feeds, changes
from tests.factories import AppointmentFactory
from tests.intake.factories import make_intake
from tests.scheduling.helpers import at, bookable_patient, working_therapist

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    therapist, session, location = working_therapist(first_name="Ada", last_name="Byrne")
    patient = bookable_patient(first_name="Rowena", last_name="Quill", language="es")
    return {"therapist": therapist, "session": session, "location": location, "patient": patient}


def _book(world, start, capture):
    with capture(execute=True):
        return booking.book_appointment(
            patient=world["patient"], therapist_id=world["therapist"].pk, start=start
        )


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _event(message):
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_content()).events


def _spanish_day(moment: datetime, style: str) -> str:
    from sciaticare.core.display import day

    with translation.override("es"):
        return day(moment, style)


def _text(response) -> str:
    return unescape(response.content.decode())


def test_each_party_gets_the_booking_mail_in_their_own_language(
    world, smtp, django_capture_on_commit_callbacks
):
    start = at(3, 10)

    # Booked in an English request: the Spanish patient still reads Spanish.
    with translation.override("en"):
        _book(world, start, django_capture_on_commit_callbacks)

    (to_patient,) = smtp.to(world["patient"].email)
    assert to_patient["Subject"] == (
        f"Reservado: masaje con Ada Byrne el {_spanish_day(start, 'weekday')}, 10:00"
    )
    body = _body(to_patient)
    assert body.startswith("Hola, Rowena:")
    assert "Su masaje con Ada Byrne está reservado." in body
    assert f"Cuándo: {_spanish_day(start, 'full')}, 10:00–11:00 (hora de Europe/London, " in body
    assert "Hágalo al menos 24 horas antes del inicio" in body
    assert "Por su privacidad, nunca incluimos datos de salud en el correo electrónico." in body
    (event,) = _event(to_patient)
    assert str(event["SUMMARY"]) == "Masaje con Ada Byrne"
    assert "Para cancelarla o cambiarla de hora:" in str(event["DESCRIPTION"])
    # The therapist's account is in English: their mail and calendar entry are English.
    (to_therapist,) = smtp.to(world["therapist"].user.email)
    assert to_therapist["Subject"].startswith("New booking: Rowena on ")
    assert "Rowena booked a session with you." in _body(to_therapist)
    assert str(_event(to_therapist)[0]["SUMMARY"]) == "Session with Rowena"


def test_a_late_cancellation_and_a_move_are_told_in_spanish(
    world, smtp, django_capture_on_commit_callbacks
):
    therapist_user = world["therapist"].user
    therapist_user.language = "es"
    therapist_user.save(update_fields=["language"])
    appointment = _book(world, at(3, 10), django_capture_on_commit_callbacks)
    moved_to = at(4, 14)
    with django_capture_on_commit_callbacks(execute=True):
        moved = changes.reschedule_appointment(
            user=world["patient"], appointment_id=appointment.pk, new_start=moved_to
        )
    smtp.messages.clear()

    with django_capture_on_commit_callbacks(execute=True):
        changes.cancel_appointment(
            user=world["patient"], appointment_id=moved.pk, now=moved.start - timedelta(hours=3)
        )

    (to_patient,) = smtp.to(world["patient"].email)
    assert to_patient["Subject"].startswith("Cancelado: masaje con Ada Byrne el ")
    body = _body(to_patient)
    assert "Su masaje con Ada Byrne está cancelado, como pidió." in body
    assert "Se canceló menos de 24 horas antes del inicio" in body
    assert str(_event(to_patient)[0]["SUMMARY"]) == "Masaje con Ada Byrne"
    assert str(_event(to_patient)[0]["DESCRIPTION"]).startswith("Cancelada. ")
    (to_therapist,) = smtp.to(therapist_user.email)
    assert to_therapist["Subject"].startswith("Cancelada: sesión con Rowena el ")
    assert "Su sesión con Rowena está cancelada por su cliente." in _body(to_therapist)


def test_a_move_is_told_in_spanish_with_both_times(world, smtp, django_capture_on_commit_callbacks):
    appointment = _book(world, at(3, 10), django_capture_on_commit_callbacks)
    smtp.messages.clear()

    with django_capture_on_commit_callbacks(execute=True):
        changes.reschedule_appointment(
            user=world["patient"], appointment_id=appointment.pk, new_start=at(4, 14)
        )

    (message,) = smtp.to(world["patient"].email)
    assert message["Subject"].startswith("Cambio de hora: masaje con Ada Byrne, ahora el ")
    body = _body(message)
    assert f"Nueva hora: {_spanish_day(at(4, 14), 'full')}, 14:00–15:00" in body
    assert f"Antes:      {_spanish_day(at(3, 10), 'full')}, 10:00–11:00" in body


def test_a_spanish_speaking_therapist_is_asked_in_spanish_not_to_treat(
    world, smtp, django_capture_on_commit_callbacks
):
    therapist_user = world["therapist"].user
    therapist_user.language = "es"
    therapist_user.save(update_fields=["language"])
    _book(world, at(3, 10), django_capture_on_commit_callbacks)
    smtp.messages.clear()

    with django_capture_on_commit_callbacks(execute=True):
        make_intake(world["patient"], yes={"fever": True})

    (message,) = smtp.to(therapist_user.email)
    assert message["Subject"] == "Lea el resumen de Rowena antes de su sesión"
    body = _body(message)
    assert "No le trate antes de que le haya visto un médico" in body
    assert "fever" not in body.lower()
    assert "fiebre" not in body.lower()


def test_the_booking_page_is_in_spanish_with_spanish_days_and_money(world, client):
    client.force_login(world["patient"])

    body = _text(client.get(reverse("scheduling:book", args=[world["therapist"].pk])))

    assert f"Reservar con {world['therapist'].user.display_name}" in body
    assert "Las horas se muestran en la hora local de la clínica." in body
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert _spanish_day(tomorrow, "weekday_long") in body
    with translation.override("es"):
        from sciaticare.core.display import money

        price = money(world["session"].price, world["session"].currency)
    assert f"{world['session'].minutes} min · {price}" in body


def test_a_refused_time_and_a_bad_waitlist_form_are_said_in_spanish(world, client):
    client.force_login(world["patient"])

    refused = client.post(
        reverse("scheduling:book", args=[world["therapist"].pk]),
        {"start": "no es una hora", "confirm": "yes"},
    )
    assert refused.status_code == 422
    assert "Elija una de las horas ofrecidas." in _text(refused)

    past = client.post(
        reverse("scheduling:book", args=[world["therapist"].pk]),
        {"start": at(-2, 10).isoformat(), "confirm": "yes"},
    )
    assert "Esa hora ya ha pasado." in _text(past)

    waitlist = client.post(
        f"{reverse('scheduling:waitlist_join')}?therapist={world['therapist'].pk}",
        {"scope": "therapist", "earliest": "2999-02-10", "latest": "2999-02-01"},
    )
    assert waitlist.status_code == 422
    assert "El último día no puede ser anterior al primero." in _text(waitlist)

    nonsense = client.post(
        f"{reverse('scheduling:waitlist_join')}?therapist={world['therapist'].pk}",
        {"scope": "therapist", "earliest": "mañana", "latest": ""},
    )
    body = _text(nonsense)
    assert "Introduzca una fecha válida." in body
    assert "Este campo es obligatorio." in body


def test_the_appointment_page_and_its_history_are_in_spanish(world, client, monkeypatch):
    now = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    appointment = AppointmentFactory(
        patient=world["patient"],
        therapist=world["therapist"],
        location=world["location"],
        session_type=world["session"],
        start=datetime(2026, 12, 12, 10, 0, tzinfo=UTC),
        status=AppointmentStatus.BOOKED,
    )
    AppointmentChange.objects.create(
        appointment=appointment,
        kind="booked",
        by=world["patient"],
        note="moved from Sat 5 Dec 2026, 15:00 GMT",
        at=now,
    )
    AppointmentChange.objects.create(
        appointment=appointment, kind="held_for_deposit", note=history.UNTIL_DEPOSIT_PAID, at=now
    )
    client.force_login(world["patient"])

    body = _text(client.get(reverse("scheduling:appointment", args=[appointment.pk])))

    assert "sábado, 12 de diciembre de 2026, 10:00–11:00 GMT" in body
    assert "Reservada" in body  # the status
    assert "5 dic 2026, 12:00 GMT · reservada por" in body
    assert "cambiada desde el sábado, 5 dic 2026, 15:00 GMT" in body
    assert "reservada mientras se paga el depósito · hasta que se pague el depósito" in body
    assert "moved from" not in body


def test_a_typed_note_is_shown_as_typed_and_service_notes_are_translated():
    typed = "Tengo fiebre"
    with translation.override("es"):
        assert history.note_words(typed) == typed
        assert history.note_words("to Sat 5 Dec 2026, 15:00 GMT") == (
            "al sábado, 5 dic 2026, 15:00 GMT"
        )
        assert history.note_words(history.TRIAGE_CANCEL_REASON).startswith(
            "El cuestionario inicial del cliente"
        )
        assert history.change_words("late_cancelled") == (
            "cancelada tarde, dentro del plazo de cancelación"
        )
    with translation.override("en"):
        assert history.note_words("to Sat 5 Dec 2026, 15:00 GMT") == (
            "to Sat 5 Dec 2026, 15:00 GMT"
        )


def test_the_calendar_feed_is_in_its_owners_language(
    world, client, django_capture_on_commit_callbacks
):
    _book(world, at(3, 10), django_capture_on_commit_callbacks)
    client.force_login(world["patient"])
    page = _text(client.get(reverse("scheduling:calendar")))
    assert "Vea sus sesiones en su propio calendario" in page
    client.logout()

    feed = calendar_feeds.feed_for(owner=world["patient"])
    response = client.get(
        reverse("calendar_feed", kwargs={"secret": feed.secret}), HTTP_ACCEPT_LANGUAGE="en"
    )

    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Sesiones de Sciaticare"
    assert [str(e["SUMMARY"]) for e in calendar.events] == ["Masaje con Ada Byrne"]


def test_the_flare_up_words_and_the_waitlist_dates_are_in_spanish():
    from sciaticare.scheduling.flare_up import later_by

    with translation.override("es"):
        assert later_by(date(2026, 12, 7), date(2026, 12, 5)) == "2 días más tarde"
        assert later_by(date(2026, 12, 6), date(2026, 12, 5)) == "1 día más tarde"
        assert later_by(date(2026, 12, 5), date(2026, 12, 5)) == "más tarde el mismo día"
