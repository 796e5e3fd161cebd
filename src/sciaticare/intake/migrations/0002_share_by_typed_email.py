"""Intake shares are kept and listed by the email address the patient typed (issue 13, point
12): the therapist link may be empty, so a share to an address no therapist has looks the same
to the patient as any other and opens nothing."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_therapist_email(apps, schema_editor):
    IntakeShare = apps.get_model("intake", "IntakeShare")
    for share in IntakeShare.objects.select_related("therapist").filter(email=""):
        share.email = share.therapist.email.lower()
        share.save(update_fields=["email"])


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="intakeshare",
            name="email",
            field=models.EmailField(
                default="",
                help_text="The address the patient typed, in lower case.",
                max_length=254,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(copy_therapist_email, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="intakeshare",
            name="therapist",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="intakeshare",
            constraint=models.UniqueConstraint(
                condition=models.Q(("revoked_at__isnull", True)),
                fields=("patient", "email"),
                name="intake_intakeshare_one_active_per_email",
                violation_error_message="The intake is already shared with this address.",
            ),
        ),
    ]
