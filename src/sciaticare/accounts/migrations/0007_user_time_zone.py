"""Every person gets a time zone (docs/architecture.md, "The person's own day").

Existing accounts: the zone of the place of their latest session (as patient or therapist),
the best guess of where their clock is; anyone without a session gets the site's zone
(settings.TIME_ZONE), the zone their "today" was figured in until now. People change it on
the account page.
"""

from django.db import migrations, models

import sciaticare.accounts.models


def zones_from_sessions(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Appointment = apps.get_model("scheduling", "Appointment")
    zones: dict[int, str] = {}
    # Earliest first, so each person keeps their latest session's zone.
    rows = Appointment.objects.order_by("start").values_list(
        "patient_id", "therapist__user_id", "location__time_zone"
    )
    for patient_id, therapist_user_id, zone in rows.iterator():
        zones[patient_id] = zone
        zones[therapist_user_id] = zone
    by_zone: dict[str, list[int]] = {}
    for user_id, zone in zones.items():
        by_zone.setdefault(zone, []).append(user_id)
    for zone, ids in by_zone.items():
        for start in range(0, len(ids), 500):
            User.objects.filter(pk__in=ids[start : start + 500]).update(time_zone=zone)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_api_token_name_one_line"),
        # Read only, for the zone of each person's sessions.
        ("scheduling", "0005_appointment_cancellation_window"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="time_zone",
            field=models.CharField(
                default=sciaticare.accounts.models.site_time_zone,
                help_text="IANA name, e.g. Europe/London.",
                max_length=64,
                validators=[sciaticare.accounts.models.validate_time_zone],
                verbose_name="time zone",
            ),
        ),
        migrations.RunPython(zones_from_sessions, migrations.RunPython.noop, elidable=True),
    ]
