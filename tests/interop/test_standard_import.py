"""Standard FHIR in (issue 18, point 3): POST /api/v1/patients/me/fhir takes Bundles other
systems made (built here with SMART's fhirclient models, and by hand as an EHR sends them),
imports what it can resource by resource, lists what it skipped and why, and adds nothing the
second time. The clock is frozen: what is "the future" depends on it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.utils import timezone
from fhirclient.models import (
    bundle as fc_bundle,
)
from fhirclient.models import (
    codeableconcept,
    condition,
    fhirdatetime,
    fhirreference,
    identifier,
    observation,
    quantity,
    questionnaireresponse,
)

from sciaticare.audit.models import AuditEvent
from sciaticare.core.errors import Invalid
from sciaticare.intake.models import Episode, QuestionnaireResponse
from sciaticare.interop import services, services_standard
from sciaticare.interop.models import ImportedResource
from sciaticare.outcomes.models import PainEntry
from tests.factories import (
    ClinicAdminFactory,
    PainEntryFactory,
    PatientFactory,
    TherapistFactory,
)
from tests.interop.test_export_import import history

pytestmark = pytest.mark.django_db
URL = "/api/v1/patients/me/fhir"
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
PEG = "https://sciaticare.example/fhir/Questionnaire/peg"


REAL_NOW = timezone.now


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def _concept(system: str, code: str, text: str | None = None) -> Any:
    concept = codeableconcept.CodeableConcept(
        {"coding": [{"system": system, "code": code}], **({"text": text} if text else {})}
    )
    return concept


def _pain(value: int, site: str, when: str, ident: str) -> Any:
    made = observation.Observation()
    made.status = "final"
    made.identifier = [identifier.Identifier({"system": "urn:smart-app", "value": ident})]
    made.code = _concept(LOINC, "72514-3", "Pain severity 0-10")
    made.subject = fhirreference.FHIRReference({"reference": "Patient/smart-1"})
    made.effectiveDateTime = fhirdatetime.FHIRDateTime(when)
    made.valueQuantity = quantity.Quantity(
        {
            "value": value,
            "unit": "{score}",
            "system": "http://unitsofmeasure.org",
            "code": "{score}",
        }
    )
    made.bodySite = _concept(SNOMED, site)
    return made


def fhirclient_bundle() -> dict[str, Any]:
    """A SMART app's collection: two days of back and leg pain, a PEG, sciatica on the left."""
    peg = questionnaireresponse.QuestionnaireResponse()
    peg.status = "completed"
    peg.questionnaire = f"{PEG}|1.0"
    peg.authored = fhirdatetime.FHIRDateTime("2026-03-05T18:30:00+01:00")
    peg.subject = fhirreference.FHIRReference({"reference": "Patient/smart-1"})
    peg.item = [
        questionnaireresponse.QuestionnaireResponseItem(
            {"linkId": f"peg-{n}", "answer": [{"valueInteger": value}]}
        )
        for n, value in ((1, 6), (2, 5), (3, 7))
    ]
    sciatica = condition.Condition()
    sciatica.code = codeableconcept.CodeableConcept(
        {
            "coding": [
                {"system": SNOMED, "code": "23056005", "display": "Sciatica"},
                {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M54.32"},
            ]
        }
    )
    sciatica.clinicalStatus = _concept(
        "http://terminology.hl7.org/CodeSystem/condition-clinical", "active"
    )
    sciatica.subject = fhirreference.FHIRReference({"reference": "Patient/smart-1"})
    sciatica.onsetDateTime = fhirdatetime.FHIRDateTime("2026-02-20")
    resources = [
        _pain(6, "37822005", "2026-03-04T08:00:00+00:00", "b-1"),
        _pain(7, "61685007", "2026-03-04T08:00:00+00:00", "l-1"),
        _pain(4, "37822005", "2026-03-05T08:00:00+00:00", "b-2"),
        _pain(5, "32153003", "2026-03-05T08:00:00+00:00", "l-2"),
        peg,
        sciatica,
    ]
    made = fc_bundle.Bundle()
    made.type = "collection"
    made.entry = []
    for resource in resources:
        entry = fc_bundle.BundleEntry()
        entry.resource = resource
        made.entry.append(entry)
    return made.as_json()


def ehr_bundle() -> dict[str, Any]:
    """A searchset as an EHR answers a search: server ids and fullUrls, meta, narrative,
    extensions, a contained resource, valueQuantity in "score", an effectivePeriod; an
    Encounter and a blood pressure come along too."""
    narrative = {"status": "generated", "div": '<div xmlns="http://www.w3.org/1999/xhtml">x</div>'}

    def entry(resource: dict[str, Any]) -> dict[str, Any]:
        return {
            "fullUrl": f"https://ehr.example.org/fhir/{resource['resourceType']}/{resource['id']}",
            "resource": {
                "meta": {"versionId": "3", "lastUpdated": "2026-03-06T10:00:00Z"},
                "text": narrative,
                **resource,
            },
            "search": {"mode": "match"},
        }

    pain_code = {
        "coding": [{"system": LOINC, "code": "72514-3", "display": "Pain severity - 0-10"}],
        "text": "Pain score",
    }
    return {
        "resourceType": "Bundle",
        "id": "search-1",
        "meta": {"lastUpdated": "2026-03-06T10:00:00Z"},
        "type": "searchset",
        "total": 6,
        "link": [{"relation": "self", "url": "https://ehr.example.org/fhir/Observation?patient=9"}],
        "entry": [
            entry(
                {
                    "resourceType": "Observation",
                    "id": "obs-101",
                    "extension": [
                        {"url": "https://ehr.example.org/ext/entered-by", "valueString": "kiosk"}
                    ],
                    "identifier": [{"system": "https://ehr.example.org/obs", "value": "101"}],
                    "status": "final",
                    "category": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                    "code": "survey",
                                }
                            ]
                        }
                    ],
                    "code": pain_code,
                    "subject": {"reference": "Patient/9", "display": "A. Patient"},
                    "effectivePeriod": {
                        "start": "2026-03-06T09:00:00+00:00",
                        "end": "2026-03-06T09:05:00+00:00",
                    },
                    "performer": [{"reference": "#nurse"}],
                    "contained": [
                        {"resourceType": "Practitioner", "id": "nurse", "name": [{"family": "Ng"}]}
                    ],
                    "valueQuantity": {"value": 8, "unit": "score"},
                    "bodySite": {
                        "coding": [
                            {
                                "system": SNOMED,
                                "code": "37822005",
                                "display": "Lower back structure",
                            }
                        ]
                    },
                }
            ),
            entry(
                {
                    "resourceType": "Observation",
                    "id": "obs-102",
                    "identifier": [{"system": "https://ehr.example.org/obs", "value": "102"}],
                    "status": "amended",
                    "code": pain_code,
                    "subject": {"reference": "Patient/9"},
                    "effectiveDateTime": "2026-03-06T09:01:00+00:00",
                    "valueQuantity": {"value": 6, "unit": "score"},
                    "bodySite": {"coding": [{"system": SNOMED, "code": "62175007"}]},
                }
            ),
            entry(
                {
                    "resourceType": "Observation",
                    "id": "obs-103",
                    "status": "final",
                    "code": pain_code,
                    "subject": {"reference": "Patient/9"},
                    "effectiveDateTime": "2026-03-06T09:02:00+00:00",
                    "valueQuantity": {"value": 5, "unit": "score"},
                }
            ),
            entry(
                {
                    "resourceType": "Observation",
                    "id": "bp-1",
                    "status": "final",
                    "code": {"coding": [{"system": LOINC, "code": "85354-9"}]},
                    "subject": {"reference": "Patient/9"},
                    "effectiveDateTime": "2026-03-06T09:03:00+00:00",
                }
            ),
            entry(
                {
                    "resourceType": "Encounter",
                    "id": "enc-1",
                    "status": "finished",
                    "class": {
                        "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                        "code": "AMB",
                    },
                    "subject": {"reference": "Patient/9"},
                }
            ),
            entry(
                {
                    "resourceType": "Condition",
                    "id": "cond-7",
                    "clinicalStatus": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                "code": "active",
                            }
                        ]
                    },
                    "verificationStatus": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                                "code": "confirmed",
                            }
                        ]
                    },
                    "code": {
                        "coding": [
                            {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M54.31"}
                        ],
                        "text": "Sciatica, right side",
                    },
                    "subject": {"reference": "Patient/9"},
                    "onsetPeriod": {"start": "2026-01-15"},
                }
            ),
        ],
    }


def _post(client: Any, patient: Any, data: Any, content_type: str = "application/fhir+json"):
    client.force_login(patient)
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(URL, body, content_type=content_type)


def test_a_fhirclient_bundle_becomes_diary_days_a_score_and_an_episode(client):
    patient = PatientFactory()

    response = _post(client, patient, fhirclient_bundle())

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["episodes"], body["pain_entries"], body["questionnaires"]) == (1, 2, 1)
    assert body["skipped"] == 0
    assert body["skipped_resources"] == []
    assert list(
        PainEntry.objects.filter(patient=patient).values_list("day", "back_pain", "leg_pain")
    ) == [
        (date(2026, 3, 4), 6, 7),
        (date(2026, 3, 5), 4, 5),
    ]
    peg = QuestionnaireResponse.objects.get(patient=patient)
    assert (peg.instrument, peg.score) == ("peg", 6.0)
    assert Episode.objects.get(patient=patient).started_on == date(2026, 2, 20)
    condition_ = next(
        e["resource"]
        for e in services.export_patient(patient=patient, viewer=patient)["entry"]
        if e["resource"]["resourceType"] == "Condition"
    )
    assert {c["code"] for c in condition_["code"]["coding"]} == {"23056005", "M54.32"}


def test_the_same_bundle_twice_adds_nothing(client):
    patient = PatientFactory()

    _post(client, patient, fhirclient_bundle())
    again = _post(client, patient, fhirclient_bundle()).json()

    assert (again["episodes"], again["pain_entries"], again["questionnaires"]) == (0, 0, 0)
    assert {s["reason"] for s in again["skipped_resources"]} == {"already imported"}
    assert again["skipped"] == 6
    assert PainEntry.objects.filter(patient=patient).count() == 2
    assert ImportedResource.objects.filter(patient=patient).count() == 6


def test_a_typical_ehr_searchset_imports_what_it_can_and_says_why_for_the_rest(client):
    patient = PatientFactory()

    body = _post(client, patient, ehr_bundle(), "application/json").json()

    assert (body["episodes"], body["pain_entries"], body["questionnaires"]) == (1, 1, 0), body
    skipped = {s["resource"]: s["reason"] for s in body["skipped_resources"]}
    assert set(skipped) == {"Observation/obs-103", "Observation/bp-1", "Encounter/enc-1"}
    assert "back or leg" in skipped["Observation/obs-103"]
    assert "72514-3" in skipped["Observation/bp-1"]
    assert body["skipped"] == 3
    entry = PainEntry.objects.get(patient=patient)
    assert (entry.day, entry.back_pain, entry.leg_pain) == (date(2026, 3, 6), 8, 6)
    assert Episode.objects.get(patient=patient).started_on == date(2026, 1, 15)
    assert _post(client, patient, ehr_bundle()).json()["pain_entries"] == 0


def test_the_import_is_audited(client):
    patient = PatientFactory()

    _post(client, patient, ehr_bundle())

    event = AuditEvent.objects.get(action="fhir.import", patient=patient)
    assert event.actor == patient
    assert "2 added, 3 skipped" in event.reason


def test_typed_data_rules_skip_a_future_day_and_never_overwrite_your_own(client):
    patient = PatientFactory()
    PainEntryFactory(patient=patient, day=date(2026, 3, 4), back_pain=1, leg_pain=1)
    data = fhirclient_bundle()
    future = [
        _pain(3, "37822005", "2026-04-01T08:00:00+00:00", "b-9"),
        _pain(3, "61685007", "2026-04-01T08:00:00+00:00", "l-9"),
    ]
    data["entry"] += [{"resource": r.as_json()} for r in future]

    body = _post(client, patient, data).json()

    assert body["pain_entries"] == 1  # 5 March; 4 March is yours, 1 April is ahead
    reasons = [s["reason"] for s in body["skipped_resources"]]
    assert sum("never overwritten" in r for r in reasons) == 2
    assert sum("in the future" in r for r in reasons) == 2
    assert PainEntry.objects.get(patient=patient, day=date(2026, 3, 4)).back_pain == 1


def test_an_incomplete_questionnaire_is_skipped_with_why():
    patient = PatientFactory()
    data = fhirclient_bundle()
    peg = next(
        e["resource"]
        for e in data["entry"]
        if e["resource"]["resourceType"] == "QuestionnaireResponse"
    )
    peg["item"] = peg["item"][:2]

    summary = services_standard.import_standard_bundle(patient=patient, data=data, importer=patient)

    assert summary.questionnaires == 0
    assert any("peg-3" in s.reason for s in summary.skipped_resources)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("{", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        ("[]", "not a FHIR Bundle"),
        ('{"resourceType": "Bundle", "type": "message", "entry": [{}]}', "Bundle.type"),
        ('{"resourceType": "Bundle", "type": "collection", "entry": []}', "no entries"),
        ('{"resourceType": "Bundle", "type": "collection", "entry": [1], "x": 2}', "entry"),
    ],
)
def test_junk_is_a_422_saying_what_was_wrong(client, body, why):
    patient = PatientFactory()

    response = _post(client, patient, body)

    assert response.status_code == 422
    assert why in json.dumps(response.json())
    assert not AuditEvent.objects.filter(action="fhir.import").exists()


def test_a_body_over_the_limit_is_a_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    patient = PatientFactory()

    response = _post(client, patient, ehr_bundle())

    assert response.status_code == 413
    assert response.json()["code"] == "bundle_too_large"


def test_junk_resources_in_a_readable_bundle_are_skipped_not_a_500(client):
    patient = PatientFactory()
    data = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            {"request": {"method": "DELETE", "url": "Observation/1"}},
            {"resource": {"resourceType": "Observation", "status": 5}},
            {"resource": {"foo": "bar"}},
            {"resource": {"resourceType": "QuestionnaireResponse", "status": "completed"}},
        ],
    }

    response = _post(client, patient, data)

    assert response.status_code == 201
    assert response.json()["skipped"] == 4


def test_your_own_sciaticare_export_still_goes_through_the_whole_or_nothing_import(
    client, monkeypatch
):
    monkeypatch.setattr(timezone, "now", REAL_NOW)  # history() dates some rows by the clock
    mine = history()
    bundle = services.export_patient(patient=mine, viewer=mine)
    newcomer = PatientFactory()

    body = _post(client, newcomer, bundle).json()

    assert "pain_entries" in body, body
    assert body["pain_entries"] == 1
    assert body["history"] > 0
    assert body["skipped_resources"] == []
    with pytest.raises(Invalid):
        services.import_bundle(
            patient=newcomer, data={**bundle, "type": "searchset"}, importer=newcomer
        )


@pytest.mark.parametrize(
    ("make", "status"),
    [(None, 401), (TherapistFactory, 403), (ClinicAdminFactory, 403)],
)
def test_only_patients_import(client, make, status):
    if make is not None:
        client.force_login(make())

    response = client.post(URL, json.dumps(ehr_bundle()), content_type="application/fhir+json")

    assert response.status_code == status
    assert not PainEntry.objects.exists()


def test_the_document_describes_the_body_with_an_ehr_example(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"][URL]["post"]

    content = operation["requestBody"]["content"]
    assert set(content) == {"application/fhir+json", "application/json"}
    assert content["application/fhir+json"]["example"]["type"] == "searchset"
    assert {"413", "422", "201"} <= set(operation["responses"])
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "skipped_resources" in schema["ImportSummaryOut"]["properties"]


def test_a_spanish_speaker_reads_why_in_spanish(client):
    patient = PatientFactory()
    patient.language = "es"
    patient.save(update_fields=["language"])

    body = _post(client, patient, ehr_bundle()).json()

    reasons = {s["resource"]: s["reason"] for s in body["skipped_resources"]}
    assert "no indica si mide el dolor de espalda" in reasons["Observation/obs-103"]
