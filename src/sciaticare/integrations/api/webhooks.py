"""Integrations API: a clinic's webhook endpoints and their delivery logs, for the clinic's own
admins (anyone else: 404, as for a missing clinic). An endpoint's secret is in the answer that
made it (creation, `roll_secret`) and never again (docs/integrations.md, "Webhooks")."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.bounds import MAX_PAGE, ApiId
from sciaticare.core.schemas import Body, OffsetDatetime, Problem
from sciaticare.directory.selectors.access import clinic_run_by
from sciaticare.integrations import tasks_webhooks
from sciaticare.integrations.models.webhooks import WebhookDelivery, WebhookEndpoint
from sciaticare.integrations.selectors import webhooks as selectors
from sciaticare.integrations.services import webhooks as services

router = Router(tags=["integrations"])

MAX_PAGE_SIZE = 100
EventName = Literal[
    "appointment.booked",
    "appointment.cancelled",
    "appointment.rescheduled",
    "appointment.completed",
    "note.signed",
    "invoice.paid",
]


class EndpointOut(Body):
    id: int
    url: str
    description: str
    events: list[str]
    enabled: bool
    created_at: OffsetDatetime
    secret_rolled_at: OffsetDatetime
    secret: str | None = Field(
        None,
        description="The signing secret (`whsec_…`): only in the answer that made it (creation, "
        "`roll_secret`); keep it, it is not shown again.",
    )

    @staticmethod
    def of(endpoint: WebhookEndpoint, secret: str | None = None) -> EndpointOut:
        return EndpointOut(
            id=endpoint.pk,
            url=endpoint.url,
            description=endpoint.description,
            events=list(endpoint.events),
            enabled=endpoint.enabled,
            created_at=endpoint.created_at,
            secret_rolled_at=endpoint.secret_rolled_at,
            secret=secret,
        )


class EndpointPageOut(Body):
    items: list[EndpointOut]
    count: int
    page: int
    page_size: int


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


class EndpointIn(Schema):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=500, description="https:// on a public server.")
    events: list[EventName] = Field(min_length=1, max_length=6)
    description: str = Field("", max_length=200)


class EndpointPatch(Schema):
    """The fields to change; those left out keep their value."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(None, max_length=500)
    events: list[EventName] | None = Field(None, min_length=1, max_length=6)
    description: str | None = Field(None, max_length=200)
    enabled: bool | None = None
    roll_secret: bool = Field(
        False, description="Make a new secret (the old one stops at once); it is in the answer."
    )


class DeliveryOut(Body):
    id: int
    event_id: str
    event_type: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_at: OffsetDatetime | None = Field(description="The next try, while pending.")
    created_at: OffsetDatetime
    delivered_at: OffsetDatetime | None
    last_status_code: int | None = Field(description="The last attempt's HTTP status, if any.")
    last_error: str = Field(description="Why the last attempt had no HTTP status, if it had not.")
    body: str = Field(description="The JSON body exactly as signed and sent.")

    @staticmethod
    def of(delivery: WebhookDelivery) -> DeliveryOut:
        last = selectors.attempts_of(delivery)[:1]
        return DeliveryOut(
            id=delivery.pk,
            event_id=str(delivery.event_id),
            event_type=delivery.event_type,
            status=delivery.status,  # type: ignore[arg-type]
            attempts=delivery.attempts,
            next_attempt_at=delivery.next_attempt_at,
            created_at=delivery.created_at,
            delivered_at=delivery.delivered_at,
            last_status_code=last[0].status_code if last else None,
            last_error=last[0].error if last else "",
            body=delivery.body,
        )


class DeliveryPageOut(Body):
    items: list[DeliveryOut]
    count: int
    page: int
    page_size: int


@router.get(
    "/clinics/{clinic_id}/webhooks",
    response={200: EndpointPageOut, 404: Problem},
    summary="A clinic's webhook endpoints (its clinic admins)",
)
def list_endpoints(
    request: AuthedRequest, clinic_id: ApiId, query: Query[PageQuery]
) -> EndpointPageOut:
    """Oldest first, paginated; secrets are never listed."""
    clinic = clinic_run_by(user=request.user, clinic_id=clinic_id)
    found = selectors.endpoints_of(clinic)
    start = (query.page - 1) * query.page_size
    return EndpointPageOut(
        items=[EndpointOut.of(e) for e in found[start : start + query.page_size]],
        count=found.count(),
        page=query.page,
        page_size=query.page_size,
    )


@router.post(
    "/clinics/{clinic_id}/webhooks",
    response={201: EndpointOut, 404: Problem, 409: Problem, 422: Problem},
    summary="Register a webhook endpoint (its clinic admins)",
)
def create_endpoint(request: AuthedRequest, clinic_id: ApiId, payload: EndpointIn) -> Status:
    """The answer carries the endpoint's secret, once. 422 for an address that is not https://
    on a public server; 409 past a clinic's limit of endpoints."""
    clinic = clinic_run_by(user=request.user, clinic_id=clinic_id)
    endpoint, secret = services.register_endpoint(
        clinic=clinic,
        url=payload.url,
        events=list(payload.events),
        description=payload.description,
        by=request.user,
    )
    return Status(201, EndpointOut.of(endpoint, secret))


@router.get(
    "/clinics/{clinic_id}/webhooks/{endpoint_id}",
    response={200: EndpointOut, 404: Problem},
    summary="One webhook endpoint (its clinic admins)",
)
def get_endpoint(request: AuthedRequest, clinic_id: ApiId, endpoint_id: ApiId) -> EndpointOut:
    return EndpointOut.of(
        selectors.endpoint_for(user=request.user, clinic_id=clinic_id, endpoint_id=endpoint_id)
    )


@router.patch(
    "/clinics/{clinic_id}/webhooks/{endpoint_id}",
    response={200: EndpointOut, 404: Problem, 422: Problem},
    summary="Change, disable or roll the secret of a webhook endpoint (its clinic admins)",
)
def patch_endpoint(
    request: AuthedRequest, clinic_id: ApiId, endpoint_id: ApiId, payload: EndpointPatch
) -> EndpointOut:
    endpoint = selectors.endpoint_for(
        user=request.user, clinic_id=clinic_id, endpoint_id=endpoint_id
    )
    endpoint = services.change_endpoint(
        endpoint=endpoint,
        by=request.user,
        url=payload.url,
        events=list(payload.events) if payload.events is not None else None,
        description=payload.description,
        enabled=payload.enabled,
    )
    secret = (
        services.roll_secret(endpoint=endpoint, by=request.user) if payload.roll_secret else None
    )
    return EndpointOut.of(endpoint, secret)


@router.delete(
    "/clinics/{clinic_id}/webhooks/{endpoint_id}",
    response={204: None, 404: Problem},
    summary="Delete a webhook endpoint and its delivery log (its clinic admins)",
)
def delete_endpoint(request: AuthedRequest, clinic_id: ApiId, endpoint_id: ApiId) -> Status:
    """To keep the log, disable the endpoint instead (PATCH `enabled: false`)."""
    endpoint = selectors.endpoint_for(
        user=request.user, clinic_id=clinic_id, endpoint_id=endpoint_id
    )
    services.remove_endpoint(endpoint=endpoint, by=request.user)
    return Status(204, None)


@router.get(
    "/clinics/{clinic_id}/webhooks/{endpoint_id}/deliveries",
    response={200: DeliveryPageOut, 404: Problem},
    summary="A webhook endpoint's delivery log (its clinic admins)",
)
def list_deliveries(
    request: AuthedRequest, clinic_id: ApiId, endpoint_id: ApiId, query: Query[PageQuery]
) -> DeliveryPageOut:
    """Newest first, paginated."""
    endpoint = selectors.endpoint_for(
        user=request.user, clinic_id=clinic_id, endpoint_id=endpoint_id
    )
    found = selectors.deliveries_of(endpoint)
    start = (query.page - 1) * query.page_size
    return DeliveryPageOut(
        items=[DeliveryOut.of(d) for d in found[start : start + query.page_size]],
        count=found.count(),
        page=query.page,
        page_size=query.page_size,
    )


@router.post(
    "/clinics/{clinic_id}/webhooks/{endpoint_id}/deliveries/{delivery_id}/resend",
    response={202: DeliveryOut, 404: Problem, 409: Problem},
    summary="Send a delivery again, now (its clinic admins)",
)
def resend_delivery(
    request: AuthedRequest, clinic_id: ApiId, endpoint_id: ApiId, delivery_id: ApiId
) -> Status:
    """Queues one attempt now, whatever the delivery's state (a delivered one is sent again,
    with the same event id); 409 while the endpoint is disabled."""
    delivery = selectors.delivery_for(
        user=request.user, clinic_id=clinic_id, endpoint_id=endpoint_id, delivery_id=delivery_id
    )
    services.queue_resend(delivery)
    tasks_webhooks.resend_later(delivery)
    delivery.refresh_from_db()
    return Status(202, DeliveryOut.of(delivery))
