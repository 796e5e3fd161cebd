"""How a triage result reads: the most serious reasons first on every page that lists them, and
no massage precautions for the patient while the result blocks massage (UX findings 5 and 6)."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse
from django.utils.html import escape

from sciaticare.intake.triage.assessment import assess
from sciaticare.intake.triage.levels import Level
from sciaticare.intake.triage.precautions import PRECAUTIONS
from sciaticare.intake.triage.reasons import REASONS, most_serious_first
from sciaticare.intake.views.symptom_check import check_result_page
from tests.factories import PatientFactory
from tests.intake.factories import NO, make_intake
from tests.scheduling.helpers import at, place_appointment, working_therapist

pytestmark = pytest.mark.django_db

# Cancer history and a foot drop: the engine lists foot drop (urgent), cancer history (soon),
# then the combination, possible spinal cord compression (emergency).
CORD = {"cancer_history": True, "foot_drop": True}
MOST_SERIOUS_FIRST = ["possible_spinal_cord_compression", "foot_drop", "cancer_history"]


def _listed(body: str, words: str) -> list[str]:
    """The reason codes in the order the page shows them (by each reason's words)."""
    found = {code: body.find(escape(getattr(REASONS[code], words))) for code in MOST_SERIOUS_FIRST}
    assert all(at_ >= 0 for at_ in found.values()), found
    return sorted(found, key=found.__getitem__)


def test_the_engine_keeps_its_own_order_and_the_pages_sort_by_level():
    result = assess(40, 2, {**NO, **CORD})

    assert result.level is Level.EMERGENCY
    assert list(result.reasons) == ["foot_drop", "cancer_history", MOST_SERIOUS_FIRST[0]]
    shown = most_serious_first(result.reasons)
    assert [r.code for r in shown] == MOST_SERIOUS_FIRST


def test_the_symptom_check_result_lists_the_emergency_reason_first():
    request = RequestFactory().get("/check/")
    request.user = AnonymousUser()
    body = check_result_page(request, assess(40, 2, {**NO, **CORD})).content.decode()

    assert _listed(body, "plain") == MOST_SERIOUS_FIRST


def test_the_intake_result_and_home_list_the_emergency_reason_first(client):
    patient = PatientFactory()
    intake = make_intake(patient, yes=CORD)
    client.force_login(patient)

    for url in (reverse("intake:detail", args=[intake.pk]), reverse("intake:home")):
        assert _listed(client.get(url).content.decode(), "plain") == MOST_SERIOUS_FIRST, url


def test_the_brief_lists_the_emergency_reason_first(client):
    therapist, session, location = working_therapist()
    patient = PatientFactory()
    make_intake(patient, yes=CORD)
    place_appointment(
        patient=patient, therapist=therapist, session=session, location=location, start=at(2, 10)
    )
    client.force_login(therapist.user)

    body = client.get(reverse("intake:brief", args=[patient.pk])).content.decode()

    assert _listed(body, "clinical") == MOST_SERIOUS_FIRST


@pytest.mark.parametrize(
    ("red_flag", "level"), [("bladder_change", "emergency"), ("foot_drop", "urgent")]
)
def test_a_result_that_blocks_massage_gives_the_patient_no_massage_precautions(
    client, red_flag, level
):
    patient = PatientFactory()
    intake = make_intake(patient, yes={red_flag: True, "anticoagulants": True})
    assert intake.triage_level == level
    assert intake.triage_precautions == ["no_deep_pressure"]
    client.force_login(patient)

    for url in (reverse("intake:detail", args=[intake.pk]), reverse("intake:home")):
        body = client.get(url).content.decode()
        assert "Precautions for your massage" not in body, url
        assert PRECAUTIONS["no_deep_pressure"].plain not in body, url


def test_the_symptom_check_gives_no_massage_precautions_with_an_emergency():
    request = RequestFactory().get("/check/")
    request.user = AnonymousUser()
    result = assess(40, 2, {**NO, "bladder_change": True, "anticoagulants": True})
    body = check_result_page(request, result).content.decode()

    assert "Precautions for your massage" not in body


def test_an_ok_result_still_lists_its_precautions(client):
    patient = PatientFactory()
    intake = make_intake(patient, yes={"anticoagulants": True})
    client.force_login(patient)

    body = client.get(reverse("intake:detail", args=[intake.pk])).content.decode()

    assert "Precautions for your massage" in body


def test_the_therapist_brief_keeps_the_precautions_of_an_emergency(client):
    therapist, session, location = working_therapist()
    patient = PatientFactory()
    make_intake(patient, yes={"bladder_change": True, "anticoagulants": True})
    place_appointment(
        patient=patient, therapist=therapist, session=session, location=location, start=at(2, 10)
    )
    client.force_login(therapist.user)

    body = client.get(reverse("intake:brief", args=[patient.pk])).content.decode()

    assert re.search(re.escape(PRECAUTIONS["no_deep_pressure"].clinical[:30]), body)
