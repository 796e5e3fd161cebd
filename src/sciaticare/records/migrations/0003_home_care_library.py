"""The built-in home-care library a therapist picks from (and extends with their own lines).
Wording follows docs/clinical.md ("Home care"): activity and exercise alongside massage (NICE
NG59), heat (ACP 2017); stretches are suggestions for the therapist to choose, not prescriptions."""

from django.db import migrations

LINES = [
    "Stay active: keep walking a little more each day, as pain allows; avoid bed rest (NICE NG59).",
    "A heat pack on the lower back for 15–20 minutes can ease pain (ACP 2017).",
    "Keep doing the exercises your physiotherapist or doctor gave you: massage works best alongside exercise.",
    "Knee-to-chest stretch: 3 × 30 seconds each side, gently, stop if leg pain increases.",
    "Seated piriformis stretch: 3 × 30 seconds each side, gently, stop if tingling increases.",
    "Break up long sitting every 30–45 minutes with a short walk.",
    "If you get new numbness around your bottom or genitals, or bladder or bowel changes, go to an emergency department.",
]


def forward(apps, schema_editor):
    advice = apps.get_model("records", "HomeCareAdvice")
    for text in LINES:
        advice.objects.get_or_create(therapist=None, text=text)


def reverse(apps, schema_editor):
    apps.get_model("records", "HomeCareAdvice").objects.filter(therapist=None, text__in=LINES).delete()


class Migration(migrations.Migration):
    dependencies = [("records", "0002_signed_notes_are_frozen")]
    operations = [migrations.RunPython(forward, reverse)]
