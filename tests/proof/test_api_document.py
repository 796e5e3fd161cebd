"""The OpenAPI document lists the refusals every operation shares (openapi.py), once each, next
to the ones its router declares; the fuzz (test_api_fuzz.py, slow) checks the API keeps to it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sciaticare.core.openapi import SHARED_REFUSALS


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    assert len(keys) == len(set(keys)), f"duplicate keys: {keys}"
    return dict(pairs)


@pytest.fixture
def document(client: Any) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    return json.loads(response.content, object_pairs_hook=_no_duplicates)


def _operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_every_operation_documents_rate_limiting(document):
    for label, operation in _operations(document):
        assert "429" in operation["responses"], label


def test_every_wait_and_retry_refusal_declares_its_retry_after_header(document):
    header = document["components"]["headers"]["RetryAfter"]
    assert header["schema"] == {"type": "integer", "minimum": 1}
    for label, operation in _operations(document):
        for code in ("429", "503"):
            headers = operation["responses"][code].get("headers", {})
            assert headers.get("Retry-After") == {"$ref": "#/components/headers/RetryAfter"}, (
                label,
                code,
            )


def test_operations_that_need_a_caller_document_401_and_403(document):
    secured = [(label, op) for label, op in _operations(document) if op.get("security")]

    assert "GET /api/v1/me" in dict(secured)
    for label, operation in secured:
        assert {"401", "403"} <= set(operation["responses"]), label


def test_public_operations_do_not_claim_a_401(document):
    public = dict(_operations(document))["POST /api/v1/triage"]

    assert "security" not in public
    assert "401" not in public["responses"]


def test_operations_with_input_document_422_and_every_operation_400(document):
    for label, operation in _operations(document):
        if operation.get("parameters") or "requestBody" in operation:
            assert "422" in operation["responses"], label
        # A body that is not JSON, or any query holding a NUL (web.middleware).
        assert "400" in operation["responses"], label


def test_a_refusal_the_router_declares_keeps_its_own_description(document):
    booking = dict(_operations(document))["POST /api/v1/appointments"]["responses"]

    assert booking["403"]["description"] != SHARED_REFUSALS["403"]
    assert booking["429"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    assert "Problem" in document["components"]["schemas"]


def test_a_refusal_declared_without_words_also_names_the_shared_reason(document):
    """A router that declares 403 for its own refusal (moving a session an urgent intake
    blocks) must not hide the shared 403 (staff without two-factor, a missing CSRF token)."""
    move = dict(_operations(document))["POST /api/v1/appointments/{appointment_id}/reschedule"]

    assert move["responses"]["403"]["description"].startswith(SHARED_REFUSALS["403"])
    assert "triage_blocks_booking" in move["description"]
