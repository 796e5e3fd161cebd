"""A clinic's "Exercise and relief" (issue 17, point 6): responders at 6 weeks among patients
who kept up their home exercises and among those who did not, each group shown only from 10
patients, the clinic in total only (never per therapist), refreshed daily."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from sciaticare.exercises.adherence import EVERY_DAY
from sciaticare.outcomes import practice
from sciaticare.outcomes.models import ClinicExerciseOutcome
from sciaticare.outcomes.practice_selectors import exercise_relief_by_clinic
from sciaticare.outcomes.practice_services import refresh_outcomes
from tests.directory.factories import ClinicFactory, LocationFactory, TherapistProfileFactory
from tests.exercises.insight_factories import exercise, log, plan
from tests.factories import ClinicAdminFactory, PatientFactory
from tests.outcomes.practice_world import START, Clock, diary, signed_session

pytestmark = pytest.mark.django_db

#: Long after every course's 6 weeks.
LATER = START + timedelta(days=200)


def _course(world: dict[str, Any], *, responds: bool, kept_up: bool | None) -> Any:
    """A patient with one signed session, a diary before it and at 6 weeks (7 → 3 responds,
    7 → 7 does not) and, unless ``kept_up`` is None, a programme from that day done every day
    (kept up) or on one day in seven (not)."""
    patient = PatientFactory()
    offset = len(world["patients"])
    start = world["clock"].free(world["therapist"], START + timedelta(days=offset))
    signed_session(
        therapist=world["therapist"], patient=patient, location=world["location"], start=start
    )
    first = start.date()
    for d in range(1, 8):
        diary(patient, first - timedelta(days=d), 6, 7)
    for d in range(35, 49, 3):
        diary(patient, first + timedelta(days=d), 3, 3 if responds else 7)
    if kept_up is not None:
        made = plan(patient, [(world["exercise"], EVERY_DAY)], start=first)
        days = [first + timedelta(days=n) for n in range(49)]
        log(made, world["exercise"], days if kept_up else days[::7])
    world["patients"].append(patient)
    return patient


@pytest.fixture
def world() -> dict[str, Any]:
    clinic = ClinicFactory()
    location = LocationFactory(clinic=clinic)
    admin = ClinicAdminFactory()
    clinic.admins.add(admin)
    return {
        "clinic": clinic,
        "location": location,
        "therapist": TherapistProfileFactory(location=location),
        "admin": admin,
        "clock": Clock(),
        "exercise": exercise("Knee to chest"),
        "patients": [],
    }


def _page(client, world):
    refresh_outcomes(now=LATER)
    client.force_login(world["admin"])
    return client.get(reverse("outcomes:clinic_outcomes", args=[world["clinic"].pk]))


def test_the_groups_are_the_same_courses_and_responder_rule_as_the_page(world):
    for _ in range(3):
        _course(world, responds=True, kept_up=True)
    _course(world, responds=False, kept_up=True)
    _course(world, responds=False, kept_up=False)
    _course(world, responds=True, kept_up=None)  # no programme: in neither group

    found = exercise_relief_by_clinic(today=LATER.date())

    relief = found[world["clinic"].pk]
    # Below the threshold the share is not given, only the count.
    assert relief == practice.ExerciseRelief(
        adherent=practice.Figure(None, 4), other=practice.Figure(None, 1)
    )


def test_a_group_of_ten_shows_its_share_and_one_of_nine_says_fewer_than_ten(client, world):
    for n in range(10):
        _course(world, responds=n < 6, kept_up=True)
    for n in range(9):
        _course(world, responds=n < 3, kept_up=False)

    page = _page(client, world)

    stored = ClinicExerciseOutcome.objects.get(clinic=world["clinic"])
    assert (stored.adherent_patients, stored.adherent_responder_percent) == (10, 60.0)
    assert (stored.other_patients, stored.other_responder_percent) == (9, None)
    section = page.text[page.text.index("Exercise and relief") :]
    section = section[: section.index("By therapist")]
    assert "60 % of 10 patients" in section
    assert "fewer than 10 patients" in section
    assert "33 %" not in section
    assert "does not show that exercise caused the relief" in section


def test_both_groups_show_from_ten_patients(client, world):
    for n in range(10):
        _course(world, responds=n < 6, kept_up=True)
    for n in range(10):
        _course(world, responds=n < 3, kept_up=False)

    page = _page(client, world)

    assert "60 % of 10 patients" in page.text
    assert "30 % of 10 patients" in page.text
    assert "fewer than 10 patients" not in page.text


def test_never_per_therapist(client, world):
    for n in range(10):
        _course(world, responds=n < 6, kept_up=True)

    refresh_outcomes(now=LATER)
    client.force_login(world["therapist"].user)
    own = client.get(reverse("outcomes:therapist_outcomes", args=[world["therapist"].pk]))

    assert "Exercise and relief" not in own.text
    assert {f.name for f in ClinicExerciseOutcome._meta.get_fields()} >= {"clinic"}
    assert "therapist" not in {f.name for f in ClinicExerciseOutcome._meta.get_fields()}


def test_a_share_below_the_threshold_cannot_be_stored(world):
    with pytest.raises(IntegrityError):
        ClinicExerciseOutcome.objects.create(
            clinic=world["clinic"],
            adherent_patients=9,
            adherent_responder_percent=50.0,
            other_patients=0,
            computed_at=timezone.now(),
        )


def test_weeks_after_the_refresh_day_are_not_counted_against_anyone(world):
    # The course began 40 days before the refresh: its follow-up has entries, its window of
    # adherence runs to day 48, and the 8 days still to come are not "not done".
    _course(world, responds=True, kept_up=True)
    first = world["patients"][0].appointments.get().start.date()

    found = exercise_relief_by_clinic(today=first + timedelta(days=40))

    assert found[world["clinic"].pk].adherent.patients == 1


def test_before_any_programme_the_page_says_so_and_in_spanish(client, world):
    _course(world, responds=True, kept_up=None)

    page = _page(client, world)
    world["admin"].language = "es"
    world["admin"].save(update_fields=["language"])
    spanish = client.get(reverse("outcomes:clinic_outcomes", args=[world["clinic"].pk]))

    assert "No patient of this clinic with a home exercise programme" in page.text
    assert "Ejercicio y alivio" in spanish.text
    assert "Ningún paciente de esta clínica con un programa de ejercicios en casa" in spanish.text
