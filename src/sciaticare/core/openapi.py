"""The refusals every operation can give, written into the OpenAPI document once.

Routers declare the answers that belong to their operation (201, 404 for a missing object, 409
for a taken slot). The ones below come from the machinery every operation shares (api.py's
handlers, authentication, rate limits), so they are added here rather than repeated in every
`response=` map, and the document lists every status code the API can send
(tests/proof/test_api_fuzz.py checks it does).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from ninja import NinjaAPI

from sciaticare.core.schemas import Problem

PROBLEM_REF = "#/components/schemas/Problem"

#: Why each shared refusal happens, as the document says it.
SHARED_REFUSALS = {
    "400": "The body is not valid JSON (or nests too deep), or the query holds a NUL character.",
    "401": "No valid bearer token or signed-in session.",
    "403": "Staff without two-factor authentication, or a session call without its CSRF token.",
    "422": "Invalid fields; `errors` names each one.",
    "429": "Too many requests; `Retry-After` says how many seconds to wait.",
    "503": (
        "The database is away or too busy (`code` database_unavailable or database_busy); "
        "`Retry-After` says how many seconds to wait."
    ),
}

#: The refusals that say when to ask again, in a `Retry-After` header (whole seconds).
RETRY_AFTER_REF = "#/components/headers/RetryAfter"
RETRY_AFTER = {
    "description": "How many seconds to wait before asking again.",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
}
WAIT_THEN_RETRY = frozenset({"429", "503"})


def shared_refusals(operation: dict[str, Any]) -> list[str]:
    """The status codes of SHARED_REFUSALS that can answer this operation."""
    # Every operation is counted in the database, and may find it away; any request may carry
    # a query, and one holding a NUL is refused before routing (web.middleware).
    codes = ["400", "429", "503"]
    if operation.get("security"):
        codes += ["401", "403"]
    if operation.get("parameters") or "requestBody" in operation:
        codes.append("422")
    return codes


def add_shared_refusals(document: dict[str, Any]) -> None:
    """Declare each shared refusal on every operation that can give it, without overriding an
    answer the router declared itself."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Problem", Problem.model_json_schema(ref_template=PROBLEM_REF))
    document["components"].setdefault("headers", {}).setdefault("RetryAfter", RETRY_AFTER)
    problem = {"application/json": {"schema": {"$ref": PROBLEM_REF}}}
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            declared = {str(code): code for code in responses}  # ninja keys them by int
            for code in shared_refusals(operation):
                if code not in declared:
                    responses[code] = {"description": SHARED_REFUSALS[code], "content": problem}
                own = responses[declared.get(code, code)]
                if code in WAIT_THEN_RETRY:
                    own.setdefault("headers", {})["Retry-After"] = {"$ref": RETRY_AFTER_REF}
                if code not in declared:
                    continue
                if own.get("description") == HTTPStatus(int(code)).phrase:
                    # The router's own refusal under the same code: say both reasons.
                    own["description"] = (
                        f"{SHARED_REFUSALS[code]} Also the operation's own refusals (its "
                        "description says which)."
                    )


class DocumentedAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI document also lists the shared refusals."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        document = super().get_openapi_schema(**kwargs)
        add_shared_refusals(document)
        return document
