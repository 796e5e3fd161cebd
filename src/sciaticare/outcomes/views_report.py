"""The patient's progress reports: ask for one, watch it being made, download it or send it.

The PDF itself never travels by mail: "send" mails the doctor a secret link, and the patient
gives the doctor a code that opens it (models.ReportShare; docs/architecture.md, Outcomes).
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core import generated
from sciaticare.core.errors import Invalid, NotFound, Refused
from sciaticare.outcomes import selectors, services
from sciaticare.outcomes.identity import IDENTIFIER_MAX, PatientIdentity
from sciaticare.outcomes.tasks import build_report


@login_required
@require_http_methods(["GET", "POST"])
def reports(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_role(Role.PATIENT):
        raise PermissionDenied
    errors: dict[str, str] = {}
    identity = selectors.last_identity(patient=request.user)
    if request.method == "POST":
        identity = PatientIdentity(
            _date(request.POST.get("date_of_birth", "")),
            request.POST.get("identifier", "")[: IDENTIFIER_MAX * 2],
        )
        try:
            # The row and its task commit together or not at all (as interop's archive).
            with transaction.atomic():
                progress, new = services.request_report(patient=request.user, identity=identity)
                if new:
                    build_report.enqueue(progress.pk)
        except Invalid as exc:
            errors = dict(exc.errors)
        else:
            messages.success(
                request, gettext("Your report is being made; this page updates when it is ready.")
            )
            return redirect("outcomes:reports")
    found = list(selectors.reports_of(patient=request.user))
    context = {
        "identity": identity,
        "errors": errors,
        "reports": found,
        "pending": generated.any_pending(found),
        "shares": selectors.shares_of(patient=request.user),
        "share_days": services.SHARE_DAYS,
        "kept_days": services.REPORT_KEPT_FOR.days,
    }
    template = generated.poll_template(request, "outcomes/reports.html", "report-list")
    return render(request, template, context, status=422 if errors else 200)


def _date(raw: str) -> date | None:
    """A date typed in the form (YYYY-MM-DD from a date input), or None when it is not one."""
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None


#: A ready report, to its patient only; 404 alike for anyone else's, missing or pending.
download = generated.download_view(
    fetch=lambda user, report_id: selectors.ready_report_for(user=user, report_id=report_id),
    content_type="application/pdf",
    filename=lambda found, made: f"sciaticare-report-{made:%Y-%m-%d}-{found.pk}.pdf",
)


@login_required
@require_POST
def share(request: AuthedRequest, report_id: int) -> HttpResponse:
    """Send a ready report to the patient's doctor; the code to pass on is shown once, here."""
    try:
        sent, code = services.share_report(
            patient=request.user, report_id=report_id, email=request.POST.get("email", "")
        )
    except NotFound as exc:
        raise Http404 from exc
    except Invalid as exc:
        messages.error(request, exc.message)
        return redirect("outcomes:reports")
    # PrivateResponsesMiddleware marks it no-store: the code must not come back from a cache.
    return render(request, "outcomes/share_sent.html", {"share": sent, "code": code})


@login_required
@require_POST
def stop_share(request: AuthedRequest, share_id: int) -> HttpResponse:
    if request.POST.get("confirm") != "yes":
        messages.error(
            request, gettext("Tick the box to confirm that the link should stop working.")
        )
        return redirect("outcomes:reports")
    try:
        stopped = services.stop_share(patient=request.user, share_id=share_id)
    except NotFound as exc:
        raise Http404 from exc
    messages.success(
        request,
        gettext("The link sent to %(email)s no longer works.") % {"email": stopped.recipient_email},
    )
    return redirect("outcomes:reports")


@require_http_methods(["GET", "POST"])
def shared_report(request: HttpRequest, token: str) -> HttpResponse:
    """The doctor's side: the link from the mail, then the code from the patient, then the PDF."""
    error = ""
    status = 200
    if request.method == "POST":
        try:
            found = services.open_shared_report(token=token, code=request.POST.get("code", ""))
        except NotFound as exc:
            raise Http404 from exc
        except (Invalid, Refused) as exc:
            error, status = exc.message, exc.status
        else:
            response = generated.file_response(
                found, content_type="application/pdf", filename=f"progress-report-{found.pk}.pdf"
            )
            response["Cache-Control"] = "private, no-store"
            return response
    response = render(request, "outcomes/shared_report.html", {"error": error}, status=status)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
