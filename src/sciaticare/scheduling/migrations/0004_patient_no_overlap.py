"""The database refuses two overlapping active appointments for one patient, whoever the
therapists (as 0002 does for a therapist).

A patient's span is [start, end): the clinic's buffer after a session is the therapist's time,
not the patient's, so back-to-back sessions with two therapists stay possible.
PostgreSQL: an exclusion constraint over (patient, tstzrange(start, end)) of active rows.
SQLite: insert and update triggers, bounded below by the 6-hour cap of 0003 so they read a few
entries of the (patient, start) index. Existing overlapping active rows of one patient stop
this migration: cancel or move one of each pair first.
"""

from django.db import migrations

ACTIVE = "('held', 'booked', 'completed', 'no_show')"

PG_FORWARD = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE scheduling_appointment ADD CONSTRAINT scheduling_appointment_patient_no_overlap
    EXCLUDE USING gist (patient_id WITH =, tstzrange(start, "end", '[)') WITH &&)
    WHERE (status IN {ACTIVE});
"""
PG_REVERSE = (
    "ALTER TABLE scheduling_appointment "
    "DROP CONSTRAINT IF EXISTS scheduling_appointment_patient_no_overlap;"
)

# A minute of slack below the cap absorbs SQLite's date functions working to the millisecond.
_SQLITE_OVERLAP = f"""
    NEW.status IN {ACTIVE} AND EXISTS (
        SELECT 1 FROM scheduling_appointment a
        WHERE a.patient_id = NEW.patient_id AND a.status IN {ACTIVE}
          AND a.start > datetime(NEW.start, '-6 hours', '-1 minute')
          AND a.start < NEW."end" AND NEW.start < a."end"
          AND a.id IS NOT NEW.id)
"""  # noqa: S608 - constants only
SQLITE_FORWARD = [
    f"""CREATE TRIGGER scheduling_appointment_patient_no_overlap_insert
    BEFORE INSERT ON scheduling_appointment
    WHEN {_SQLITE_OVERLAP}
    BEGIN SELECT RAISE(ABORT, 'scheduling_appointment_patient_overlap'); END;""",
    f"""CREATE TRIGGER scheduling_appointment_patient_no_overlap_update
    BEFORE UPDATE OF start, "end", status, patient_id ON scheduling_appointment
    WHEN {_SQLITE_OVERLAP}
    BEGIN SELECT RAISE(ABORT, 'scheduling_appointment_patient_overlap'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS scheduling_appointment_patient_no_overlap_insert;",
    "DROP TRIGGER IF EXISTS scheduling_appointment_patient_no_overlap_update;",
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
    dependencies = [("scheduling", "0003_busy_cap")]
    operations = [migrations.RunPython(forward, reverse)]
