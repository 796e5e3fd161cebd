"""Schemathesis fuzzes every operation of /api/v1/openapi.json, as each role, in-process.

For each role (anonymous, patient, therapist, clinic admin, site admin; staff are enrolled in
two-factor, as the API requires) and each operation, it sends requests that follow the schema
and requests that deliberately break it, with a bearer token made by `create_api_token`,
through the WSGI application against the proof world (two clinics with therapists, patients,
appointments past and future, a signed note). Every answer must:

- never be a 5xx (`not_a_server_error`);
- carry a status code the operation documents (`status_code_conformance`);
- match the documented content type and body schema (`content_type_conformance`,
  `response_schema_conformance`);
- refuse invalid input with a 4xx (`negative_data_rejection`).

Bounded and repeatable: `MAX_EXAMPLES` per operation, mode and id choice, derandomised. Marked
`slow` (`make test-slow`, which CI runs on PostgreSQL).

Schemathesis's own pytest plugin (`schemathesis.pytest.from_fixture`) is not used: with
pytest 9 it fails on `Function._nodeid`. Its strategies are driven with Hypothesis directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from sciaticare.accounts.services import create_api_token
from tests.factories import MAIN_ROLES
from tests.proof.world import World

pytestmark = [pytest.mark.slow]

SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}

MAX_EXAMPLES = 10
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def _real_ids(world: World) -> dict[str, list[int]]:
    """Ids of real objects: random integers almost never name one, so each operation with an
    id in its path is also fuzzed with these (past and future appointments, invoices paid and
    owed, payments, the clinics themselves, home exercise programmes and webhook endpoints and
    deliveries, of two clinics)."""
    return {
        "appointment_id": [world.a.past.pk, world.a.future.pk, world.b.past.pk],
        "therapist_id": [world.a.therapist.pk, world.b.therapist.pk],
        "invoice_id": [world.a.invoice.pk, world.a.fee.pk, world.b.invoice.pk],
        "payment_id": [world.a.payment.pk, world.b.payment.pk],
        "clinic_id": [world.a.clinic.pk, world.b.clinic.pk],
        "plan_id": [world.a.plan.pk, world.b.plan.pk],
        "endpoint_id": [world.a.webhook.pk, world.b.webhook.pk],
        "delivery_id": [world.a.webhook_delivery.pk, world.b.webhook_delivery.pk],
    }


def _path_choices(operation: Any, world: World) -> list[dict[str, Any] | None]:
    names = {p.name for p in operation.path_parameters}
    real = _real_ids(world)
    choices: list[dict[str, Any] | None] = [None]  # None: let Schemathesis generate them
    for name in sorted(names & real.keys()):
        choices += [{name: pk} for pk in real[name]]
    return choices


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Django closes a connection inside a transaction at the end of each request; its test
    client stops that, and so must this test, whose requests go straight to the WSGI handler
    (on PostgreSQL the close would end the test's transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _has_input_besides_path(operation: Any) -> bool:
    return bool(len(operation.query) or len(operation.body))


@pytest.mark.parametrize("label", sorted(OPERATIONS))
@pytest.mark.parametrize("role", MAIN_ROLES)
def test_api_answers_as_documented_for_every_role(w: World, role: str, label: str):
    person = w.people[role]
    headers = {}
    if person is not None:
        _, raw = create_api_token(user=person, name="fuzz")
        headers["Authorization"] = f"Bearer {raw}"
    operation = OPERATIONS[label]

    for path_parameters in _path_choices(operation, w):
        for mode in MODES:
            if mode.is_negative and path_parameters and not _has_input_besides_path(operation):
                continue  # nothing left to break once the path is fixed
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

            @given(case=strategy)
            @settings(
                max_examples=MAX_EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
            def fuzz(case: Any) -> None:
                case.call_and_validate(headers=headers, checks=CHECKS)

            fuzz()
