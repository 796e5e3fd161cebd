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

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT 1 FROM pg_constraint WHERE conname = 'scheduling_appointment_no_overlap'"
            )
        else:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'records_sessionnote_frozen'")
        assert cursor.fetchone() is not None
