"""The built-in library as data (exercises/library.py): every exercise has every part, a source
that names a published source, a dose a programme item accepts, and a line drawing that is a
small, valid, accessible SVG; the migration's rows are the library's."""

from __future__ import annotations

import importlib
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sciaticare.exercises import library
from sciaticare.exercises.library import BY_SLUG, LIBRARY, STOP_RULE, drawing_of

STATIC = Path(library.__file__).parent / "static"
SVG = "{http://www.w3.org/2000/svg}"
#: The issue's starter library, by slug.
STARTERS = {
    "walking",
    "knee-to-chest",
    "supine-piriformis-stretch",
    "sciatic-nerve-slider",
    "prone-press-up",
    "pelvic-tilt",
    "cat-camel",
}
#: The published sources an exercise may cite (docs/clinical.md, "Exercise alongside massage").
PUBLISHED = (
    "NICE guideline NG59",
    "Hayden et al., Cochrane",
    "Basson et al., JOSPT 2017",
    "Long et al., Spine 2004",
)
IDS = [e.slug for e in LIBRARY]


def test_the_library_holds_the_starter_exercises_once_each():
    assert [e.slug for e in LIBRARY] == list(BY_SLUG)
    assert set(BY_SLUG) == STARTERS


@pytest.mark.parametrize("exercise", LIBRARY, ids=IDS)
def test_every_exercise_has_every_part(exercise):
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", exercise.slug)
    assert len(exercise.how_to) >= 3
    for text in (exercise.name, *exercise.how_to, exercise.how_often, exercise.how_many):
        assert text.strip() == text
        assert text
    assert exercise.when_to_stop.startswith(("Stop", "Slow down", "It should"))
    assert exercise.picture


@pytest.mark.parametrize("exercise", LIBRARY, ids=IDS)
def test_every_exercise_cites_a_published_source_only(exercise):
    assert exercise.sources
    for source in exercise.sources:
        assert source.startswith(PUBLISHED), source


def test_each_exercise_cites_what_fits_it():
    assert BY_SLUG["sciatic-nerve-slider"].sources == (library.BASSON,)
    assert BY_SLUG["prone-press-up"].sources == (library.LONG,)
    assert library.NG59_ACTIVE in BY_SLUG["walking"].sources


@pytest.mark.parametrize("exercise", LIBRARY, ids=IDS)
def test_the_default_dose_is_one_a_programme_item_accepts(exercise):
    dose = exercise.dose
    # The bounds of models.PlanItem's constraints (has_dose, dose_bounds).
    assert 1 <= dose.sets <= 10
    assert 1 <= dose.times_per_day <= 6
    if exercise.timed:
        assert (dose.repetitions, 1 <= dose.minutes <= 180) == (0, True)
    else:
        assert (dose.minutes, 1 <= dose.repetitions <= 100) == (0, True)


def test_only_walking_is_counted_in_minutes_and_it_is_graded():
    assert [e.slug for e in LIBRARY if e.timed] == ["walking"]
    walking = BY_SLUG["walking"]
    assert "add a few minutes every few days" in walking.how_many
    assert any("add 2 or 3 minutes" in step for step in walking.how_to)


def test_the_press_up_stops_when_leg_pain_spreads_further_down():
    assert "leg pain spreads further down your leg" in BY_SLUG["prone-press-up"].when_to_stop


def test_the_slider_slides_rather_than_stretches():
    """Head and leg move together (knee straight with the head up), never a tensioner."""
    steps = " ".join(BY_SLUG["sciatic-nerve-slider"].how_to)
    assert "straighten the knee" in steps
    assert "look up" in steps
    assert "bend the knee" in steps
    assert "look at the floor" in steps


def test_the_stop_rule_says_when_to_stop_and_sends_red_flags_to_the_symptom_check():
    assert "leg pain spreads further down your leg" in STOP_RULE.stop
    assert "numbness or weakness appears" in STOP_RULE.stop
    assert "tell your therapist" in STOP_RULE.stop
    for sign in ("bottom, genitals or inner thighs", "bladder or bowels", "both legs"):
        assert sign in STOP_RULE.red_flags
    assert STOP_RULE.red_flags.endswith("take the symptom check now.")
    assert STOP_RULE.check_route == "check"


def test_the_symptom_check_route_exists():
    from django.urls import reverse

    assert reverse(STOP_RULE.check_route) == "/check/"


def test_nothing_in_the_library_promises_a_cure_or_diagnoses():
    texts = [STOP_RULE.stop, STOP_RULE.red_flags]
    for e in LIBRARY:
        texts += [e.name, *e.how_to, e.how_often, e.how_many, e.when_to_stop, *e.sources]
    words = " ".join(texts).lower()
    for claim in ("cure", "heal", "fix", "diagnos", "guarantee"):
        assert claim not in words


def test_the_library_marks_its_words_for_translation_through_the_seam():
    source = Path(library.__file__).read_text()
    assert "from sciaticare.core.translation import gettext_noop" in source
    assert "django" not in source.split('"""', 2)[2]


# --- The drawings ---------------------------------------------------------------------------


@pytest.mark.parametrize("exercise", LIBRARY, ids=IDS)
def test_every_exercise_has_a_small_accessible_line_drawing(exercise):
    path = STATIC / drawing_of(exercise.slug)
    assert path.is_file()
    assert path.stat().st_size < 4096
    root = ET.fromstring(path.read_text(encoding="utf-8"))  # noqa: S314 - our own file
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox", ""))
    assert root.get("width") is None
    assert root.get("height") is None
    assert root.get("stroke") == "currentColor"
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == exercise.name
    assert root[0] is title  # the first child names it
    assert "#" not in path.read_text().replace("currentColor", "")  # no fixed colour


def test_only_built_in_slugs_have_a_drawing():
    assert drawing_of("walking") == "exercises/drawings/walking.svg"
    assert drawing_of("hamstring-stretch") is None
    drawings = {p.stem for p in (STATIC / "exercises" / "drawings").glob("*.svg")}
    assert drawings == set(BY_SLUG)


# --- The migration's rows -------------------------------------------------------------------


def test_the_migration_stores_the_librarys_slugs_names_and_timing():
    migration = importlib.import_module("sciaticare.exercises.migrations.0002_built_in_library")
    assert [(slug, name, timed) for slug, name, timed in migration.BUILT_IN] == [
        (e.slug, e.name, e.timed) for e in LIBRARY
    ]


@pytest.mark.django_db
def test_the_built_in_rows_are_in_the_database():
    from sciaticare.exercises.models import Exercise

    rows = Exercise.objects.filter(clinic=None, patient=None)
    assert {(e.slug, e.timed) for e in rows} == {(e.slug, e.timed) for e in LIBRARY}
    assert all(e.built_in for e in rows)
