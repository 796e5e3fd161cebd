"""The built-in exercise library's rows: slug, English name and whether it is counted in minutes.
What people read of a built-in exercise (its name too, in their language) comes from
``exercises/library.py``, never from these rows; the rows are what programmes, logs and a
clinic's choice point at. This migration keeps its own copy of the slugs (a migration must not
change when the library does); tests/exercises/test_library.py checks the two agree."""

from django.db import migrations

BUILT_IN = [
    # (slug, English name, timed)
    ("walking", "Walking", True),
    ("knee-to-chest", "Knee-to-chest stretch", False),
    ("supine-piriformis-stretch", "Piriformis stretch, lying on your back", False),
    ("sciatic-nerve-slider", "Sciatic nerve slider", False),
    ("prone-press-up", "Press-up lying on your front", False),
    ("pelvic-tilt", "Pelvic tilt", False),
    ("cat-camel", "Cat–camel", False),
]


def forward(apps, schema_editor):
    exercise = apps.get_model("exercises", "Exercise")
    for slug, name, timed in BUILT_IN:
        exercise.objects.update_or_create(
            slug=slug, clinic=None, patient=None, defaults={"name": name, "timed": timed}
        )


def reverse(apps, schema_editor):
    # Programmes and logs protect the rows they use: a database with them cannot go back.
    apps.get_model("exercises", "Exercise").objects.filter(
        clinic=None, patient=None, slug__in=[slug for slug, _name, _timed in BUILT_IN]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("exercises", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
