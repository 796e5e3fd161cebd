"""The versioned JSON API under /api/v1/: one NinjaAPI, one router per app, errors mapped once."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from sciaticare.accounts.api import router as accounts_router
from sciaticare.accounts.auth import api_auth

api = NinjaAPI(
    title="Sciaticare API",
    version="1",
    description=(
        "Triage, directory, booking, session notes and outcomes for massage therapy in "
        "sciatica. Authenticate with `Authorization: Bearer <token>` (make one on your "
        "account page) or the browser session. Errors are `{detail, errors}`."
    ),
    auth=api_auth,
    urls_namespace="api-v1",
)


def _error(
    request: HttpRequest, status: int, detail: str, errors: list | None = None
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors or []}, status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "field": ".".join(str(part) for part in err.get("loc", ())[1:]) or "body",
            "message": err.get("msg", "invalid"),
        }
        for err in exc.errors
    ]
    return _error(request, 422, "The request has invalid fields.", errors)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "Sign in, or send a valid bearer token.")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, str(exc))


api.add_router("/", accounts_router)
