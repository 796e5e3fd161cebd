"""The versioned JSON API under /api/v1/: one NinjaAPI, one router per app, errors mapped once."""

import math

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.log import log_response
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from sciaticare.accounts.api import router as accounts_router
from sciaticare.accounts.auth import api_auth
from sciaticare.billing.api.invoices import router as billing_invoices_router
from sciaticare.billing.api.payments import router as billing_payments_router
from sciaticare.billing.api.policy import router as billing_policy_router
from sciaticare.core.bounds import BoundedJsonParser, JsonRefused
from sciaticare.core.errors import DomainError, invalid_fields_message, not_signed_in_message
from sciaticare.core.openapi import DocumentedAPI
from sciaticare.core.outage import outage_of
from sciaticare.core.ratelimits import CallerThrottle, anonymous_wait, retry_message
from sciaticare.directory.api import router as directory_router
from sciaticare.exercises.api import router as exercises_router
from sciaticare.intake.api import router as intake_router
from sciaticare.integrations.api.webhooks import router as integrations_webhooks_router
from sciaticare.interop.api import router as interop_router
from sciaticare.outcomes.api import router as outcomes_router
from sciaticare.records.api import router as records_router
from sciaticare.scheduling.api import router as scheduling_router

api = DocumentedAPI(
    title="Sciaticare API",
    version="1",
    description=(
        "Triage, directory, booking, session notes and outcomes for massage therapy in "
        "sciatica. Authenticate with `Authorization: Bearer <token>` (make one on your "
        "account page) or the browser session. Errors are `{detail, code, errors}`; while "
        "the database is away or too busy, any call may answer 503 with `Retry-After`. A "
        "503 to a change means it was not made, unless the change had already been saved "
        "when the database went away: look before sending it again."
    ),
    auth=api_auth,
    # Per account, or per IP without one (ratelimits.py; settings.RATE_LIMITS).
    throttle=[CallerThrottle()],
    urls_namespace="api-v1",
    # A body nested deeper than bounds.MAX_JSON_DEPTH is a 400, not a RecursionError.
    parser=BoundedJsonParser(),
)


def _error(
    request: HttpRequest, status: int, detail: str, errors: list | None = None
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors or []}, status=status)


def _field(loc: tuple | list) -> str:
    # ninja locates body fields as ("body", "<parameter>", field, ...): keep only the field path.
    parts = [str(part) for part in loc]
    if parts[:1] == ["body"]:
        parts = parts[2:]
    elif parts[:1] in (["query"], ["path"]):
        parts = parts[1:]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": _field(err.get("loc", ())), "message": err.get("msg", "invalid")}
        for err in exc.errors
    ]
    return _error(request, 422, invalid_fields_message(), errors)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.problem(), status=exc.status)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    # ninja authenticates before it throttles: a refused credential counts as a call without an
    # account, or each guess at a token (a hash and a database read) would be free.
    if (wait := anonymous_wait(request)) is not None:
        return _too_many(request, wait)
    missing = DomainError("not_signed_in", not_signed_in_message())
    refused = api.create_response(request, missing.problem(), status=401)
    # HTTP requires a 401 to name the scheme that would do (RFC 9110, 11.6.1).
    refused["WWW-Authenticate"] = "Bearer"
    return refused


@api.exception_handler(Throttled)
def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    return _too_many(request, max(1, math.ceil(exc.wait or 1)))


def _too_many(request: HttpRequest, wait: int) -> HttpResponse:
    refused = api.create_response(
        request, {"detail": retry_message(wait), "code": "rate_limited", "errors": []}, status=429
    )
    refused["Retry-After"] = str(wait)
    return refused


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def on_database_outage(request: HttpRequest, exc: Exception) -> HttpResponse:
    # What would have been a 500: the database is away or too slow (core/outage.py). Other
    # database errors (an IntegrityError a service did not expect) stay 500s.
    outage = outage_of(exc)
    if outage is None:
        raise exc
    response = api.create_response(request, outage.problem(), status=503)
    response["Retry-After"] = str(outage.retry_after)
    # Logged as Django logs the 5xx it answers itself (with the traceback), once.
    log_response(
        "%s: %s",
        response.reason_phrase,
        request.path,
        response=response,
        request=request,
        exception=exc,
    )
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja's "Cannot parse request body" hides why our parser refused a body: say it.
    refused = exc.__cause__ if isinstance(exc.__cause__, JsonRefused) else None
    return _error(request, exc.status_code, f"{exc}: {refused}" if refused else str(exc))


api.add_router("/", accounts_router)
api.add_router("/", directory_router)
api.add_router("/", intake_router)
api.add_router("/", scheduling_router)
api.add_router("/", records_router)
api.add_router("/", exercises_router)
api.add_router("/", outcomes_router)
api.add_router("/", billing_policy_router)
api.add_router("/", billing_invoices_router)
api.add_router("/", billing_payments_router)
api.add_router("/", interop_router)
api.add_router("/", integrations_webhooks_router)
