"""The patient's progress reports: ask for one, watch it being made, download it.

Download only: Sciaticare never emails a report (health data does not travel by mail); the
patient downloads the PDF and gives it to their doctor (docs/architecture.md, Outcomes).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.errors import NotFound
from sciaticare.outcomes import selectors, services
from sciaticare.outcomes.models import ReportStatus


@login_required
@require_http_methods(["GET", "POST"])
def reports(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_role(Role.PATIENT):
        raise PermissionDenied
    if request.method == "POST":
        services.request_report(patient=request.user)
        messages.success(request, "Your report is being made; this page updates when it is ready.")
        return redirect("outcomes:reports")
    found = list(selectors.reports_of(patient=request.user))
    context = {
        "reports": found,
        "pending": any(r.status == ReportStatus.PENDING for r in found),
    }
    # htmx polls only the list while a report is pending (hx-trigger="every 2s").
    template = (
        "outcomes/reports.html#report-list"
        if request.headers.get("HX-Request")
        else "outcomes/reports.html"
    )
    return render(request, template, context)


@login_required
@require_GET
def download(request: AuthedRequest, report_id: int) -> HttpResponse:
    try:
        found = selectors.ready_report_for(user=request.user, report_id=report_id)
    except NotFound as exc:
        raise Http404 from exc
    made = timezone.localtime(found.finished_at or found.requested_at)
    response = HttpResponse(bytes(found.pdf or b""), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="sciaticare-report-{made:%Y-%m-%d}-{found.pk}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
