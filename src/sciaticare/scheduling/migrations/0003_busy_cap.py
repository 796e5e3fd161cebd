"""A cap on how long an appointment keeps a therapist busy, so reads can bound `start`.

* CHECK: busy_until <= start + 6 hours (the longest session, 240 minutes, plus the longest
  buffer, now itself capped at 120 minutes by a CHECK on the booking policy).
* A partial index on (therapist, start, busy_until, status) of active rows: the calendar
  read and SQLite's overlap trigger read it alone (index-only).
* SQLite's overlap trigger gets a lower bound on the other row's start: with the cap, a row
  that starts 6 hours or more before the new one cannot overlap it, so the check reads a few
  index entries instead of every earlier row of the therapist. Adding a CHECK rebuilds the
  table on SQLite, which drops its triggers anyway; they are created again after it.
The PostgreSQL exclusion constraint of 0002 is unchanged. A clinic whose buffer is over
120 minutes, or an appointment longer than 6 hours with its buffer, stops this migration:
change them first.
"""

from importlib import import_module

from django.db import migrations, models

import sciaticare.scheduling.models

old = import_module("sciaticare.scheduling.migrations.0002_no_overlap")
TRIGGERS = ["scheduling_appointment_no_overlap_insert", "scheduling_appointment_no_overlap_update"]

ACTIVE = "('held', 'booked', 'completed', 'no_show')"

# A minute of slack below the cap absorbs SQLite's date functions working to the millisecond.
_SQLITE_OVERLAP = f"""
    NEW.status IN {ACTIVE} AND EXISTS (
        SELECT 1 FROM scheduling_appointment a
        WHERE a.therapist_id = NEW.therapist_id AND a.status IN {ACTIVE}
          AND a.start > datetime(NEW.start, '-6 hours', '-1 minute')
          AND a.start < NEW.busy_until AND NEW.start < a.busy_until
          AND a.id IS NOT NEW.id)
"""  # noqa: S608 - constants only
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER scheduling_appointment_no_overlap_insert BEFORE INSERT ON scheduling_appointment
    WHEN {_SQLITE_OVERLAP}
    BEGIN SELECT RAISE(ABORT, 'scheduling_appointment_no_overlap'); END;""",
    f"""CREATE TRIGGER scheduling_appointment_no_overlap_update
    BEFORE UPDATE OF start, busy_until, status, therapist_id ON scheduling_appointment
    WHEN {_SQLITE_OVERLAP}
    BEGIN SELECT RAISE(ABORT, 'scheduling_appointment_no_overlap'); END;""",
]


def _on_sqlite(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0002_no_overlap")]

    operations = [
        migrations.RunPython(_on_sqlite(old.SQLITE_REVERSE), _on_sqlite(old.SQLITE_FORWARD)),
        migrations.AddConstraint(
            model_name="bookingpolicy",
            constraint=models.CheckConstraint(
                condition=models.Q(("buffer_minutes__lte", 120)),
                name="scheduling_bookingpolicy_buffer_at_most_120",
                violation_error_message="The buffer after a session is at most 120 minutes.",
            ),
        ),
        migrations.AddConstraint(
            model_name="appointment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "busy_until__lte",
                        sciaticare.scheduling.models.HoursLater(models.F("start"), hours=6),
                    )
                ),
                name="scheduling_appointment_busy_at_most_6_hours",
                violation_error_message="A session and its buffer last at most 6 hours.",
            ),
        ),
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(
                condition=models.Q(("status__in", ("held", "booked", "completed", "no_show"))),
                fields=["therapist", "start", "busy_until", "status"],
                name="sched_appt_active_busy",
            ),
        ),
        migrations.RunPython(
            _on_sqlite(SQLITE_TRIGGERS),
            _on_sqlite([f"DROP TRIGGER IF EXISTS {name};" for name in TRIGGERS]),
        ),
    ]
