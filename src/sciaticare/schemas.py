"""Schema pieces every API router shares."""

from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import PlainSerializer

# ISO 8601 with an explicit offset ("+00:00", never "Z"), as DESIGN.md promises.
OffsetDatetime = Annotated[
    datetime, PlainSerializer(lambda moment: moment.isoformat(), return_type=str)
]


class Problem(Schema):
    """The error body of every refusal: {detail, code, errors: [{field, message}]}."""

    detail: str
    code: str | None = None
    errors: list[dict[str, str]] = []
