"""Prepared statements on PostgreSQL (settings.py, core/prepared_statements.py): a statement a
connection repeats is prepared there, so that it is planned once, not on every request; a
rollback keeps it (psycopg's own cache forgot them all), a change of schema still empties
the cache. (PostgreSQL re-plans one whose tables a migration changed, `SELECT t.*` included:
checked by hand on 15.)"""

import pytest
from django.db import DatabaseError, connection, transaction

from sciaticare.accounts import services
from sciaticare.core.prepared_statements import KeptAcrossRollbacks
from tests.factories import PatientFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares; SQLite not"),
]


def _prepared(fragment: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
            [f"%{fragment}%"],
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def token() -> str:
    patient = PatientFactory()
    _, raw = services.create_api_token(user=patient, name="script")
    for _ in range(6):
        assert services.authenticate_api_token(raw) == patient
    return raw


def test_a_statement_the_connection_repeats_is_prepared(token):
    assert isinstance(connection.connection._prepared, KeptAcrossRollbacks)  # noqa: SLF001
    assert _prepared("t.revoked_at IS NULL")


def test_a_rollback_keeps_the_prepared_statements(token):
    """A refusal inside a transaction (here a savepoint the database's own error undoes, as a
    booking's insert of a time just taken) must not cost the connection its statements."""
    with pytest.raises(DatabaseError), transaction.atomic():
        connection.cursor().execute("SELECT 1 / 0")

    assert _prepared("t.revoked_at IS NULL")
    assert services.authenticate_api_token(token) is not None


def test_a_change_of_schema_still_empties_them(token):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending: ALTER runs
        cursor.execute("ALTER TABLE accounts_user ADD COLUMN added_later integer")

    assert not _prepared("t.revoked_at IS NULL")
