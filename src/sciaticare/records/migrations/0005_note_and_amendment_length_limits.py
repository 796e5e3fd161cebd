"""Length limits on a note's texts and an amendment's reason and text (issue 13, point 21): the
same constants as the editor's maxlength and the API schemas, checked by the database too.

On SQLite, altering a field or adding a CHECK rebuilds the table, which drops its triggers
(migration 0002): both are put back after the rebuild, forwards and backwards (as in 0004).
"""

import django.core.validators
import django.db.models.functions.text
import django.db.models.lookups
from django.conf import settings
from django.db import migrations, models

SQLITE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS records_sessionnote_frozen BEFORE UPDATE ON records_sessionnote
    WHEN OLD.signed_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'signed session notes cannot change'); END;""",
    """CREATE TRIGGER IF NOT EXISTS records_amendment_frozen BEFORE UPDATE ON records_amendment
    BEGIN SELECT RAISE(ABORT, 'amendments cannot change'); END;""",
]


def restore_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0003_credential_documents_in_the_database"),
        ("records", "0004_signed_notes_are_sealed"),
        ("scheduling", "0003_busy_cap"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_triggers),
        migrations.AlterField(
            model_name="amendment",
            name="text",
            field=models.TextField(
                max_length=20000, validators=[django.core.validators.MaxLengthValidator(20000)]
            ),
        ),
        migrations.AlterField(
            model_name="sessionnote",
            name="assessment",
            field=models.TextField(
                blank=True,
                max_length=20000,
                validators=[django.core.validators.MaxLengthValidator(20000)],
            ),
        ),
        migrations.AlterField(
            model_name="sessionnote",
            name="objective",
            field=models.TextField(
                blank=True,
                max_length=20000,
                validators=[django.core.validators.MaxLengthValidator(20000)],
            ),
        ),
        migrations.AlterField(
            model_name="sessionnote",
            name="plan",
            field=models.TextField(
                blank=True,
                max_length=20000,
                validators=[django.core.validators.MaxLengthValidator(20000)],
            ),
        ),
        migrations.AlterField(
            model_name="sessionnote",
            name="subjective",
            field=models.TextField(
                blank=True,
                max_length=20000,
                validators=[django.core.validators.MaxLengthValidator(20000)],
            ),
        ),
        migrations.AddConstraint(
            model_name="amendment",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("reason"), 300
                ),
                name="records_amendment_reason_max_length",
                violation_error_message="reason takes at most 300 characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="amendment",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("text"), 20000
                ),
                name="records_amendment_text_max_length",
                violation_error_message="text takes at most 20000 characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="sessionnote",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("subjective"), 20000
                ),
                name="records_sessionnote_subjective_max_length",
                violation_error_message="subjective takes at most 20000 characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="sessionnote",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("objective"), 20000
                ),
                name="records_sessionnote_objective_max_length",
                violation_error_message="objective takes at most 20000 characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="sessionnote",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("assessment"), 20000
                ),
                name="records_sessionnote_assessment_max_length",
                violation_error_message="assessment takes at most 20000 characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="sessionnote",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("plan"), 20000
                ),
                name="records_sessionnote_plan_max_length",
                violation_error_message="plan takes at most 20000 characters.",
            ),
        ),
        migrations.AddConstraint(
            model_name="sessionnote",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("adverse_event_detail"), 500
                ),
                name="records_sessionnote_adverse_event_detail_max_length",
                violation_error_message="adverse_event_detail takes at most 500 characters.",
            ),
        ),
        migrations.RunPython(restore_sqlite_triggers, migrations.RunPython.noop),
    ]
