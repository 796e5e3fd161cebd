"""A database that fails on chosen statements, for the tests of what an outage does
(Django's execute wrapper raises before the statement is sent)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from django.db import OperationalError, connection


def refused() -> OperationalError:
    """The error of a database that is not there (unavailable)."""
    error = OperationalError("connection failed: Connection refused")
    error.__cause__ = psycopg.OperationalError("connection failed: Connection refused")
    return error


def lock_timeout() -> OperationalError:
    """The error of a database that is there but did not grant a lock in time (busy)."""
    error = OperationalError("canceling statement due to lock timeout")
    error.__cause__ = psycopg.errors.LockNotAvailable("canceling statement due to lock timeout")
    return error


@contextmanager
def failing(
    error: Callable[[], Exception], when: Callable[[str], bool] = lambda sql: True
) -> Iterator[None]:
    """Every statement for which `when(sql)` holds raises `error()` instead of running."""

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if when(sql):
            raise error()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield
