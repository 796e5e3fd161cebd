"""Plain SQL, for the few reads where compiling an ORM query costs more than the database takes
to answer it (docs/benchmarks.md): table names, fetching rows, and what differs by database.

Only table names and fixed fragments are interpolated into SQL text; values go as parameters.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models.sql import Query

_CENTS = Decimal("0.01")


def table(model: type[models.Model]) -> str:
    """The model's table name, quoted for the database in use."""
    return connection.ops.quote_name(model._meta.db_table)


def fetch_rows(
    sql: str, params: list[Any], *, using: str = DEFAULT_DB_ALIAS
) -> list[tuple[Any, ...]]:
    """Every row of one statement, as tuples, from the database ``using`` names."""
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def columns(model: type[models.Model], alias: str) -> str:
    """Every column of the model, qualified by the table's `alias`, in the order `instances`
    reads them (the model's, which a table's ``*`` need not follow)."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(str(f.column))}" for f in model._meta.concrete_fields)


def instances(
    sql: str,
    params: list[Any],
    kinds: Sequence[type[models.Model]],
    *,
    using: str = DEFAULT_DB_ALIAS,
) -> list[tuple[Any, ...]]:
    """Each row of a statement that selects `columns` of each of `kinds` in turn, as one
    instance of each, read from the database ``using`` names: None where an outer join found
    none (its primary key is null); then any further columns of the row, as they are. Values
    of the instances pass through the converters the ORM applies (SQLite's booleans, decimals
    and times)."""
    converters, spans, at = _reading(using, tuple(kinds))
    rows: Any = fetch_rows(sql, params, using=using)
    if converters:
        rows = Query(None).get_compiler(using).apply_converters(rows, converters)
    return [
        (
            *(
                None if row[pk] is None else kind.from_db(using, names, list(row[a:b]))
                for kind, names, a, b, pk in spans
            ),
            *row[at:],
        )
        for row in rows
    ]


@functools.cache
def _reading(using: str, kinds: tuple[type[models.Model], ...]) -> tuple[Any, list[Any], int]:
    """How `instances` reads rows of `kinds` from ``using``: the ORM's converters by column
    (none on PostgreSQL), and where each kind's columns and primary key are. Worked out once
    per process: asking the ORM each time was some 5 % of a profile's read."""
    fields = [field for kind in kinds for field in kind._meta.concrete_fields]
    compiler = Query(None).get_compiler(using)
    converters = compiler.get_converters([f.get_col(f.model._meta.db_table) for f in fields])
    spans, at = [], 0
    for kind in kinds:
        concrete = kind._meta.concrete_fields
        names = [f.attname for f in concrete]
        spans.append((kind, names, at, at + len(concrete), at + concrete.index(kind._meta.pk)))
        at += len(concrete)
    return converters, spans, at


def money(value: Decimal | float | str) -> Decimal:
    """A price column as the ORM gives it: SQLite's driver hands decimals over as numbers."""
    return Decimal(str(value)).quantize(_CENTS)


class Dialect:
    """The SQL spellings that differ between SQLite and PostgreSQL (the two databases served)."""

    def __init__(self, vendor: str) -> None:
        self.postgres = vendor == "postgresql"

    @classmethod
    def current(cls, using: str = DEFAULT_DB_ALIAS) -> Dialect:
        """The dialect of the database ``using`` names (the default one's by default)."""
        return cls(connections[using].vendor)

    def one_of(self, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """A test that a column (written before it) holds one of `values`, with its
        parameters: ``= ANY(%s)`` with the values as one array on PostgreSQL, so the
        statement's text is the same however many there are and the server prepares it once
        (planning a search page's statements with a list of 20 ids took longer than running
        them: docs/benchmarks.md); ``IN (%s, ...)`` on SQLite, which has no arrays. One value
        is ``= %s``: its plan reads one therapist's rows, where the array's generic plan took
        half as long again (a slot list's calendar, 0.85 → 1.25 ms)."""
        if len(values) == 1:
            return "= %s", list(values)
        if self.postgres:
            return "= ANY(%s)", [list(values)]
        return f"IN ({', '.join(['%s'] * len(values))})", list(values)

    def day_of(self, timestamp: str) -> str:
        """The UTC date of a stored timestamp (SQLite keeps UTC text)."""
        if self.postgres:
            return f"CAST({timestamp} AT TIME ZONE 'UTC' AS DATE)"
        return f"date({timestamp})"

    def day_as_text(self, column: str) -> str:
        """A date column, read as text on SQLite: ``date.fromisoformat`` then does in C what
        the per-row converter Django registers for date columns would do in Python."""
        return f"CAST({column} AS TEXT)" if not self.postgres else column

    def add_days(self, day: str, days: int) -> str:
        if self.postgres:
            return f"({day} + {days:d})"
        return f"date({day}, '{days:+d} days')"

    def add_days_to_timestamp(self, timestamp: str, days: int) -> str:
        if self.postgres:
            return f"({timestamp} + INTERVAL '{days:d} days')"
        return f"datetime({timestamp}, '{days:+d} days')"

    def latest(self, *instants: str) -> str:
        """The latest of stored instants, none of them null (SQLite's text sorts as time does)."""
        return f"{'GREATEST' if self.postgres else 'max'}({', '.join(instants)})"
