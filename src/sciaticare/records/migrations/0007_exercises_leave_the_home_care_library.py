"""The built-in home-care library stops offering exercise lines: exercises are given in the home
exercise programme (the exercises app), each with its dose, so a note never offers a second,
different dose of the same stretch. Notes keep the lines they chose (SessionNote.home_care holds
the text, not a link to this table), so deleting the library rows changes no note."""

from django.db import migrations

EXERCISE_LINES = [
    "Knee-to-chest stretch: 3 × 30 seconds each side, gently, stop if leg pain increases.",
    "Seated piriformis stretch: 3 × 30 seconds each side, gently, stop if tingling increases.",
]


def forward(apps, schema_editor):
    advice = apps.get_model("records", "HomeCareAdvice")
    advice.objects.filter(therapist=None, text__in=EXERCISE_LINES).delete()


def reverse(apps, schema_editor):
    advice = apps.get_model("records", "HomeCareAdvice")
    for text in EXERCISE_LINES:
        advice.objects.get_or_create(therapist=None, text=text)


class Migration(migrations.Migration):
    dependencies = [("records", "0006_note_template_name_one_line")]
    operations = [migrations.RunPython(forward, reverse)]
