"""Migrations: models and migrations agree, and every app's migrations reverse to zero and
apply again (the triggers and the exclusion constraint included)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)
APPS = ["outcomes", "records", "scheduling", "interop", "intake", "directory", "audit"]


def test_models_and_migrations_agree():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_every_migration_reverses_and_applies_again():
    from django.db.migrations.loader import MigrationLoader

    migrated = MigrationLoader(connection).migrated_apps
    for app in [a for a in APPS if a in migrated]:  # dependants first
        call_command("migrate", app, "zero", verbosity=0)
    tables = set(connection.introspection.table_names())
    assert not {t for t in tables if t.startswith(("scheduling_", "records_", "intake_", "audit_"))}

    call_command("migrate", verbosity=0)

    assert _guards() == GUARDS[connection.vendor]


# The database-level guards the app relies on. On SQLite a later migration that rebuilds a
# table (adding a CHECK constraint does) silently drops that table's triggers: this catches it.
GUARDS = {
    "sqlite": {
        "audit_auditevent_append_only",
        "records_sessionnote_frozen",
        "records_amendment_frozen",
        "scheduling_appointment_no_overlap_insert",
        "scheduling_appointment_no_overlap_update",
    },
    "postgresql": {
        "audit_auditevent_append_only",
        "records_sessionnote_frozen",
        "records_amendment_frozen",
        "scheduling_appointment_no_overlap",
    },
}


def _guards() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
                " UNION SELECT conname FROM pg_constraint WHERE contype = 'x'"
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()}


def test_every_database_guard_is_in_place_after_migrating():
    assert _guards() == GUARDS[connection.vendor]
