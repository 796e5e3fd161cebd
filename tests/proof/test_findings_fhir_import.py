"""Findings 13.9 and 13.32: a FHIR import follows the rules typed data follows, names what it
refuses, and a Bundle says which instance made it.

- 13.9: an import took diary days, questionnaire answers and episodes dated in the future, and
  kept (then exported again) resources that pointed at another patient.
- 13.32: fullUrls were `https://sciaticare.example/…` whatever the instance; re-importing your
  own export added every session, place and person again (55 rows); abatementDateTime was the
  time the episode was closed in the app, not when the pain resolved.
"""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from sciaticare.core.errors import Invalid
from sciaticare.intake.models import Episode, QuestionnaireResponse
from sciaticare.interop import services
from sciaticare.interop.models import ExternalResource
from sciaticare.outcomes.models import PainEntry
from tests.factories import PatientFactory
from tests.interop.test_export_import import history

pytestmark = pytest.mark.django_db
SITE = "https://care.example.org"


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.SITE_URL = SITE


def _resource(bundle: dict[str, Any], kind: str, **match: Any) -> dict[str, Any]:
    return next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == kind
        and all(e["resource"].get(k) == v for k, v in match.items())
    )


def _rebased(bundle: dict[str, Any], base: str) -> dict[str, Any]:
    """The same record as another instance at `base` would have exported it."""
    moved = copy.deepcopy(bundle)
    for entry in moved["entry"]:
        entry["fullUrl"] = entry["fullUrl"].replace(f"{SITE}/fhir", base)
    return moved


def _refusal(patient: Any, bundle: dict[str, Any]) -> list[str]:
    with pytest.raises(Invalid) as refused:
        services.import_bundle(patient=patient, data=bundle, importer=patient)
    return [message for _, message in refused.value.errors]


def _nothing_written(patient: Any) -> bool:
    return not (
        PainEntry.objects.filter(patient=patient).exists()
        or Episode.objects.filter(patient=patient).exists()
        or QuestionnaireResponse.objects.filter(patient=patient).exists()
        or ExternalResource.objects.filter(patient=patient).exists()
    )


# --- 13.32 ------------------------------------------------------------------------------------


def test_full_urls_use_this_instances_site_url():
    patient = history()

    bundle = services.export_patient(patient=patient, viewer=patient)

    assert bundle["entry"]
    for entry in bundle["entry"]:
        r = entry["resource"]
        assert entry["fullUrl"] == f"{SITE}/fhir/{r['resourceType']}/{r['id']}"
    assert "sciaticare.example/fhir/Patient" not in json.dumps(bundle)


def test_reimporting_your_own_export_adds_nothing():
    patient = history()
    bundle = services.export_patient(patient=patient, viewer=patient)

    summary = services.import_bundle(patient=patient, data=bundle, importer=patient)
    again = services.export_patient(patient=patient, viewer=patient)

    assert (summary.episodes, summary.pain_entries, summary.questionnaires, summary.history) == (
        0,
        0,
        0,
        0,
    )
    assert summary.skipped > 0
    assert not ExternalResource.objects.filter(patient=patient).exists()
    assert again == bundle


def test_a_bundle_from_another_instance_imports_once():
    patient = history()
    bundle = _rebased(
        services.export_patient(patient=patient, viewer=patient), "https://old.example/fhir"
    )
    newcomer = PatientFactory()

    first = services.import_bundle(patient=newcomer, data=bundle, importer=newcomer)
    second = services.import_bundle(patient=newcomer, data=bundle, importer=newcomer)

    assert first.history > 0
    assert (second.episodes, second.pain_entries, second.questionnaires, second.history) == (
        0,
        0,
        0,
        0,
    )
    assert ExternalResource.objects.filter(patient=newcomer).count() == first.history


def test_a_closed_episode_has_no_abatement_from_the_app_and_imports_as_closed():
    patient = history()
    Episode.objects.filter(patient=patient).update(closed_at=timezone.now())

    bundle = services.export_patient(patient=patient, viewer=patient)
    condition = _resource(bundle, "Condition")
    newcomer = PatientFactory()
    services.import_bundle(patient=newcomer, data=bundle, importer=newcomer)

    assert "abatementDateTime" not in condition
    assert condition["clinicalStatus"]["coding"][0]["code"] == "resolved"
    assert Episode.objects.get(patient=newcomer).closed_at is not None


# --- 13.9 -------------------------------------------------------------------------------------


def test_a_future_diary_day_is_refused_by_name_and_nothing_is_written():
    patient = history()
    bundle = services.export_patient(patient=patient, viewer=patient)
    diary = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and "component" in e["resource"]
        and "encounter" not in e["resource"]
    )
    future = (timezone.localdate() + timedelta(days=30)).isoformat()
    diary["effectiveDateTime"] = future
    newcomer = PatientFactory()

    problems = _refusal(newcomer, bundle)

    assert any(f"Observation/{diary['id']}" in p and "future" in p for p in problems), problems
    assert _nothing_written(newcomer)


def test_future_answers_and_a_pain_that_begins_in_the_future_are_refused():
    patient = history()
    bundle = services.export_patient(patient=patient, viewer=patient)
    later = timezone.now() + timedelta(days=30)
    answers = _resource(bundle, "QuestionnaireResponse")
    answers["authored"] = later.isoformat()
    _resource(bundle, "Condition")["onsetDateTime"] = later.date().isoformat()
    newcomer = PatientFactory()

    problems = _refusal(newcomer, bundle)

    assert any(f"QuestionnaireResponse/{answers['id']}" in p for p in problems), problems
    assert any(p.startswith("Condition/") and "future" in p for p in problems), problems
    assert _nothing_written(newcomer)


@pytest.mark.parametrize(
    "reference", ["Patient/patient-999999", "https://other.example/fhir/Patient/someone-else"]
)
def test_a_reference_to_another_patient_is_refused_by_name(reference):
    patient = history()
    bundle = services.export_patient(patient=patient, viewer=patient)
    appointment = _resource(bundle, "Appointment")
    appointment["participant"].append({"actor": {"reference": reference}, "status": "accepted"})
    newcomer = PatientFactory()

    problems = _refusal(newcomer, bundle)

    assert any(f"Appointment/{appointment['id']}" in p and reference in p for p in problems), (
        problems
    )
    assert _nothing_written(newcomer)


def test_api_import_answers_422_naming_the_entry(client):
    patient = history()
    bundle = services.export_patient(patient=patient, viewer=patient)
    _resource(bundle, "Appointment")["participant"].append(
        {"actor": {"reference": "Patient/patient-999999"}, "status": "accepted"}
    )
    newcomer = PatientFactory()
    client.force_login(newcomer)

    response = client.post(
        "/api/v1/patients/me/fhir", json.dumps(bundle), content_type="application/fhir+json"
    )

    assert response.status_code == 422
    assert "Patient/patient-999999" in json.dumps(response.json()["errors"])
