"""Pages of the interop app: the patient's "Your data" page (download everything, bring in
records from another system, and the way to delete the account), and the per-patient FHIR
export of their therapists and clinics."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core import generated
from sciaticare.core.bounds import loads_json
from sciaticare.core.errors import DomainError, Invalid, NotFound
from sciaticare.interop import archive, selectors, services, services_archive, services_standard
from sciaticare.interop.fhir.export import bundle_json
from sciaticare.interop.forms import BundleUploadForm, size_limit_mb
from sciaticare.interop.tasks import build_data_export
from sciaticare.privacy import services as privacy_services


def _patients_only(request: AuthedRequest) -> None:
    if not request.user.has_role(Role.PATIENT):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def your_data(request: AuthedRequest) -> HttpResponse:
    user = request.user
    _patients_only(request)
    if request.method == "POST":
        try:
            # The row and its task (a row of the task table) commit together or not at all:
            # an archive is never left "being made" with no task to make it.
            with transaction.atomic():
                export, new = services_archive.request_data_export(patient=user)
                if new:
                    build_data_export.enqueue(export.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, gettext("Your archive is being made; this page updates when it is ready.")
            )
        return redirect("interop:your_data")
    exports = list(selectors.exports_of(patient=user))
    context = {
        "exports": exports,
        "pending": generated.any_pending(exports),
        "kept_days": selectors.EXPORT_KEPT_FOR.days,
        "files": list(archive.FILES.items()),
        "deletion": privacy_services.pending_deletion(user=user),
        "is_staff_account": user.has_staff_role,
        "cooling_off_days": privacy_services.COOLING_OFF.days,
        "retention_years": privacy_services.RETENTION_YEARS,
        "erased": [label for label in privacy_services.ERASED.values() if label],
        "kept": list(privacy_services.KEPT.values()),
        "import_form": BundleUploadForm(),
        "size_mb": size_limit_mb(),
    }
    return render(
        request, generated.poll_template(request, "interop/your_data.html", "export-list"), context
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_fhir(request: AuthedRequest) -> HttpResponse:
    """The patient's upload of a FHIR Bundle: the same import as the API's POST
    /api/v1/patients/me/fhir (``services_standard.import_fhir_bundle``), then what was added and
    what was skipped, and why. A file that cannot be read is a 413 or 422 naming the problem."""
    _patients_only(request)
    posted = request.method == "POST"  # bound even with no file: "choose a file" is the answer
    form = BundleUploadForm(request.POST, request.FILES) if posted else BundleUploadForm()
    status, summary, problems = 200, None, []
    if posted:
        status = 422
        if form.is_valid():
            try:
                data = loads_json(form.cleaned_data["bundle"].read())
            except ValueError as exc:  # UnicodeDecodeError too
                form.add_error(
                    "bundle",
                    gettext("The file is not JSON, so it cannot be a FHIR Bundle: %(error)s.")
                    % {"error": exc},
                )
            else:
                try:
                    summary = services_standard.import_fhir_bundle(
                        patient=request.user, data=data, importer=request.user
                    )
                except DomainError as exc:
                    form.add_error("bundle", exc.message)
                    # Each problem once: the message may already name the first.
                    problems = [m for _, m in exc.errors if m not in exc.message]
                    status = exc.status
                else:
                    status = 200
        elif form.too_large:
            status = 413
    context = {"form": form, "summary": summary, "problems": problems, "size_mb": size_limit_mb()}
    return render(request, "interop/import_fhir.html", context, status=status)


#: The archive, to its patient only; 404 alike for anyone else's, missing or expired.
download_export = generated.download_view(
    fetch=lambda user, export_id: selectors.ready_export_for(user=user, export_id=export_id),
    content_type="application/zip",
    filename=lambda export, made: f"sciaticare-my-data-{made:%Y-%m-%d}-{export.pk}.zip",
    after=lambda user, export: services_archive.record_download(patient=user, export=export),
)


@login_required
@require_http_methods(["GET", "POST"])
def patient_fhir(request: AuthedRequest, patient_id: int) -> HttpResponse:
    """A treating therapist's or clinic admin's export of one patient's FHIR Bundle: asks for
    the reason, then downloads. 404 for anyone who may not export it (services.export_access)."""
    try:
        patient, access = services.export_access(viewer=request.user, patient_id=patient_id)
    except NotFound:
        raise Http404 from None
    if access.kind == "self":
        return redirect("interop:your_data")
    reason = request.POST.get("reason", "") if request.method == "POST" else ""
    if request.method == "POST":
        try:
            bundle = services.export_patient(patient=patient, viewer=request.user, reason=reason)
        except Invalid:
            pass  # no reason given: ask again
        else:
            response = HttpResponse(
                bundle_json(bundle, indent=2),
                content_type="application/fhir+json",
            )
            response["Content-Disposition"] = (
                f'attachment; filename="sciaticare-patient-{patient.pk}.fhir.json"'
            )
            return response
    return render(
        request,
        "interop/patient_fhir.html",
        {"patient": patient, "access": access},
        status=422 if request.method == "POST" else 200,
    )
