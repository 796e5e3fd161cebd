"""Schema pieces every API router shares."""

from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import BaseModel, PlainSerializer

# ISO 8601 with an explicit offset ("+00:00", never "Z"), as the API promises (docs/architecture.md).
OffsetDatetime = Annotated[
    datetime, PlainSerializer(lambda moment: moment.isoformat(), return_type=str)
]


class Problem(Schema):
    """The error body of every refusal: {detail, code, errors: [{field, message}]}."""

    detail: str
    code: str | None = None
    errors: list[dict[str, str]] = []


class Body(BaseModel):
    """A response body that its view builds from plain values, field by field.

    ninja's ``Schema`` reads every object it validates through ``DjangoGetter`` (a Python
    resolver for ORM attributes), when the view builds the body and again when ninja checks the
    response: for a page of 20 search results, some 600 attribute look-ups in Python. A plain
    pydantic model is validated once, in pydantic-core, and ninja passes the instance through
    (about 1.2 million fewer Python calls in 200 searches; docs/benchmarks.md). The OpenAPI
    document it gives is byte for byte the one ``Schema`` gave (compared when it came in).
    """
