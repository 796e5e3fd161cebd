"""FHIR R4 export and import: the caller's own record (GET and POST /api/v1/patients/me/fhir),
and a patient's record for their treating therapists and clinics (GET /api/v1/patients/{id}/fhir)."""

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.utils.translation import gettext
from ninja import Router, Schema, Status

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.bounds import ApiId, loads_json
from sciaticare.core.errors import DomainError, Invalid, Refused
from sciaticare.core.schemas import Problem
from sciaticare.interop import services, services_standard
from sciaticare.interop.fhir.export import bundle_json
from sciaticare.interop.fhir.imported import ImportSummary
from sciaticare.interop.fhir.standard import ACCEPTED_TYPES, MAX_ENTRIES

router = Router(tags=["interop"])

FHIR_JSON = "application/fhir+json"


class BundleTooLarge(DomainError):
    status = 413


class SkippedOut(Schema):
    resource: str
    reason: str


class ImportSummaryOut(Schema):
    episodes: int
    pain_entries: int
    questionnaires: int
    history: int
    skipped: int
    warnings: list[str]
    skipped_resources: list[SkippedOut]


#: A typical EHR's answer to a search for a patient's pain scores and sciatica: a searchset
#: with server ids, meta, narrative, a valueQuantity and an effectivePeriod.
EHR_EXAMPLE: dict[str, Any] = {
    "resourceType": "Bundle",
    "type": "searchset",
    "total": 3,
    "entry": [
        {
            "fullUrl": "https://ehr.example.org/fhir/Observation/pain-back-1",
            "resource": {
                "resourceType": "Observation",
                "id": "pain-back-1",
                "meta": {"lastUpdated": "2026-03-02T09:15:00+00:00"},
                "identifier": [{"system": "https://ehr.example.org/obs", "value": "81234"}],
                "status": "final",
                "code": {
                    "coding": [{"system": "http://loinc.org", "code": "72514-3"}],
                    "text": "Pain severity 0-10",
                },
                "subject": {"reference": "Patient/p1"},
                "effectiveDateTime": "2026-03-02T09:10:00+00:00",
                "valueQuantity": {"value": 6, "unit": "score"},
                "bodySite": {"coding": [{"system": "http://snomed.info/sct", "code": "37822005"}]},
            },
            "search": {"mode": "match"},
        },
        {
            "fullUrl": "https://ehr.example.org/fhir/Observation/pain-leg-1",
            "resource": {
                "resourceType": "Observation",
                "id": "pain-leg-1",
                "identifier": [{"system": "https://ehr.example.org/obs", "value": "81235"}],
                "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "72514-3"}]},
                "subject": {"reference": "Patient/p1"},
                "effectivePeriod": {"start": "2026-03-02T09:10:00+00:00"},
                "valueInteger": 7,
                "bodySite": {"coding": [{"system": "http://snomed.info/sct", "code": "61685007"}]},
            },
            "search": {"mode": "match"},
        },
        {
            "fullUrl": "https://ehr.example.org/fhir/Condition/c1",
            "resource": {
                "resourceType": "Condition",
                "id": "c1",
                "clinicalStatus": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                            "code": "active",
                        }
                    ]
                },
                "code": {
                    "coding": [
                        {"system": "http://snomed.info/sct", "code": "23056005"},
                        {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M54.32"},
                    ]
                },
                "subject": {"reference": "Patient/p1"},
                "onsetDateTime": "2026-02-20",
            },
            "search": {"mode": "match"},
        },
    ],
}
#: The body as the document states it: loose enough that whatever breaks it is also what the
#: route refuses (a 4xx), since resources are checked one by one, not by this schema.
BUNDLE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "A FHIR R4 Bundle (https://hl7.org/fhir/R4/bundle.html). Each entry's `resource` is "
        "checked on its own against FHIR R4; `fullUrl`, `id` and `request` are not needed."
    ),
    "required": ["resourceType", "type", "entry"],
    "properties": {
        "resourceType": {"type": "string", "enum": ["Bundle"]},
        "type": {"type": "string", "enum": list(ACCEPTED_TYPES)},
        "entry": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_ENTRIES,
            "items": {
                "type": "object",
                "properties": {
                    "fullUrl": {"type": "string"},
                    "resource": {
                        "description": (
                            "An Observation (LOINC 72514-3), a QuestionnaireResponse of one "
                            "of our instruments, a Condition of sciatica; anything else is "
                            "listed as skipped."
                        )
                    },
                },
            },
        },
    },
}


def _patient(request: AuthedRequest) -> None:
    if not request.user.has_role(Role.PATIENT):
        raise Refused("patients_only", gettext("Only patients have a record to export or import."))


@router.get(
    "/patients/me/fhir",
    # The Bundle is sent as an HttpResponse with FHIR's media type, so 200 is declared here.
    response={403: Problem},
    openapi_extra={
        "responses": {
            "200": {
                "description": "A FHIR R4 Bundle.",
                "content": {FHIR_JSON: {"schema": {"type": "object"}}},
            }
        }
    },
    summary="Your record as a FHIR R4 Bundle",
    description="A `collection` Bundle, served as `application/fhir+json`.",
)
def export_own(request: AuthedRequest) -> HttpResponse:
    _patient(request)
    bundle = services.export_patient(patient=request.user, viewer=request.user)
    return HttpResponse(bundle_json(bundle), content_type=FHIR_JSON)


def _summary_out(summary: ImportSummary) -> ImportSummaryOut:
    return ImportSummaryOut(
        episodes=summary.episodes,
        pain_entries=summary.pain_entries,
        questionnaires=summary.questionnaires,
        history=summary.history,
        skipped=summary.skipped,
        warnings=summary.warnings,
        skipped_resources=[
            SkippedOut(resource=s.resource, reason=s.reason) for s in summary.skipped_resources
        ],
    )


def _body(request: AuthedRequest) -> bytes:
    try:
        return request.body
    except RequestDataTooBig:
        raise BundleTooLarge(
            "bundle_too_large",
            gettext("The Bundle is larger than %(size)s MB: send it in parts.")
            % {"size": f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024:g}"},
        ) from None


@router.post(
    "/patients/me/fhir",
    response={201: ImportSummaryOut, 403: Problem, 413: Problem, 422: Problem},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                FHIR_JSON: {"schema": BUNDLE_SCHEMA, "example": EHR_EXAMPLE},
                "application/json": {"schema": BUNDLE_SCHEMA},
            },
        }
    },
    summary="Import a FHIR R4 Bundle into your record",
    description=(
        "A Bundle exported by Sciaticare (another clinic's instance): episodes, diary days and "
        "questionnaires join your record; other clinics' sessions are kept as read-only "
        "history; the Bundle is refused whole (422, naming each problem) if any of it breaks "
        "the rules.\n\n"
        "A Bundle from another system (type collection, transaction, batch, searchset or "
        "document; no fullUrl or id needed; a transaction's requests are not executed): pain "
        "scores (Observation, LOINC 72514-3, `valueInteger` or `valueQuantity` 0-10, with a "
        "`bodySite` of the lower back or a leg; a day needs both), responses to our "
        "instruments (`questionnaire` our canonical URL, or the ODI's LOINC panel 97908-8; "
        "items by our linkIds) and sciatica (Condition, SNOMED CT 23056005 or ICD-10-CM "
        "M54.3x, with an onset) join your record, each checked as typed data is; everything "
        "else is listed in `skipped_resources` with the reason. 422 only when the Bundle "
        "cannot be read at all: not JSON, not a Bundle of those types, no entries, more than "
        f"{MAX_ENTRIES} entries, or more than one person's data. 413 over the size limit.\n\n"
        "Importing the same Bundle twice adds nothing."
    ),
)
def import_own(request: AuthedRequest) -> Status[ImportSummaryOut]:
    _patient(request)
    body = _body(request)
    try:
        data = loads_json(body)
    except UnicodeDecodeError:
        raise Invalid(
            "invalid_json", gettext("The body is not JSON."), [("body", "not JSON")]
        ) from None
    except ValueError as exc:
        raise Invalid(
            "invalid_json",
            gettext("The body is not JSON we can read: %(error)s.") % {"error": exc},
            [("body", str(exc))],
        ) from None
    summary = services_standard.import_fhir_bundle(
        patient=request.user, data=data, importer=request.user
    )
    return Status(201, _summary_out(summary))


@router.get(
    "/patients/{patient_id}/fhir",
    response={404: Problem, 422: Problem},
    openapi_extra={
        "responses": {
            "200": {
                "description": "A FHIR R4 Bundle.",
                "content": {FHIR_JSON: {"schema": {"type": "object"}}},
            }
        }
    },
    summary="A patient's record as a FHIR R4 Bundle, for their therapist or clinic",
    description=(
        "For a therapist who treats the patient (a booked, attended or missed appointment, or "
        "the patient's active consent to read their intake): the whole record. For an admin of a "
        "clinic the patient has attended: the patient's health data and the sessions held at "
        "that clinic. `reason` is required (422 without it) and kept in the audit log, which "
        "the patient sees. Anyone else, site admins included, gets 404, whether or not the "
        "patient exists. The patient may use this route for their own record too."
    ),
)
def export_for_clinic(request: AuthedRequest, patient_id: ApiId, reason: str = "") -> HttpResponse:
    patient, _ = services.export_access(viewer=request.user, patient_id=patient_id)
    bundle = services.export_patient(patient=patient, viewer=request.user, reason=reason)
    return HttpResponse(bundle_json(bundle), content_type=FHIR_JSON)
