"""Migrations: models and migrations agree, and every app's migrations reverse to zero and
apply again (the triggers and the exclusion constraint included)."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from tests.records.conftest import clinic_world  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db(transaction=True)
APPS = ["billing", "outcomes", "records", "scheduling", "interop", "intake", "directory", "audit"]


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
    assert not {
        t
        for t in tables
        if t.startswith(("scheduling_", "records_", "intake_", "audit_", "billing_"))
    }

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
        "scheduling_appointment_patient_no_overlap_insert",
        "scheduling_appointment_patient_no_overlap_update",
        "billing_invoice_born_draft",
        "billing_invoice_frozen",
        "billing_invoice_sums",
        "billing_invoiceline_frozen_insert",
        "billing_invoiceline_frozen_update",
    },
    "postgresql": {
        "audit_auditevent_append_only",
        "records_sessionnote_frozen",
        "records_amendment_frozen",
        "scheduling_appointment_no_overlap",
        "scheduling_appointment_patient_no_overlap",
        "billing_invoice_frozen",
        "billing_invoiceline_frozen",
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


def test_later_migrations_reverse_and_apply_again_over_clinical_data(clinic_world):  # noqa: F811
    """With a signed note, diary entries and the audit trail in place, each app's migrations
    after its first are taken back (as far as that drops no table holding data) and applied
    again, and no row of any table is lost or added on the way."""
    from django.apps import apps as django_apps
    from django.db.migrations.executor import MigrationExecutor

    from sciaticare.outcomes.models import PainEntry
    from sciaticare.records import services as records

    therapist = clinic_world["people"]["therapist"]
    appointment_id = clinic_world["appointment"].pk
    records.start_note(therapist_user=therapist, appointment_id=appointment_id)
    records.sign_note(therapist_user=therapist, appointment_id=appointment_id)
    PainEntry.objects.create(
        patient=clinic_world["people"]["patient"], day=date(2026, 11, 2), back_pain=5, leg_pain=6
    )

    def counts() -> dict[str, int]:
        return {m._meta.db_table: m._default_manager.count() for m in django_apps.get_models()}

    before = counts()
    assert before["records_sessionnote"] == 1
    taken_back = []
    for app in APPS:
        executor = MigrationExecutor(connection)
        graph = executor.loader.graph
        chain = [n for (label, n) in graph.forwards_plan(graph.leaf_nodes(app)[0]) if label == app]
        for earlier in reversed(chain[:-1]):
            plan = MigrationExecutor(connection).migration_plan([(app, earlier)])
            if any(migration.initial for migration, _ in plan):
                break  # taking this back would drop another app's tables, data and all
            call_command("migrate", app, earlier, verbosity=0)
            taken_back += [f"{m.app_label}.{m.name}" for m, _ in plan]
        call_command("migrate", verbosity=0)  # dependants taken back with it come back too

    assert "records.0004_signed_notes_are_sealed" in taken_back
    # Tables that held rows hold the same number; an emptied library table (the test database
    # is flushed between tests) may be filled again by its data migration.
    after = counts()
    assert {t: n for t, n in after.items() if before[t]} == {t: n for t, n in before.items() if n}
    assert _guards() == GUARDS[connection.vendor]
