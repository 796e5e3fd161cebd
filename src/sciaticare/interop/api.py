"""FHIR R4 export and import of the caller's own record: GET and POST /api/v1/patients/me/fhir."""

import json
from typing import Any

from django.http import HttpResponse
from ninja import Router, Schema, Status

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.errors import Invalid, Refused
from sciaticare.interop import services
from sciaticare.schemas import Problem

router = Router(tags=["interop"])

FHIR_JSON = "application/fhir+json"


class ImportSummaryOut(Schema):
    episodes: int
    pain_entries: int
    questionnaires: int
    history: int
    skipped: int
    warnings: list[str]


def _patient(request: AuthedRequest) -> None:
    if not request.user.has_role(Role.PATIENT):
        raise Refused("patients_only", "Only patients have a record to export or import.")


@router.get(
    "/patients/me/fhir",
    response={200: dict[str, Any], 403: Problem},
    summary="Your record as a FHIR R4 Bundle",
    description="A `collection` Bundle, served as `application/fhir+json`.",
)
def export_own(request: AuthedRequest) -> HttpResponse:
    _patient(request)
    bundle = services.export_patient(patient=request.user, viewer=request.user)
    return HttpResponse(json.dumps(bundle), content_type=FHIR_JSON)


@router.post(
    "/patients/me/fhir",
    response={201: ImportSummaryOut, 403: Problem, 422: Problem},
    summary="Import a FHIR R4 Bundle into your record",
    description=(
        "A Bundle exported by Sciaticare (another clinic's instance). Episodes, diary days and "
        "questionnaires join your record; other clinics' sessions are kept as read-only "
        "history. Importing the same Bundle twice adds nothing. 422 lists why a Bundle is "
        "refused."
    ),
)
def import_own(request: AuthedRequest) -> Status[ImportSummaryOut]:
    _patient(request)
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise Invalid("invalid_json", "The body is not JSON.", [("body", "not JSON")]) from None
    summary = services.import_bundle(patient=request.user, data=data, importer=request.user)
    return Status(
        201,
        ImportSummaryOut(
            episodes=summary.episodes,
            pain_entries=summary.pain_entries,
            questionnaires=summary.questionnaires,
            history=summary.history,
            skipped=summary.skipped,
            warnings=summary.warnings,
        ),
    )
