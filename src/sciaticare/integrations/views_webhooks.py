"""The clinic admin's webhook pages: the clinic's endpoints, adding one (its secret shown
once), one endpoint's settings and delivery log, with resend, test event, secret roll, disable
and delete. Anyone but the clinic's own admins gets a 404, as for a missing clinic."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from sciaticare.accounts.types import AuthedRequest
from sciaticare.billing.takings_selectors import clinic_zone
from sciaticare.core.errors import Conflict, Invalid, NotFound
from sciaticare.directory.models import Clinic
from sciaticare.directory.selectors.access import clinic_run_by
from sciaticare.integrations import tasks_webhooks
from sciaticare.integrations.forms_webhooks import EndpointForm
from sciaticare.integrations.models.webhooks import WebhookEndpoint
from sciaticare.integrations.selectors import webhooks as selectors
from sciaticare.integrations.services import webhooks as services

LOG_PAGE_SIZE = 20


def _clinic(request: AuthedRequest, clinic_id: int) -> Clinic:
    try:
        return clinic_run_by(user=request.user, clinic_id=clinic_id)
    except NotFound:
        raise Http404 from None


def _endpoint(request: AuthedRequest, clinic_id: int, endpoint_id: int) -> WebhookEndpoint:
    try:
        return selectors.endpoint_for(
            user=request.user, clinic_id=clinic_id, endpoint_id=endpoint_id
        )
    except NotFound:
        raise Http404 from None


def _errors_into(form: EndpointForm, wrong: Invalid) -> None:
    for field, message in wrong.errors or [("", wrong.message)]:
        form.add_error(field if field in form.fields else None, message)


def _secret_page(request: AuthedRequest, endpoint: WebhookEndpoint, secret: str) -> HttpResponse:
    return render(
        request, "integrations/webhook_secret.html", {"endpoint": endpoint, "secret": secret}
    )


@login_required
@require_http_methods(["GET", "POST"])
def webhooks(request: AuthedRequest, clinic_id: int) -> HttpResponse:
    clinic = _clinic(request, clinic_id)
    status = 200
    if request.method == "POST":
        form = EndpointForm(request.POST)
        if form.is_valid():
            try:
                endpoint, secret = services.register_endpoint(
                    clinic=clinic,
                    url=form.cleaned_data["url"],
                    events=form.cleaned_data["events"],
                    description=form.cleaned_data["description"],
                    by=request.user,
                )
            except Invalid as wrong:
                _errors_into(form, wrong)
            except Conflict as refused:
                form.add_error(None, refused.message)
            else:
                return _secret_page(request, endpoint, secret)
        status = 422
    else:
        form = EndpointForm()
    return render(
        request,
        "integrations/webhooks.html",
        {"clinic": clinic, "endpoints": list(selectors.endpoints_of(clinic)), "form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def webhook(request: AuthedRequest, clinic_id: int, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, clinic_id, endpoint_id)
    status = 200
    if request.method == "POST":
        form = EndpointForm(request.POST)
        if form.is_valid():
            try:
                services.change_endpoint(
                    endpoint=endpoint,
                    by=request.user,
                    url=form.cleaned_data["url"],
                    events=form.cleaned_data["events"],
                    description=form.cleaned_data["description"],
                )
            except Invalid as wrong:
                _errors_into(form, wrong)
            else:
                messages.success(request, gettext("Saved."))
                return redirect(
                    "integrations:webhook", clinic_id=clinic_id, endpoint_id=endpoint.pk
                )
        status = 422
        endpoint.refresh_from_db()
    else:
        form = EndpointForm(initial=EndpointForm.initial_of(endpoint))
    page = Paginator(selectors.deliveries_of(endpoint), LOG_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    log = [(delivery, selectors.attempts_of(delivery)) for delivery in page]
    return render(
        request,
        "integrations/webhook.html",
        {
            "clinic": endpoint.clinic,
            "endpoint": endpoint,
            "form": form,
            "page": page,
            "log": log,
            # Moments in the log on the clinic's clock, its zone named.
            "zone": clinic_zone(endpoint.clinic),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def roll_secret(request: AuthedRequest, clinic_id: int, endpoint_id: int) -> HttpResponse:
    """GET asks first: the old secret stops working at once, so the receiver rejects every
    request until the new one is copied into it."""
    endpoint = _endpoint(request, clinic_id, endpoint_id)
    if request.method == "POST":
        secret = services.roll_secret(endpoint=endpoint, by=request.user)
        return _secret_page(request, endpoint, secret)
    return render(request, "integrations/webhook_roll_secret.html", {"endpoint": endpoint})


@login_required
@require_POST
def ping(request: AuthedRequest, clinic_id: int, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, clinic_id, endpoint_id)
    if not endpoint.enabled:
        messages.error(request, gettext("This address is disabled: enable it to send to it."))
    else:
        tasks_webhooks.send_later(services.ping(endpoint=endpoint))
        messages.success(
            request, gettext("A test event is on its way: its result appears in the log below.")
        )
    return redirect("integrations:webhook", clinic_id=clinic_id, endpoint_id=endpoint.pk)


@login_required
@require_POST
def enable(request: AuthedRequest, clinic_id: int, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, clinic_id, endpoint_id)
    on = request.POST.get("enabled") == "1"
    services.change_endpoint(endpoint=endpoint, by=request.user, enabled=on)
    messages.success(
        request,
        gettext("Enabled: events are sent again.")
        if on
        else gettext("Disabled: no events are sent until you enable it."),
    )
    return redirect("integrations:webhook", clinic_id=clinic_id, endpoint_id=endpoint.pk)


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: AuthedRequest, clinic_id: int, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, clinic_id, endpoint_id)
    if request.method == "POST":
        services.remove_endpoint(endpoint=endpoint, by=request.user)
        messages.success(request, gettext("The address and its delivery log are deleted."))
        return redirect("integrations:webhooks", clinic_id=clinic_id)
    return render(request, "integrations/webhook_delete.html", {"endpoint": endpoint})


@login_required
@require_POST
def resend(
    request: AuthedRequest, clinic_id: int, endpoint_id: int, delivery_id: int
) -> HttpResponse:
    try:
        delivery = selectors.delivery_for(
            user=request.user,
            clinic_id=clinic_id,
            endpoint_id=endpoint_id,
            delivery_id=delivery_id,
        )
        services.queue_resend(delivery)
    except NotFound:
        raise Http404 from None
    except Conflict as refused:
        messages.error(request, refused.message)
    else:
        tasks_webhooks.resend_later(delivery)
        messages.success(request, gettext("Sent again: the attempt appears in the log."))
    return redirect("integrations:webhook", clinic_id=clinic_id, endpoint_id=endpoint_id)
