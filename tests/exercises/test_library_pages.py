"""The library's pages: the public library and each exercise (drawing, steps, dose, stop rule,
source; in English and Spanish), and the clinic admin's "Exercises your therapists may
recommend" with its confirmations. Who may open each page is in the authorization matrix
(tests/proof); here, what the pages say and do."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils.html import escape

from sciaticare.audit.models import AuditEvent
from sciaticare.exercises.library import LIBRARY, STOP_RULE
from sciaticare.exercises.models import (
    ClinicExercises,
    Exercise,
    ExercisePlan,
    PlanItem,
    PlanVersion,
)
from sciaticare.exercises.selectors.library import allowed_exercises
from sciaticare.exercises.services.library import ExerciseValues, add_own_exercise
from tests.directory.factories import ClinicFactory
from tests.factories import ClinicAdminFactory, PatientFactory, SiteAdminFactory, TherapistFactory

pytestmark = pytest.mark.django_db

OWN = ExerciseValues(name="Bridge", how_to="Lie on your back.\nLift your hips.", how_often="Daily")


@pytest.fixture
def admin_client(client):
    admin = ClinicAdminFactory()
    clinic = ClinicFactory(admins=[admin], name="Riverside Back Care")
    client.force_login(admin)
    return client, clinic, admin


def built_in(slug: str) -> Exercise:
    return Exercise.objects.get(slug=slug, clinic=None, patient=None)


def _text(response) -> str:
    return response.content.decode()


# --- The public library ----------------------------------------------------------------------


def test_the_library_lists_every_exercise_with_its_drawing_and_the_stop_rule(client):
    body = _text(client.get(reverse("exercises:library")))

    for exercise in LIBRARY:
        assert reverse("exercises:exercise", args=[exercise.slug]) in body
        assert f"/static/exercises/drawings/{exercise.slug}.svg" in body
        assert escape(exercise.name) in body
    assert escape(STOP_RULE.stop) in body
    assert 'href="/check/"' in body
    assert "cure" not in body.lower()


@pytest.mark.parametrize("exercise", LIBRARY, ids=[e.slug for e in LIBRARY])
def test_every_exercise_page_shows_all_its_parts_and_the_stop_rule(client, exercise):
    response = client.get(reverse("exercises:exercise", args=[exercise.slug]))

    body = _text(response)
    assert response.status_code == 200
    assert f"<h1>{escape(exercise.name)}</h1>" in body
    assert f'alt="{escape(exercise.picture)}"' in body
    for step in exercise.how_to:
        assert f"<li>{escape(step)}</li>" in body
    for part in (exercise.how_often, exercise.how_many, exercise.when_to_stop, *exercise.sources):
        assert escape(part) in body
    assert escape(STOP_RULE.stop) in body
    assert escape(STOP_RULE.red_flags) in body
    assert f'<a href="/check/">{STOP_RULE.check_words}</a>' in body


def test_an_unknown_or_a_clinics_own_exercise_is_not_a_public_page(client):
    own = add_own_exercise(clinic=ClinicFactory(), values=OWN, by=SiteAdminFactory())

    assert client.get(reverse("exercises:exercise", args=["headstand"])).status_code == 404
    assert client.get(reverse("exercises:exercise", args=[own.slug])).status_code == 404


def test_an_exercise_page_reads_in_spanish(client):
    client.cookies["django_language"] = "es"

    body = _text(client.get(reverse("exercises:exercise", args=["prone-press-up"])))

    assert '<html lang="es">' in body
    assert "<h1>Extensión boca abajo</h1>" in body
    assert "Túmbese boca abajo" in body
    assert "Con qué frecuencia" in body
    assert "3 o 4 veces al día." in body
    assert "Pare si el dolor se extiende más abajo por la pierna" in body
    assert "Deje el ejercicio y dígaselo a su terapeuta" in body
    assert "Hacer la comprobación de síntomas" in body
    assert "Fuente: Long et al., Spine 2004" in body
    assert "How to do it" not in body


# --- The clinic admin's page -----------------------------------------------------------------


def test_the_dashboard_links_a_clinic_admin_to_the_page(admin_client):
    client, clinic, _ = admin_client

    dashboard = _text(client.get(reverse("web:dashboard")))
    chooser = client.get(reverse("exercises:clinics"))

    assert reverse("exercises:clinics") in dashboard
    assert chooser["Location"] == reverse("exercises:clinic", args=[clinic.pk])


def test_a_site_admin_chooses_among_the_clinics(client):
    first, second = ClinicFactory(name="North"), ClinicFactory(name="South")
    client.force_login(SiteAdminFactory())

    body = _text(client.get(reverse("exercises:clinics")))

    assert reverse("exercises:clinic", args=[first.pk]) in body
    assert reverse("exercises:clinic", args=[second.pk]) in body


def test_the_page_ticks_everything_until_the_clinic_chooses(admin_client):
    client, clinic, _ = admin_client

    body = _text(client.get(reverse("exercises:clinic", args=[clinic.pk])))

    assert "You have not chosen yet" in body
    assert body.count(" checked>") == len(LIBRARY)
    assert "Riverside Back Care" in body
    assert escape(STOP_RULE.stop) in body


def test_taking_exercises_off_the_list_is_confirmed_first(admin_client):
    client, clinic, admin = admin_client
    url = reverse("exercises:clinic", args=[clinic.pk])
    keep = [built_in("walking").pk, built_in("pelvic-tilt").pk]

    asked = client.post(url, {"exercises": keep})

    assert asked.status_code == 200
    assert "Take these 5 exercises off the list?" in _text(asked)
    assert "Sciatic nerve slider" in _text(asked)
    assert not ClinicExercises.objects.filter(clinic=clinic).exists()

    done = client.post(url, {"exercises": keep, "confirm": "yes"}, follow=True)

    assert "Your therapists may recommend the exercises ticked." in _text(done)
    assert [e.slug for e in allowed_exercises(clinic=clinic)] == ["walking", "pelvic-tilt"]
    assert AuditEvent.objects.filter(action="exercises.scope", actor=admin).count() == 1


def test_adding_to_the_list_needs_no_confirmation(admin_client):
    client, clinic, admin = admin_client
    ClinicExercises.objects.create(clinic=clinic, updated_by=admin)
    url = reverse("exercises:clinic", args=[clinic.pk])

    response = client.post(url, {"exercises": [built_in("cat-camel").pk]})

    assert response.status_code == 302
    assert [e.slug for e in allowed_exercises(clinic=clinic)] == ["cat-camel"]


def test_a_choice_that_is_not_an_exercise_of_the_clinic_is_a_400(admin_client):
    client, clinic, _ = admin_client
    theirs = add_own_exercise(clinic=ClinicFactory(), values=OWN, by=SiteAdminFactory())
    url = reverse("exercises:clinic", args=[clinic.pk])

    for wrong in ("walking", str(theirs.pk), "99999999999999999999"):
        response = client.post(url, {"exercises": [wrong], "confirm": "yes"})
        assert response.status_code == 400, wrong
        assert "Select a valid choice" in _text(response)
    assert not ClinicExercises.objects.filter(clinic=clinic).exists()


def test_an_admin_adds_edits_and_removes_the_clinics_own_exercise(admin_client):
    client, clinic, _ = admin_client
    data = {
        "name": "Bridge",
        "how_to": "1. Lie on your back.\n2. Lift your hips.",
        "how_often": "Daily",
        "how_many": "10 times",
        "when_to_stop": "Stop if your leg tingles.",
        "source": "Clinic protocol",
    }

    added = client.post(reverse("exercises:add", args=[clinic.pk]), data, follow=True)
    own = Exercise.objects.get(clinic=clinic)
    page = _text(added)
    assert "“Bridge” added." in page
    assert "<li>Lift your hips.</li>" in page
    assert "Stop if your leg tingles." in page

    edit = reverse("exercises:edit", args=[clinic.pk, own.pk])
    form = _text(client.get(edit))
    assert 'value="Bridge"' in form
    assert "Lie on your back." in form
    client.post(edit, {**data, "name": "Glute bridge"})
    own.refresh_from_db()
    assert own.name == "Glute bridge"

    remove = reverse("exercises:remove", args=[clinic.pk, own.pk])
    assert "Remove “Glute bridge”?" in _text(client.get(remove))
    assert Exercise.objects.filter(pk=own.pk).exists()  # asking removes nothing
    removed = client.post(remove, follow=True)
    assert "Exercise “Glute bridge” removed." in _text(removed)
    assert not Exercise.objects.filter(pk=own.pk).exists()


def test_an_exercise_that_is_not_right_is_answered_with_what_was_wrong(admin_client):
    client, clinic, _ = admin_client

    response = client.post(
        reverse("exercises:add", args=[clinic.pk]), {"name": "Bridge\u202e", "how_to": ""}
    )

    body = _text(response)
    assert response.status_code == 422
    assert "This field is required." in body
    assert not Exercise.objects.filter(clinic=clinic).exists()

    response = client.post(
        reverse("exercises:add", args=[clinic.pk]), {"name": "Bridge\u202e", "how_to": "Lift."}
    )
    assert response.status_code == 422
    assert "Use one line of text" in _text(response)


def test_an_exercise_in_a_programme_is_not_offered_for_removal_and_its_removal_is_refused(
    admin_client,
):
    client, clinic, admin = admin_client
    own = add_own_exercise(clinic=clinic, values=OWN, by=admin)
    plan = ExercisePlan.objects.create(
        patient=PatientFactory(), origin="therapist", clinic=clinic, therapist=TherapistFactory()
    )
    version = PlanVersion.objects.create(plan=plan, number=1, start_date=date(2026, 1, 5))
    PlanItem.objects.create(version=version, exercise=own, repetitions=10)
    remove = reverse("exercises:remove", args=[clinic.pk, own.pk])

    page = _text(client.get(reverse("exercises:clinic", args=[clinic.pk])))
    asked = _text(client.get(remove))
    refused = client.post(remove, follow=True)

    assert remove not in page
    assert "cannot be removed" in page
    main = asked.split("<main", 1)[1].split("</main>", 1)[0]
    assert "cannot be removed" in main
    assert "<form" not in main
    assert "Untick it in the list instead" in _text(refused)
    assert Exercise.objects.filter(pk=own.pk).exists()


def test_another_clinics_exercise_is_a_404_in_this_clinics_address(admin_client):
    client, clinic, _ = admin_client
    theirs = add_own_exercise(clinic=ClinicFactory(), values=OWN, by=SiteAdminFactory())

    for name in ("exercises:edit", "exercises:remove"):
        assert client.get(reverse(name, args=[clinic.pk, theirs.pk])).status_code == 404
        assert client.post(reverse(name, args=[clinic.pk, theirs.pk])).status_code == 404
    assert (
        client.get(reverse("exercises:edit", args=[clinic.pk, built_in("walking").pk])).status_code
        == 404
    )
    assert Exercise.objects.filter(pk=theirs.pk).exists()


def test_the_admins_page_reads_in_spanish(admin_client):
    client, clinic, admin = admin_client
    admin.language = "es"
    admin.save(update_fields=["language"])

    body = _text(client.get(reverse("exercises:clinic", args=[clinic.pk])))

    assert "<h1>Ejercicios que sus terapeutas pueden recomendar</h1>" in body
    assert "Todavía no ha elegido" in body
    assert "Deslizamiento del nervio ciático" in body
    assert "Añadir un ejercicio" in body
