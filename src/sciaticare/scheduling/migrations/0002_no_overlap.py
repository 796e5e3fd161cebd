"""The database refuses two overlapping active appointments for one therapist.

PostgreSQL: an exclusion constraint over the therapist and the range [start, busy_until)
(btree_gist lets `=` on the therapist id share the GiST index with `&&` on the range).
SQLite has no exclusion constraints; its writers are serialised (BEGIN IMMEDIATE, settings.py),
so a trigger that looks for an overlapping active row before each insert or update is exact.
Both keep the unique (therapist, start) index of migration 0001 as a second guard.
"""

from django.db import migrations

ACTIVE = "('held', 'booked', 'completed', 'no_show')"

PG_FORWARD = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE scheduling_appointment ADD CONSTRAINT scheduling_appointment_no_overlap
    EXCLUDE USING gist (therapist_id WITH =, tstzrange(start, busy_until, '[)') WITH &&)
    WHERE (status IN {ACTIVE});
"""
PG_REVERSE = "ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS scheduling_appointment_no_overlap;"

_SQLITE_OVERLAP = f"""
    NEW.status IN {ACTIVE} AND EXISTS (
        SELECT 1 FROM scheduling_appointment a
        WHERE a.therapist_id = NEW.therapist_id AND a.id IS NOT NEW.id
          AND a.status IN {ACTIVE}
          AND a.start < NEW.busy_until AND NEW.start < a.busy_until)
"""
SQLITE_FORWARD = [
    f"""CREATE TRIGGER scheduling_appointment_no_overlap_insert BEFORE INSERT ON scheduling_appointment
    WHEN {_SQLITE_OVERLAP}
    BEGIN SELECT RAISE(ABORT, 'scheduling_appointment_no_overlap'); END;""",
    f"""CREATE TRIGGER scheduling_appointment_no_overlap_update
    BEFORE UPDATE OF start, busy_until, status, therapist_id ON scheduling_appointment
    WHEN {_SQLITE_OVERLAP}
    BEGIN SELECT RAISE(ABORT, 'scheduling_appointment_no_overlap'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS scheduling_appointment_no_overlap_insert;",
    "DROP TRIGGER IF EXISTS scheduling_appointment_no_overlap_update;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
