"""``Review.session_id``, an integer since reviews came before scheduling, becomes the foreign key
it was promised to be (``Review.session`` → ``scheduling.Appointment``; the column keeps its
name). A value that names no appointment of the same patient and therapist is set to NULL
first, so the constraint can hold: such a review stays, like the demo's, without a session."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Exists, OuterRef


def forget_unknown_sessions(apps, schema_editor):
    Review = apps.get_model("directory", "Review")
    Appointment = apps.get_model("scheduling", "Appointment")
    held = Appointment.objects.filter(
        pk=OuterRef("session_id"),
        patient_id=OuterRef("patient_id"),
        therapist_id=OuterRef("therapist_id"),
    )
    Review.objects.filter(session_id__isnull=False).exclude(Exists(held)).update(session_id=None)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0004_names_refuse_control_characters"),
        ("scheduling", "0004_patient_no_overlap"),
    ]

    operations = [
        migrations.RunPython(forget_unknown_sessions, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="review", name="directory_review_one_per_session"),
        migrations.RenameField(model_name="review", old_name="session_id", new_name="session"),
        migrations.AlterField(
            model_name="review",
            name="session",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="scheduling.appointment",
            ),
        ),
        migrations.AddConstraint(
            model_name="review",
            constraint=models.UniqueConstraint(
                fields=("session",),
                name="directory_review_one_per_session",
                violation_error_message="This session has already been reviewed.",
            ),
        ),
    ]
