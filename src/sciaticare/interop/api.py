"""FHIR R4 export and import: the caller's own record (GET and POST /api/v1/patients/me/fhir),
and a patient's record for their treating therapists and clinics (GET /api/v1/patients/{id}/fhir)."""

from django.http import HttpResponse
from django.utils.translation import gettext
from ninja import Router, Schema, Status

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.bounds import ApiId, loads_json
from sciaticare.core.errors import Invalid, Refused
from sciaticare.core.schemas import Problem
from sciaticare.interop import services
from sciaticare.interop.fhir.export import bundle_json

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
        data = loads_json(request.body)
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
