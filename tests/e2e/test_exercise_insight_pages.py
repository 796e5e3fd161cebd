"""The pages that show what helps this person (issue 17, points 4 and 6), in a real browser with
a flagged exercise, comparisons on both sides of the threshold and the clinic's figures: axe
finds nothing, and nothing scrolls sideways on a 320 px phone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser

from sciaticare.exercises.adherence import EVERY_DAY
from sciaticare.outcomes.models import ClinicExerciseOutcome, PainEntry
from tests.directory.factories import ClinicFactory, LocationFactory, TherapistProfileFactory
from tests.e2e.test_every_page import (
    PHONE_WIDTH,
    context_for,
    session_cookie,
    too_wide_on,
    violations_on,
)
from tests.exercises.insight_factories import exercise, log, plan
from tests.factories import (
    AppointmentFactory,
    ClinicAdminFactory,
    PatientFactory,
    TherapistFactory,
)
from tests.intake.factories import make_intake

pytestmark = pytest.mark.django_db(transaction=True)


def _world():
    clinic = ClinicFactory()
    therapist = TherapistFactory()  # this instance holds the TOTP secret for signing in
    profile = TherapistProfileFactory(user=therapist, location=LocationFactory(clinic=clinic))
    patient = PatientFactory()
    make_intake(patient)
    AppointmentFactory(patient=patient, therapist=profile)
    admin = ClinicAdminFactory()
    clinic.admins.add(admin)
    today = timezone.localdate()
    start = today - timedelta(days=27)
    walk, slider = exercise("Walking a long way round the park", timed=True), exercise("Slider")
    made = plan(patient, [(walk, EVERY_DAY), (slider, 0b0010101)], start=start)
    days = [start + timedelta(days=n) for n in range(28)]
    log(made, walk, days[::2], leg_pain="better")
    log(made, slider, [today - timedelta(days=1)], spread=True)
    PainEntry.objects.bulk_create(
        PainEntry(patient=patient, day=d, back_pain=3, leg_pain=2 + n % 4)
        for n, d in enumerate(days)
    )
    ClinicExerciseOutcome.objects.create(
        clinic=clinic,
        adherent_patients=14,
        adherent_responder_percent=57.1,
        other_patients=6,
        computed_at=timezone.now(),
    )
    return {
        "patient": (patient, [reverse("outcomes:diary")]),
        "therapist": (therapist, [reverse("intake:brief", args=[patient.pk])]),
        "clinic_admin": (admin, [reverse("outcomes:clinic_outcomes", args=[clinic.pk])]),
    }


@pytest.mark.parametrize("role", ["patient", "therapist", "clinic_admin"])
def test_the_pages_pass_axe_and_fit_a_phone(live_server, browser: Browser, role):
    person, urls = _world()[role]
    signed_in = session_cookie(person)  # once: a TOTP code is refused the second time

    browser_context = context_for(
        browser,
        live_server,
        person,
        cookie=lambda _: signed_in,
        viewport={"width": 1280, "height": 900},
    )
    found = violations_on(browser_context.new_page(), live_server.url, urls, strict=True)
    browser_context.close()
    phone = context_for(
        browser,
        live_server,
        person,
        cookie=lambda _: signed_in,
        viewport={"width": PHONE_WIDTH, "height": 640},
    )
    wide = too_wide_on(phone.new_page(), live_server.url, urls)
    phone.close()

    assert found == []
    assert wide == []
