"""Seal signed notes (records/seal.py), sealing the ones signed before this migration.

The frozen-note trigger of 0002 refuses any UPDATE of a signed row, so the one-time backfill
lifts it for the duration of this migration and puts it back, inside the same transaction.
On SQLite, adding or removing a CHECK constraint rebuilds the table, which drops its triggers:
the trigger is put back after the rebuild, forwards and backwards.
"""

from django.conf import settings
from django.db import migrations, models

from sciaticare.records.seal import SEALED_FIELDS, note_seal

SQLITE_TRIGGER = """CREATE TRIGGER IF NOT EXISTS records_sessionnote_frozen BEFORE UPDATE ON records_sessionnote
    WHEN OLD.signed_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'signed session notes cannot change'); END;"""


def restore_sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


def seal_signed_notes(apps, schema_editor):
    SessionNote = apps.get_model("records", "SessionNote")
    unsealed = list(SessionNote.objects.filter(signed_at__isnull=False, seal=""))
    if not unsealed:
        return
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE records_sessionnote DISABLE TRIGGER records_sessionnote_frozen"
        )
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS records_sessionnote_frozen")
    for note in unsealed:
        note.seal = note_seal({name: getattr(note, name) for name in SEALED_FIELDS})
    SessionNote.objects.bulk_update(unsealed, ["seal"], batch_size=500)
    if vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE records_sessionnote ENABLE TRIGGER records_sessionnote_frozen"
        )
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0001_initial"),
        ("records", "0003_home_care_library"),
        ("scheduling", "0002_no_overlap"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_trigger),
        migrations.AddField(
            model_name="sessionnote",
            name="seal",
            field=models.CharField(
                blank=True,
                help_text="Digest of the signed content (records/seal.py).",
                max_length=80,
            ),
        ),
        migrations.RunPython(seal_signed_notes, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="sessionnote",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("signed_at__isnull", True),
                    models.Q(("seal", ""), _negated=True),
                    _connector="OR",
                ),
                name="records_sessionnote_signed_is_sealed",
            ),
        ),
        migrations.RunPython(restore_sqlite_trigger, migrations.RunPython.noop),
    ]
