"""`seed_demo` gives the demo clinic's programme patients a pain diary over their course, so its
outcome page's "Exercise and relief" shows both groups with figures: of those who kept up their
home exercises most respond at 6 weeks, not all; of those who did not, fewer, but some."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from sciaticare.accounts.models import User
from sciaticare.exercises.models import ExercisePlan
from sciaticare.outcomes.models import ClinicExerciseOutcome, PainEntry
from sciaticare.outcomes.practice_selectors import exercise_relief_by_clinic

pytestmark = pytest.mark.django_db

#: A Saturday morning in winter (GMT) and a Wednesday afternoon in summer (BST).
SEEDED_AT = [datetime(2026, 12, 5, 10, 20, tzinfo=UTC), datetime(2026, 7, 15, 14, 0, tzinfo=UTC)]


@pytest.mark.parametrize("now", SEEDED_AT, ids=["winter-saturday", "summer-wednesday"])
def test_the_demo_clinic_shows_exercise_and_relief_for_both_groups(
    client, settings, monkeypatch, now
):
    monkeypatch.setattr(timezone, "now", lambda: now)
    settings.STAFF_MFA_REQUIRED = False  # the demo's clinic admin has no authenticator
    call_command("seed_demo")
    maya = User.objects.get(email="patient@example.com")
    clinic = ExercisePlan.objects.get(patient=maya).clinic
    assert clinic is not None

    # Every patient with a programme keeps a diary (the demo patient's own story is kept).
    with_programme = set(ExercisePlan.objects.values_list("patient_id", flat=True))
    assert with_programme <= set(PainEntry.objects.values_list("patient_id", flat=True))
    assert len(with_programme) >= 20

    stored = ClinicExerciseOutcome.objects.get(clinic=clinic)
    assert stored.adherent_patients >= 10
    assert stored.other_patients >= 10
    kept_up, other = stored.adherent_responder_percent, stored.other_responder_percent
    assert kept_up is not None
    assert other is not None
    # Believable: keeping up goes with responding more often, but not always, and some who
    # did not keep up respond too.
    assert 50 <= kept_up <= 85
    assert 20 <= other <= 55
    assert kept_up > other
    # The stored row is the page's rule, computed now.
    live = exercise_relief_by_clinic(today=now.date())[clinic.pk]
    assert (live.adherent.value, live.other.value) == (kept_up, other)

    client.force_login(User.objects.get(email="clinic@example.com"))
    page = client.get(reverse("outcomes:clinic_outcomes", args=[clinic.pk]))
    assert page.status_code == 200
    section = page.content.decode().split('id="exercise-relief-title"')[1].split("</section>")[0]
    assert "fewer than" not in section
    shown = re.findall(r"(\d+) % of (\d+) patients", section)
    assert shown == [
        (f"{kept_up:.0f}", str(stored.adherent_patients)),
        (f"{other:.0f}", str(stored.other_patients)),
    ]

    # `make run` again: no diary day added.
    before = PainEntry.objects.count()
    call_command("seed_demo")
    assert PainEntry.objects.count() == before
