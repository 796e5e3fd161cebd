"""Export a real history, import it for another patient, export again: the same record."""

import json
from datetime import timedelta
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from sciaticare.accounts.selectors import today_for
from sciaticare.audit.models import AuditEvent
from sciaticare.core.errors import Invalid
from sciaticare.exercises.adherence import EVERY_DAY
from sciaticare.intake import services as intake_services
from sciaticare.intake.models import Episode, QuestionnaireResponse
from sciaticare.interop import services
from sciaticare.interop.fhir.checks import validate_codes
from sciaticare.interop.fhir.codes import RESOURCE_ORDER
from sciaticare.interop.models import ExternalResource
from sciaticare.outcomes import services as outcomes_services
from sciaticare.outcomes.models import PainEntry
from sciaticare.records import services as records_services
from tests.directory.factories import TherapistProfileFactory
from tests.exercises.insight_factories import exercise, log, plan
from tests.factories import PatientFactory, TherapistFactory
from tests.intake.factories import make_intake
from tests.records.conftest import past_appointment

pytestmark = pytest.mark.django_db
URL = "/api/v1/patients/me/fhir"


def history(*, programme: bool = False) -> Any:
    """A patient with an intake (left leg), a signed session, a diary day and two scores; with
    ``programme``, a home exercise programme of three weeks too."""
    patient = PatientFactory(first_name="Odalys", last_name="Fenwick")
    make_intake(patient, regions=["left_lower_back", "left_buttock", "left_calf"])
    therapist = TherapistProfileFactory()
    appointment = past_appointment(therapist, patient, hours_ago=3)
    records_services.start_note(therapist_user=therapist.user, appointment_id=appointment.pk)
    records_services.save_draft(
        therapist_user=therapist.user,
        appointment_id=appointment.pk,
        values={
            "regions": ["left_buttock", "left_calf"],
            "techniques": ["swedish"],
            "back_pain_before": 6,
            "back_pain_after": 4,
            "leg_pain_before": 7,
            "leg_pain_after": 5,
        },
    )
    records_services.sign_note(therapist_user=therapist.user, appointment_id=appointment.pk)
    outcomes_services.log_pain(patient=patient, back_pain=5, leg_pain=6, tags=["after_massage"])
    intake_services.record_questionnaire(
        patient=patient, code="peg", answers={"peg-1": 6, "peg-2": 5, "peg-3": 7}, version="1.0"
    )
    intake_services.record_questionnaire(
        patient=patient,
        code="rmdq",
        answers={f"rmdq-{i}": i % 2 == 0 for i in range(1, 25)},
        version="1.0",
    )
    if not programme:
        return patient
    today = today_for(patient)
    start = today - timedelta(days=20)
    knee, walk = exercise("Knee to chest"), exercise("Walking", timed=True)
    made = plan(
        patient,
        [(knee, EVERY_DAY), (walk, 0b0010101)],
        start=start,
        therapist=therapist.user,
        review=today + timedelta(days=14),
    )
    log(made, knee, [start + timedelta(days=n) for n in range(0, 20, 2)])
    return patient


def _kinds(bundle: dict[str, Any]) -> set[str]:
    return {e["resource"]["resourceType"] for e in bundle["entry"]}


def _without_patient(bundle: dict[str, Any], patient: Any) -> str:
    entries = [e for e in bundle["entry"] if e["resource"]["resourceType"] != "Patient"]
    return json.dumps(entries, sort_keys=True).replace(f"patient-{patient.pk}", "patient-?")


def test_export_holds_every_resource_type_each_valid_r4b_with_our_codes():
    patient = history(programme=True)

    bundle = services.export_patient(patient=patient, viewer=patient)

    # Every type but Invoice, which needs a clinic's books (tests/interop/test_fhir_invoices.py).
    assert _kinds(bundle) == set(RESOURCE_ORDER) - {"Invoice"}
    get_fhir_model_class("Bundle").model_validate(bundle)
    for entry in bundle["entry"]:
        get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(entry["resource"])
    assert validate_codes(bundle) == []
    condition = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Condition"
    )
    assert {c["code"] for c in condition["code"]["coding"]} == {"23056005", "M54.32"}
    assert AuditEvent.objects.filter(action="fhir.export", patient=patient).count() == 1


def test_export_import_export_is_stable_and_reimport_adds_nothing():
    patient = history(programme=True)
    first = services.export_patient(patient=patient, viewer=patient)
    newcomer = PatientFactory()

    summary = services.import_bundle(patient=newcomer, data=first, importer=newcomer)
    again = services.import_bundle(patient=newcomer, data=first, importer=newcomer)
    second = services.export_patient(patient=newcomer, viewer=newcomer)

    assert (summary.episodes, summary.pain_entries, summary.questionnaires) == (1, 1, 2)
    assert summary.history > 0
    assert again.episodes == again.pain_entries == again.questionnaires == again.history == 0
    assert Episode.objects.filter(patient=newcomer).count() == 1
    assert PainEntry.objects.filter(patient=newcomer).count() == 1
    assert QuestionnaireResponse.objects.filter(patient=newcomer).count() == 2
    assert _without_patient(second, newcomer) == _without_patient(first, patient)
    assert validate_codes(second) == []
    assert not newcomer.intakes.exists()  # no invented triage


def test_a_bundle_that_is_not_ours_is_refused_whole_with_reasons():
    patient = history()
    bundle = services.export_patient(patient=patient, viewer=patient)
    appointment = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Appointment"
    )
    appointment["status"] = "arrived"
    newcomer = PatientFactory()

    with pytest.raises(Invalid) as refused:
        services.import_bundle(patient=newcomer, data=bundle, importer=newcomer)

    assert any("arrived" in message for _, message in refused.value.errors)
    assert not PainEntry.objects.filter(patient=newcomer).exists()
    assert not ExternalResource.objects.filter(patient=newcomer).exists()


def test_api_export_is_fhir_json_of_the_callers_own_record(client):
    patient, other = history(), PatientFactory()

    client.force_login(patient)
    response = client.get(URL)
    client.force_login(other)
    others = client.get(URL).json()

    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    assert validate_codes(response.json()) == []
    assert [e["resource"]["id"] for e in others["entry"]] == [f"patient-{other.pk}"]


def test_api_needs_a_patient(client):
    assert client.get(URL).status_code == 401
    assert client.post(URL, "{}", content_type="application/json").status_code == 401
    client.force_login(TherapistFactory())
    assert client.get(URL).status_code == 403
    assert client.post(URL, "{}", content_type="application/json").status_code == 403


def test_api_import_201_then_422_with_reasons(client):
    patient = history()
    bundle = services.export_patient(patient=patient, viewer=patient)
    newcomer = PatientFactory()
    client.force_login(newcomer)

    created = client.post(URL, json.dumps(bundle), content_type="application/fhir+json")
    refused = client.post(
        URL,
        json.dumps({"resourceType": "Bundle", "type": "nonsense"}),
        content_type="application/json",
    )
    not_json = client.post(URL, "{", content_type="application/json")

    assert created.status_code == 201
    assert created.json()["pain_entries"] == 1
    assert refused.status_code == 422
    assert refused.json()["errors"]
    assert not_json.status_code == 422
