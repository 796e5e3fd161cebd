"""The treating therapist's programme page (views/prescribe.py): who may open it, the exercises it
offers (the clinic's choice, enforced by the service even for an id posted by hand), saving
versions with what changed, the service's refusals beside the fields, a stale form, ending with
a confirm step, and the links to it from the session note and the client list."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from sciaticare.audit.models import AuditEvent
from sciaticare.exercises.models import ClinicExercises, ExercisePlan, PlanVersion
from sciaticare.exercises.services.plans import write_plan
from sciaticare.scheduling.models import AppointmentStatus
from tests.exercises.conftest import reps, session

pytestmark = pytest.mark.django_db


def _url(world: dict[str, Any], appointment: Any = None) -> str:
    url = reverse("exercises:prescribe", args=[world["people"]["patient"].pk])
    return f"{url}?appointment={appointment.pk}" if appointment is not None else url


def _login(client: Any, world: dict[str, Any], who: str = "therapist") -> Any:
    person = world["people"][who]
    if person is not None:
        client.force_login(person)
    return client


def _post(world: dict[str, Any], **exercises: dict[str, Any]) -> dict[str, Any]:
    """A filled form: each named exercise ticked with its dose (every day unless ``days``)."""
    ex = world["exercises"]
    data: dict[str, Any] = {
        "exercises": [ex[name].pk for name in exercises],
        "start_date": world["today"].isoformat(),
        "review_date": (world["today"] + timedelta(weeks=4)).isoformat(),
        "note": "Little and often.",
        "based_on": "",
    }
    for name, dose in exercises.items():
        prefix = f"ex{ex[name].pk}"
        values = {"times_per_day": 1, "days": list(range(7)), **dose}
        if not ex[name].timed:
            values = {"repetitions": 10, "sets": 1, **values}
        for field, value in values.items():
            data[f"{prefix}-{field}"] = value
    return data


def _based_on(world: dict[str, Any]) -> str:
    plan = ExercisePlan.objects.get(patient=world["people"]["patient"], ended_at__isnull=True)
    return f"{plan.pk}:{plan.versions.order_by('-number').first().number}"


# --- Who may open it -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("therapist", 200),
        ("other_therapist", 404),
        ("patient", 404),
        ("other_patient", 404),
        ("clinic_admin", 404),
        ("site_admin", 404),
    ],
)
def test_only_the_treating_therapist_opens_the_page(client, world, who, status):
    response = _login(client, world, who).get(_url(world))

    assert response.status_code == status
    body = response.content.decode()
    assert ("Odalys" in body) is (status == 200)


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(_url(world))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["other_therapist", "patient", "clinic_admin"])
def test_nobody_else_can_save_a_programme(client, world, who):
    response = _login(client, world, who).post(_url(world), _post(world, tilt={}))

    assert response.status_code == 404
    assert not ExercisePlan.objects.exists()


def test_a_therapist_who_treated_the_patient_once_and_was_cancelled_on_does_not_treat(
    client, world
):
    other = world["people"]["other_therapist"]
    session(other.therapist_profile, world["people"]["patient"], status=AppointmentStatus.CANCELLED)

    assert _login(client, world, "other_therapist").get(_url(world)).status_code == 404


@pytest.mark.parametrize("appointment", ["abc", "99999999999999999999999", "-1"])
def test_an_appointment_that_is_not_an_id_is_a_404(client, world, appointment):
    response = _login(client, world).get(f"{_url(world)}?appointment={appointment}")

    assert response.status_code == 404


def test_another_therapists_appointment_is_a_404(client, world):
    other = world["people"]["other_therapist"].therapist_profile
    theirs = session(other, world["people"]["patient"], days_ago=2)

    assert _login(client, world).get(_url(world, theirs)).status_code == 404


def test_opening_the_page_is_audited(client, world):
    _login(client, world).get(_url(world))

    assert AuditEvent.objects.filter(
        actor=world["people"]["therapist"],
        patient=world["people"]["patient"],
        action="exercise_plan.list",
    ).exists()


# --- What it offers ---------------------------------------------------------------------------


def _offered(body: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'name="exercises" value="(\d+)"', body)}


def test_it_offers_what_the_clinic_allows_and_nothing_else(client, world):
    ex = world["exercises"]

    body = _login(client, world).get(_url(world)).content.decode()

    offered = _offered(body)
    assert {ex["walk"].pk, ex["tilt"].pk, ex["slider"].pk, ex["own_clinic"].pk} <= offered
    assert ex["other_clinic"].pk not in offered
    assert ex["patients_own"].pk not in offered


def test_a_clinics_choice_narrows_the_list(client, world):
    ex = world["exercises"]
    scope = ClinicExercises.objects.create(clinic=world["clinic"])
    scope.allowed.add(ex["tilt"], ex["own_clinic"])

    body = _login(client, world).get(_url(world)).content.decode()

    assert _offered(body) == {ex["tilt"].pk, ex["own_clinic"].pk}


def test_the_built_in_exercises_come_with_a_drawing_and_a_line_about_them(client, world):
    body = _login(client, world).get(_url(world)).content.decode()

    assert 'class="thumb" src="/static/exercises/drawings/walking.svg"' in body
    assert "Walking" in body


def test_a_new_programme_starts_today_for_four_weeks_every_day(client, world):
    body = _login(client, world).get(_url(world)).content.decode()

    today = world["today"]
    assert f'name="start_date" value="{today.isoformat()}"' in body
    assert f'name="review_date" value="{(today + timedelta(weeks=4)).isoformat()}"' in body
    tilt = world["exercises"]["tilt"].pk
    for day in range(7):
        assert re.search(rf'name="ex{tilt}-days" value="{day}"[^>]*checked', body)
    assert "Save as version 1" in body


# --- Saving versions --------------------------------------------------------------------------


def test_saving_writes_version_one_from_the_session_note(client, world):
    appointment = world["appointment"]
    client = _login(client, world)

    response = client.post(
        _url(world, appointment),
        _post(world, tilt={"repetitions": 12, "sets": 2}, walk={"minutes": 15, "days": [0, 2, 4]}),
    )

    assert response.status_code == 302
    assert response["Location"] == _url(world, appointment)
    version = PlanVersion.objects.get()
    assert (version.number, version.appointment, version.note) == (
        1,
        appointment,
        "Little and often.",
    )
    assert version.plan.therapist == world["people"]["therapist"]
    items = {i.exercise_id: i for i in version.items.all()}
    ex = world["exercises"]
    walk, tilt = items[ex["walk"].pk], items[ex["tilt"].pk]
    assert (tilt.repetitions, tilt.sets, tilt.minutes, tilt.days) == (12, 2, 0, 0b1111111)
    assert (walk.repetitions, walk.minutes, walk.days) == (0, 15, 0b0010101)
    page = client.get(response["Location"]).content.decode()
    assert "Saved: version 1 of the programme" in page
    assert "Version 1, from" in page
    assert "Save as version 2" in page


def test_the_form_comes_back_filled_from_the_current_version_and_saves_the_next(client, world):
    client = _login(client, world)
    ex = world["exercises"]
    client.post(_url(world), _post(world, tilt={"repetitions": 10}, walk={"minutes": 15}))

    page = client.get(_url(world)).content.decode()
    assert _checked(page) == {ex["tilt"].pk, ex["walk"].pk}
    assert f'name="ex{ex["tilt"].pk}-repetitions" value="10"' in page
    assert f'name="ex{ex["walk"].pk}-minutes" value="15"' in page
    assert "Little and often.</textarea>" in page

    data = _post(world, tilt={"repetitions": 12}, slider={"repetitions": 8, "days": [0, 3]})
    data["based_on"] = _based_on(world)
    data["note"] = "More tilts."
    response = client.post(_url(world), data)

    assert response.status_code == 302
    plan = ExercisePlan.objects.get()
    assert list(plan.versions.order_by("number").values_list("number", flat=True)) == [1, 2]
    page = client.get(_url(world)).content.decode()
    history = page[page.index('id="versions-title"') :]
    version_two = history[history.index('id="version-2"') : history.index('id="version-1"')]
    assert "Changes:" in version_two
    assert "took out T walk" in version_two
    assert "added T slider: 8 repetitions, once a day; Monday, Thursday" in version_two
    assert "T pelvic tilt: 10 repetitions, once a day → 12 repetitions, once a day" in version_two
    assert "a new note to the client" in version_two
    assert "Changes:" not in history[history.index('id="version-1"') :]


def _checked(body: str) -> set[int]:
    return {
        int(pk) for pk in re.findall(r'name="exercises" value="(\d+)" id="ex\d+" checked', body)
    }


def test_only_the_therapists_own_programme_fills_the_form(client, world):
    """Another therapist's programme for the same patient is theirs: this one starts anew."""
    other = world["people"]["other_therapist"]
    session(other.therapist_profile, world["people"]["patient"], days_ago=3)
    write_plan(
        therapist=other,
        patient=world["people"]["patient"],
        items=[reps(world["exercises"]["tilt"].pk)],
        start_date=world["today"],
        review_date=None,
    )

    page = _login(client, world).get(_url(world)).content.decode()

    assert _checked(page) == set()
    assert "Save as version 1" in page


# --- Refusals ---------------------------------------------------------------------------------


def test_an_exercise_the_clinic_does_not_allow_is_refused_even_when_posted_by_hand(client, world):
    ex = world["exercises"]
    data = _post(world, tilt={})
    data["exercises"].append(ex["other_clinic"].pk)
    data[f"ex{ex['other_clinic'].pk}-repetitions"] = 10
    data[f"ex{ex['other_clinic'].pk}-sets"] = 1
    data[f"ex{ex['other_clinic'].pk}-times_per_day"] = 1
    data[f"ex{ex['other_clinic'].pk}-days"] = list(range(7))

    response = _login(client, world).post(_url(world), data)

    # Another clinic's exercise does not exist for this therapist: refused, and never named.
    assert response.status_code in (400, 422)
    body = response.content.decode()
    assert "The programme was not saved." in body
    assert "T other bridge" not in body
    assert not ExercisePlan.objects.exists()


def test_an_exercise_the_clinic_took_off_its_list_is_refused(client, world):
    ex = world["exercises"]
    scope = ClinicExercises.objects.create(clinic=world["clinic"])
    scope.allowed.add(ex["tilt"])

    response = _login(client, world).post(_url(world), _post(world, tilt={}, slider={}))

    assert response.status_code == 403
    assert "recommend: T slider." in response.content.decode()
    assert not ExercisePlan.objects.exists()


def test_an_exercise_taken_off_the_list_stays_in_the_programme_until_unticked(client, world):
    """Outside test finding: the clinic unticked an exercise a client had; the next version,
    which changed only another dose, silently took it out."""
    ex = world["exercises"]
    client = _login(client, world)
    client.post(_url(world), _post(world, tilt={}, slider={}))
    scope = ClinicExercises.objects.create(clinic=world["clinic"])
    scope.allowed.add(ex["tilt"])

    page = client.get(_url(world)).content.decode()
    assert _checked(page) == {ex["tilt"].pk, ex["slider"].pk}
    assert "No longer on your clinic's list" in page

    data = _post(world, tilt={"repetitions": 12}, slider={})
    data["based_on"] = _based_on(world)
    assert client.post(_url(world), data).status_code == 302
    newest = PlanVersion.objects.order_by("-number").first()
    assert set(newest.items.values_list("exercise_id", flat=True)) == {
        ex["tilt"].pk,
        ex["slider"].pk,
    }


def _error_beside(body: str, field: str) -> str:
    """The error text in the field's own paragraph."""
    start = body.index(f'name="{field}"')
    paragraph = body[body.rindex("<p", 0, start) : body.index("</p>", start)]
    return " ".join(re.findall(r'class="field-error">([^<]*)<', paragraph))


def test_the_services_refusals_are_said_beside_their_fields(client, world):
    data = _post(world, tilt={})
    data["review_date"] = (world["today"] - timedelta(days=1)).isoformat()

    response = _login(client, world).post(_url(world), data)

    assert response.status_code == 422
    body = response.content.decode()
    assert _error_beside(body, "review_date") == "must be on or after the start date"
    assert not ExercisePlan.objects.exists()


def test_a_date_out_of_range_is_said_beside_it(client, world):
    data = _post(world, tilt={})
    data["start_date"], data["review_date"] = "2200-01-01", ""

    response = _login(client, world).post(_url(world), data)

    assert response.status_code == 422
    assert "years 2000 to 2100" in _error_beside(response.content.decode(), "start_date")


def test_a_new_version_may_not_start_before_the_one_it_follows(client, world):
    client = _login(client, world)
    later = world["today"] + timedelta(days=7)
    first = _post(world, tilt={})
    first["start_date"] = later.isoformat()
    client.post(_url(world), first)
    data = _post(world, tilt={"repetitions": 12})
    data["based_on"] = _based_on(world)

    response = client.post(_url(world), data)

    assert response.status_code == 422
    assert f"must be on or after {later.isoformat()}" in _error_beside(
        response.content.decode(), "start_date"
    )
    assert PlanVersion.objects.count() == 1


def test_a_ticked_exercise_without_days_or_dose_is_said_beside_its_fields(client, world):
    tilt = world["exercises"]["tilt"].pk
    data = _post(world, tilt={"days": [], "repetitions": ""})

    response = _login(client, world).post(_url(world), data)

    assert response.status_code == 422
    body = response.content.decode()
    assert _error_beside(body, f"ex{tilt}-repetitions") == "Give the repetitions."
    days = body[body.index(f'name="ex{tilt}-days"') :]
    assert "Choose at least one day." in days[: days.index("</fieldset>")]
    assert "Little and often.</textarea>" in body  # what was typed stays


def test_an_unticked_exercise_is_not_judged(client, world):
    slider = world["exercises"]["slider"].pk
    data = _post(world, tilt={})
    data[f"ex{slider}-repetitions"] = "5000"  # typed, then unticked

    response = _login(client, world).post(_url(world), data)

    assert response.status_code == 302
    assert PlanVersion.objects.get().items.count() == 1


def test_nothing_ticked_is_said(client, world):
    response = _login(client, world).post(_url(world), _post(world))

    assert response.status_code == 422
    assert "give from 1 to 12 exercises" in response.content.decode()


def test_a_form_filled_before_someone_else_saved_is_shown_again_not_saved(client, world):
    client = _login(client, world)
    client.post(_url(world), _post(world, tilt={}))
    stale = _post(world, tilt={"repetitions": 20})
    stale["based_on"] = _based_on(world)
    client.post(
        _url(world), {**_post(world, tilt={"repetitions": 15}), "based_on": stale["based_on"]}
    )

    response = client.post(_url(world), stale)

    assert response.status_code == 409
    body = response.content.decode()
    assert "it is now version 2" in body
    assert 'name="based_on" value="' + _based_on(world) + '"' in body
    tilt = world["exercises"]["tilt"].pk
    assert f'name="ex{tilt}-repetitions" value="20"' in body  # what was typed stays
    assert PlanVersion.objects.count() == 2
    assert client.post(_url(world), {**stale, "based_on": _based_on(world)}).status_code == 302
    assert PlanVersion.objects.count() == 3


# --- Ending -----------------------------------------------------------------------------------


def test_ending_asks_first_then_ends(client, world):
    client = _login(client, world)
    client.post(_url(world), _post(world, tilt={}))
    plan = ExercisePlan.objects.get()
    end = reverse("exercises:end_programme", args=[plan.pk])
    assert end in client.get(_url(world)).content.decode()

    asked = client.get(end)
    assert asked.status_code == 200
    assert "End the home exercise programme of Odalys Fenwick?" in asked.content.decode()
    assert client.post(end).status_code == 302  # without the confirmation: nothing happens
    plan.refresh_from_db()
    assert plan.ended_at is None

    response = client.post(end, {"confirm": "yes"})

    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.ended_at is not None
    page = client.get(_url(world)).content.decode()
    assert "The programme has ended." in page
    assert "Save as version 1" in page  # a new programme from here


@pytest.mark.parametrize("who", ["other_therapist", "patient", "clinic_admin", "anonymous"])
def test_nobody_else_may_end_it(client, world, who):
    version = write_plan(
        therapist=world["people"]["therapist"],
        patient=world["people"]["patient"],
        items=[reps(world["exercises"]["tilt"].pk)],
        start_date=world["today"],
        review_date=None,
    )
    end = reverse("exercises:end_programme", args=[version.plan_id])
    client = _login(client, world, who)

    assert client.get(end).status_code in (302, 404)
    assert client.post(end, {"confirm": "yes"}).status_code in (302, 404)
    version.plan.refresh_from_db()
    assert version.plan.ended_at is None


# --- Where it is linked from ------------------------------------------------------------------


def test_the_note_editor_saves_the_draft_then_opens_the_programme_for_its_session(client, world):
    appointment = world["appointment"]
    link = _url(world, appointment)
    note = reverse("records:note", args=[appointment.pk])
    therapist = _login(client, world)

    body = therapist.get(note).content.decode()
    assert 'name="then" value="programme" data-programme>Save the draft and open' in body

    answer = therapist.post(
        reverse("records:autosave", args=[appointment.pk]),
        {"adverse_event": "none", "then": "programme"},
    )
    assert answer.status_code == 302
    assert answer.url == link


def test_a_signed_note_links_it_too(client, world):
    from sciaticare.records import services as records

    appointment = world["appointment"]
    therapist = world["people"]["therapist"]
    records.start_note(therapist_user=therapist, appointment_id=appointment.pk)
    records.sign_note(therapist_user=therapist, appointment_id=appointment.pk)

    body = _login(client, world).get(reverse("records:note", args=[appointment.pk])).content
    assert b"data-programme>Home exercise programme" in body


def test_a_cancelled_sessions_note_and_the_patients_summary_do_not_link_it(client, world):
    cancelled = session(
        world["therapist_profile"], world["people"]["patient"], status=AppointmentStatus.CANCELLED
    )
    therapist = _login(client, world)
    body = therapist.get(reverse("records:note", args=[cancelled.pk])).content
    assert b"data-programme" not in body


def test_the_client_list_links_each_treated_clients_programme(client, world):
    body = _login(client, world).get(reverse("intake:clients")).content.decode()

    assert f'href="{_url(world)}">home exercises' in body


def test_the_page_speaks_spanish(client, world):
    person = world["people"]["therapist"]
    person.language = "es"
    person.save(update_fields=["language"])
    with translation.override("es"):
        body = _login(client, world).get(_url(world), HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Programa de ejercicios en casa" in body
    assert "Guardar como versión 1" in body
    assert "Caminar" in body  # the library's words, in the reader's language


def test_a_wrong_date_keeps_the_ticks_and_doses_typed(client, world):
    tilt = world["exercises"]["tilt"].pk
    data = _post(world, tilt={"repetitions": 14})
    data["start_date"] = ""

    response = _login(client, world).post(_url(world), data)

    assert response.status_code == 422
    body = response.content.decode()
    assert _checked(body) == {tilt}
    assert f'name="ex{tilt}-repetitions" value="14"' in body
    assert _error_beside(body, "start_date") == "This field is required."


# --- An overdue review is said ----------------------------------------------------------------


def test_a_passed_review_day_is_said_on_the_therapists_page_and_the_patients(client, world, clock):
    write_plan(
        therapist=world["people"]["therapist"],
        patient=world["people"]["patient"],
        items=[reps(world["exercises"]["tilt"].pk)],
        start_date=world["today"],
        review_date=world["today"] + timedelta(days=7),
    )
    patients_page = reverse("exercises:my_programme")
    assert "Review was due on" not in _login(client, world).get(_url(world)).content.decode()
    mine = _login(client, world, "patient").get(patients_page).content.decode()
    assert "Review on 21 Jul 2026." in mine
    assert "planned to review" not in mine

    clock.at += timedelta(days=8)

    page = _login(client, world).get(_url(world)).content.decode()
    assert "<strong>Review was due on 21 Jul 2026.</strong>" in page
    mine = _login(client, world, "patient").get(patients_page).content.decode()
    assert "<strong>Your therapist planned to review this on 21 Jul 2026.</strong>" in mine
