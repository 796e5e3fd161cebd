"""Finding 13.6: no input gives a 500. A property test throws out-of-range dates, huge integers
and deeply nested JSON at every page and API operation of the authorization matrix.

Each route of `test_authorization_matrix.TABLE` (which itself must list every page of the URL
configuration and every operation of the OpenAPI document) is requested as the first caller
the table lets in, with Hypothesis choosing hostile values for:

- its path parameters (`<id:…>` in a page's pattern, `{…}` in an API path), or the world's real
  objects so the rest of the request gets through;
- its query parameters: those the OpenAPI document lists, the fields of the page's own forms
  (found by reading the page), and the names pages read by hand (`start`, `page`, …);
- its body: the page form's fields, or each property of the operation's request schema, or a
  whole JSON document nested far too deep.

Every answer must be below 500. Bounded for `make test`: `EXAMPLES` per route, derandomised.
The slow Schemathesis run (test_api_fuzz.py) explores the API's schemas more widely.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from functools import cache
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from sciaticare.api import api
from sciaticare.core.bounds import EARLIEST_YEAR, LATEST_YEAR
from tests.factories import ROLES
from tests.proof.routes import page_routes
from tests.proof.test_authorization_matrix import (
    REFUSED,
    TABLE,
    Row,
    body_of,
    client_for,
    resolve,
    url_of,
)
from tests.proof.world import World

EXAMPLES = 2
#: Query names pages read by hand rather than through a form, and what they hold.
PAGE_QUERY = {
    "start": "2026-01-05",
    "end": "2026-01-05",
    "date": "2026-01-05",
    "day": "2026-01-05",
    "since": "2026-01-05",
    "page": "1",
    "service": "1",
    "therapist": "1",
    "episode": "new",
}


def _api_defaults(w: World) -> dict[str, dict[str, Any]]:
    """Bodies that get an operation past its required fields, so one hostile field at a time
    reaches the code behind them (rows of the matrix carry the rest)."""
    return {
        "POST /api/v1/appointments": {
            "therapist": w.a.therapist.pk,
            "service": w.a.session.pk,
            "start": w.a.future.start.isoformat(),
        },
    }


# --- Hostile values ---------------------------------------------------------------------------

huge_ints = st.one_of(
    st.sampled_from([10**20, 2**63, -(2**63) - 1, 2**64, 2**31]),
    st.integers(min_value=2**63, max_value=10**40),
    st.integers(max_value=-(2**63) - 1, min_value=-(10**40)),
)
far_dates = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).filter(
    lambda d: not EARLIEST_YEAR <= d.year <= LATEST_YEAR
)
impossible_dates = st.sampled_from(["2026-02-30", "2026-13-01", "2026-04-31", "0000-01-01"])
far_datetimes = st.one_of(
    st.sampled_from(["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00"]),
    far_dates.map(lambda d: datetime(d.year, d.month, d.day, 10, tzinfo=UTC).isoformat()),
    impossible_dates.map(lambda d: f"{d}T10:00:00+00:00"),
)


def _nested(depth: int, kind: str) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value] if kind == "list" else {"extension": [{"url": "x", "nested": value}]}
    return value


deep_values = st.builds(
    _nested, st.sampled_from([70, 300, 2_000]), st.sampled_from(["list", "object"])
)
#: A value for a JSON body's field.
hostile_values = st.one_of(
    huge_ints, far_dates.map(date.isoformat), impossible_dates, far_datetimes, deep_values
)
#: A value for a path segment, a query parameter or a form field (text).
hostile_text = st.one_of(
    huge_ints.map(str),
    far_dates.map(date.isoformat),
    impossible_dates,
    far_datetimes,
    st.just("[" * 10_000),
    deep_values.map(json.dumps),
)
deep_documents = st.one_of(
    st.sampled_from(["[" * 100_000, "{" * 10, '{"a":' * 100_000]),
    deep_values.map(json.dumps),
)

# --- Routes -----------------------------------------------------------------------------------


def _caller(row: Row) -> str:
    """The first caller the table lets through (so the hostile input reaches the code)."""
    allowed = [
        role for role, status in zip(ROLES, row.expect, strict=True) if status not in REFUSED
    ]
    return allowed[0] if allowed else "site_admin"


@cache
def _page_patterns() -> dict[str, str]:
    return {route.name: route.pattern for route in page_routes()}


def _hostile_path(row: Row, values: dict[str, str]) -> str:
    if row.is_api:
        path = row.route.split(" ", 1)[1]
        for name, value in values.items():
            path = path.replace("{" + name + "}", value)
        return path
    path = "/" + _page_patterns()[row.route]
    for name, value in values.items():
        path = re.sub(r"<(?:\w+:)?" + name + ">", value, path)
    return path


@cache
def _openapi() -> dict[str, Any]:
    return api.get_openapi_schema()


def _operation(row: Row) -> dict[str, Any]:
    method, path = row.route.split(" ", 1)
    return _openapi()["paths"][path][method.lower()]


def _schema(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return _openapi()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in schema:  # `X | None`: the X
        return next((_schema(s) for s in schema["anyOf"] if s.get("type") != "null"), {})
    return schema


def _api_query(row: Row) -> dict[str, dict[str, Any]]:
    return {
        parameter["name"]: _schema(parameter.get("schema", {}))
        for parameter in _operation(row).get("parameters", [])
        if parameter.get("in") == "query"
    }


def _api_body(row: Row) -> dict[str, dict[str, Any]] | None:
    """The request schema's properties; None when the operation takes no JSON body."""
    content = (_operation(row).get("requestBody") or {}).get("content") or {}
    schema = (content.get("application/json") or {}).get("schema")
    if schema is None:
        return None
    return {name: _schema(s) for name, s in _schema(schema).get("properties", {}).items()}


class _Form(HTMLParser):
    """The fields of a page's forms with their first offered value (what a person would send)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        name = found.get("name", "")
        if tag in ("input", "textarea") and name and name != "csrfmiddlewaretoken":
            self.fields.setdefault(name, found.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select and not self.fields[self._select]:
            self.fields[self._select] = found.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def _form_fields(client: Client, url: str) -> dict[str, str]:
    response = client.get(url)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return {}
    form = _Form()
    form.feed(response.content.decode(errors="replace"))
    return form.fields


def _check(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what} answered {response.status_code}"


any_text = hostile_text
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def hostile_for_value(sample: Any) -> st.SearchStrategy[str]:
    """Hostile text of the kind a field's usual value suggests (a page form's field)."""
    text = str(sample)
    if text.isdigit():
        return huge_ints.map(str)
    if _DAY.match(text):
        return st.one_of(far_dates.map(date.isoformat), impossible_dates)
    if _MOMENT.match(text):
        return far_datetimes
    return any_text


def hostile_for_schema(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A hostile value of the kind an OpenAPI schema declares (an API parameter or field)."""
    kind, form = schema.get("type"), schema.get("format")
    if kind == "integer":
        return huge_ints
    if form == "date":
        return st.one_of(far_dates.map(date.isoformat), impossible_dates)
    if form == "date-time":
        return far_datetimes
    if kind in ("array", "object"):
        return deep_values
    return hostile_values


ROWS = [row for row in TABLE if row.route in _page_patterns() or row.is_api]


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_no_hostile_input_gives_a_500(w: World, sessions: dict[str, str], row: Row) -> None:
    """Given a caller the route lets in, when one parameter at a time (path, query, form or
    JSON field) carries a hostile value of its kind and the others what a person would send,
    then the answer is never a 500; nor is it for a JSON body nested far too deep."""
    client = client_for(_caller(row), sessions)
    real_url = url_of(w, row).split("?", 1)[0]
    real = {name: str(resolve(w, spec)) for name, spec in row.params.items()}
    query: dict[str, str] = dict(parse_qsl(row.query))
    if row.is_api:
        query_kinds = {name: hostile_for_schema(s) for name, s in _api_query(row).items()}
        body = _api_body(row)
        body_kinds = {name: hostile_for_schema(s) for name, s in (body or {}).items()}
        defaults: dict[str, Any] = {**_api_defaults(w).get(row.route, {}), **body_of(w, row)}
    else:
        fields = _form_fields(client, real_url)
        if row.method == "GET":
            query = {**fields, **query}
        query_kinds = {
            name: hostile_for_value(query.get(name) or PAGE_QUERY.get(name, ""))
            for name in {*PAGE_QUERY, *query}
        }
        given_body = {
            k: str(resolve(w, v[1:])) if isinstance(v, str) and v.startswith("@") else v
            for k, v in (row.body or {}).items()
        }
        defaults = {**fields, **given_body}
        body_kinds = {name: hostile_for_value(value) for name, value in defaults.items()}

    def send(path: str, query_values: dict[str, str], payload: Any) -> None:
        url = f"{path}?{urlencode(query_values)}" if query_values else path
        if row.method == "GET":
            response = client.get(url)
        elif row.is_api:
            response = client.generic(
                row.method, url, data=_as_text(payload), content_type="application/json"
            )
        else:
            response = client.post(url, payload)
        _check(response, f"{row.method} {url[:160]} {str(payload)[:160]}")

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.generate],  # the failure message names the request: no shrinking
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def requests(data: st.DataObject) -> None:
        if real:  # path ids: numbers no key can be; other path values: anything
            hostile = {
                name: data.draw(
                    (huge_ints.map(str) if value.isdigit() else any_text).filter(
                        lambda v: "/" not in v
                    ),
                    label=name,
                )
                for name, value in real.items()
            }
            send(_hostile_path(row, hostile), {}, defaults)
        for name, kind in sorted(query_kinds.items()):
            send(real_url, {**query, name: _as_text(data.draw(kind, label=f"?{name}"))}, defaults)
        if row.method == "GET":
            return
        for name, kind in sorted(body_kinds.items()):
            value = data.draw(kind, label=name)
            send(real_url, query, {**defaults, name: value if row.is_api else _as_text(value)})
        if row.is_api:
            send(real_url, query, data.draw(deep_documents, label="body"))

    requests()


def test_the_rows_cover_every_page_and_operation() -> None:
    covered = {row.route for row in ROWS}
    operations = {
        f"{method.upper()} {path}"
        for path, ops in _openapi()["paths"].items()
        for method in ops
        if method in ("get", "post", "put", "patch", "delete")
    }
    pages = {
        route.name
        for route in page_routes()
        if not (route.is_admin or route.is_allauth) and route.name in {r.route for r in TABLE}
    }
    assert operations <= covered
    assert pages <= covered
