"""The patient's programme pages (exercises/views_programme.py): who may open them, what the
programme page shows (drawings, steps, dose in words, the stop rule on every exercise, who gave
it and the review, this week's adherence, the versions before), a tick with and without htmx,
the pause suggestion after a mark that flags, pause and resume, entering a programme with its
refusals, a new version and ending one. The clock is frozen on Tuesday 14 July 2026."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from sciaticare.exercises.adherence import EVERY_DAY
from sciaticare.exercises.library import STOP_RULE
from sciaticare.exercises.models import Exercise, ExerciseLog, ExercisePlan, PausedExercise
from sciaticare.exercises.services.logs import log_exercise
from sciaticare.exercises.services.plans import ItemInput, enter_own_plan, write_plan
from tests.exercises.conftest import reps
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

MON_WED_FRI = 0b0010101
PAGE = reverse("exercises:my_programme")
HTMX = {"HTTP_HX_REQUEST": "true"}


def built_in(slug: str) -> Exercise:
    return Exercise.objects.get(slug=slug, clinic__isnull=True, patient__isnull=True)


def _as(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def therapist_plan(world: dict[str, Any]) -> ExercisePlan:
    """The therapist's programme: version 1 a fortnight ago, version 2 (the one in force)
    from last Saturday with a review in four weeks."""
    today = world["today"]
    first = write_plan(
        therapist=world["people"]["therapist"],
        patient=world["people"]["patient"],
        items=[reps(built_in("pelvic-tilt").pk)],
        start_date=today - timedelta(days=14),
        review_date=None,
    )
    write_plan(
        therapist=world["people"]["therapist"],
        patient=world["people"]["patient"],
        items=[
            reps(built_in("pelvic-tilt").pk, sets=2, days=MON_WED_FRI),
            ItemInput(built_in("walking").pk, minutes=15),
        ],
        start_date=today - timedelta(days=3),
        review_date=today + timedelta(weeks=4),
        plan_id=first.plan_id,
    )
    return first.plan


def _tick(client: Client, plan: ExercisePlan, exercise: Exercise, **data: Any) -> Any:
    return client.post(reverse("exercises:tick", args=[plan.pk]), {"exercise": exercise.pk, **data})


# --- Who may -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("patient", 200),
        ("other_patient", 200),  # their own (empty) page
        ("therapist", 403),
        ("clinic_admin", 403),
        ("site_admin", 403),
    ],
)
def test_only_patients_open_their_programme_page(world, who, status):
    assert _as(world["people"][who]).get(PAGE).status_code == status


def test_anybody_signed_out_is_sent_to_sign_in(world):
    assert _as(None).get(PAGE).status_code == 302


def test_another_patients_programme_is_404_for_every_action(world, therapist_plan):
    other = _as(world["people"]["other_patient"])
    tilt = built_in("pelvic-tilt")
    own = enter_own_plan(
        patient=world["people"]["patient"],
        prescriber="Dr Shah",
        items=[reps(tilt.pk)],
        start_date=world["today"],
        review_date=None,
    ).plan

    assert _tick(other, therapist_plan, tilt).status_code == 404
    for name in ("exercises:pause", "exercises:resume"):
        url = reverse(name, args=[therapist_plan.pk])
        assert other.post(url, {"exercise": tilt.pk}).status_code == 404
    for name in ("exercises:programme_edit", "exercises:programme_end"):
        assert other.get(reverse(name, args=[own.pk])).status_code == 404
    assert not ExerciseLog.objects.exists()
    assert not PausedExercise.objects.exists()


def test_a_therapists_programme_is_not_the_patients_to_change_or_end(world, therapist_plan):
    patient = _as(world["people"]["patient"])

    for name in ("exercises:programme_edit", "exercises:programme_end"):
        assert patient.get(reverse(name, args=[therapist_plan.pk])).status_code == 404
    page = patient.get(PAGE).content.decode()
    assert reverse("exercises:programme_edit", args=[therapist_plan.pk]) not in page


# --- What the programme page shows -------------------------------------------------------------


def test_the_page_shows_each_exercise_with_drawing_steps_dose_and_stop_rule(world, therapist_plan):
    page = _as(world["people"]["patient"]).get(PAGE).content.decode()

    therapist = world["people"]["therapist"]
    assert escape(f"From your therapist, {therapist.display_name}") in page
    assert "Review on 11 Aug 2026." in page
    assert "Version 2, from 11 Jul 2026." in page
    assert "10 repetitions, 2 sets, once a day; Mon, Wed, Fri" in page
    assert "15 minutes, once a day; every day" in page
    for slug in ("pelvic-tilt", "walking"):
        assert f"exercises/drawings/{slug}" in page
    assert page.count('<ol class="steps">') == 2
    assert page.count(escape(STOP_RULE.stop)) == 2  # on every exercise
    assert page.count(reverse("check")) >= 2
    assert "not planned today" in page  # the tilt: Mon, Wed, Fri; today is a Tuesday
    # The version before, read only.
    assert "The version before (read only)" in page
    assert "Version 1, from 30 Jun 2026" in page
    assert "10 repetitions, once a day; every day" in page


def test_this_weeks_adherence_is_done_over_planned(world, therapist_plan):
    patient = world["people"]["patient"]
    walk = built_in("walking")
    for days_ago in (0, 1):
        log_exercise(
            patient=patient,
            plan_id=therapist_plan.pk,
            exercise_id=walk.pk,
            day=world["today"] - timedelta(days=days_ago),
            done=True,
        )

    page = _as(patient).get(PAGE).content.decode()

    # Monday and Tuesday: the tilt on Monday, the walk on both: 2 of 3 done.
    assert "This week: 2 of 3 planned done (67 %)." in page


def test_a_patient_without_a_programme_is_offered_to_enter_one(world):
    page = _as(world["people"]["patient"]).get(PAGE).content.decode()

    assert "You have no home exercise programme yet." in page
    assert reverse("exercises:programme_new") in page


# --- A tick --------------------------------------------------------------------------------


def test_a_tick_without_htmx_logs_once_and_goes_back_to_the_exercise(world, therapist_plan):
    client = _as(world["people"]["patient"])
    walk = built_in("walking")

    first = _tick(client, therapist_plan, walk, next=PAGE)
    again = _tick(client, therapist_plan, walk, leg_pain="better", next=PAGE)

    anchor = f"#exercise-{therapist_plan.pk}-{walk.pk}"
    assert first.status_code == again.status_code == 302
    assert first["Location"] == PAGE + anchor
    log = ExerciseLog.objects.get()
    assert (log.date, log.done, log.leg_pain) == (world["today"], True, "better")
    page = client.get(PAGE).content.decode()
    assert "Done today: Walking." in page
    assert "Done today." in page


def test_a_tick_with_htmx_answers_the_row_alone(world, therapist_plan):
    client = _as(world["people"]["patient"])
    walk = built_in("walking")

    answer = client.post(
        reverse("exercises:tick", args=[therapist_plan.pk]), {"exercise": walk.pk}, **HTMX
    )

    row = answer.content.decode()
    assert answer.status_code == 200
    assert row.lstrip().startswith("<li")
    assert "<html" not in row
    assert f'id="exercise-{therapist_plan.pk}-{walk.pk}"' in row
    assert "Done today." in row
    assert "How was your leg pain after? (optional)" in row


def test_any_exercise_can_be_paused_without_a_flag(world, therapist_plan):
    client = _as(world["people"]["patient"])
    walk = built_in("walking")

    page = client.get(PAGE).content.decode()

    assert "Pause this exercise and tell" not in page  # nothing flagged
    assert page.count("Want to stop this exercise for now?") == 2
    assert "Pause Walking" in page
    assert "Pause Pelvic tilt" in page
    row = client.post(
        reverse("exercises:pause", args=[therapist_plan.pk]), {"exercise": walk.pk}, **HTMX
    ).content.decode()
    assert PausedExercise.objects.filter(plan=therapist_plan, exercise=walk).exists()
    assert "Take up Walking again" in row


def test_a_swapped_row_brings_the_weeks_figure_as_it_now_is(world, therapist_plan):
    """Pausing and taking up again on the same day: the figure beside the row is the page's
    after a reload, not the one from before the swap."""
    patient = world["people"]["patient"]
    client = _as(patient)
    walk = built_in("walking")
    week = f'<p class="adherence" id="week-{therapist_plan.pk}" hx-swap-oob="true">'
    assert "This week: 0 of 3 planned done (0 %)." in client.get(PAGE).content.decode()

    paused = client.post(
        reverse("exercises:pause", args=[therapist_plan.pk]), {"exercise": walk.pk}, **HTMX
    ).content.decode()
    paused_page = client.get(PAGE).content.decode()
    resumed = client.post(
        reverse("exercises:resume", args=[therapist_plan.pk]), {"exercise": walk.pk}, **HTMX
    ).content.decode()
    url = reverse("exercises:tick", args=[therapist_plan.pk])
    ticked = client.post(url, {"exercise": walk.pk}, **HTMX).content.decode()

    assert week + "This week: 0 of 2 planned done (0 %).</p>" in paused
    assert "This week: 0 of 2 planned done (0 %)." in paused_page
    assert week + "This week: 0 of 3 planned done (0 %).</p>" in resumed
    assert week + "This week: 1 of 3 planned done (33 %).</p>" in ticked
    assert "This week: 1 of 3 planned done (33 %)." in client.get(PAGE).content.decode()
    # The dashboard's card has no week figure to send.
    dashboard = client.post(url, {"exercise": walk.pk, "where": "dashboard"}, **HTMX)
    assert dashboard.status_code == 200
    assert "hx-swap-oob" not in dashboard.content.decode()


def test_a_spread_mark_suggests_pausing_at_once_then_pause_and_resume(world, therapist_plan):
    client = _as(world["people"]["patient"])
    walk = built_in("walking")
    url = reverse("exercises:tick", args=[therapist_plan.pk])

    row = client.post(
        url, {"exercise": walk.pk, "leg_pain": "same", "spread_down_leg": "on"}, **HTMX
    ).content.decode()

    assert "Pause this exercise and tell your therapist." in row
    assert "You said the pain spread further down your leg after it." in row
    assert 'role="alert"' in row
    assert reverse("check") in row  # new numbness or weakness: the symptom check
    paused = client.post(
        reverse("exercises:pause", args=[therapist_plan.pk]), {"exercise": walk.pk}, **HTMX
    ).content.decode()
    assert PausedExercise.objects.filter(plan=therapist_plan, exercise=walk).exists()
    assert "Paused" in paused
    assert "Take up Walking again" in paused
    assert "Done today" not in paused  # no tick while paused

    back = client.post(
        reverse("exercises:resume", args=[therapist_plan.pk]), {"exercise": walk.pk}, next=PAGE
    )
    assert back.status_code == 302
    assert not PausedExercise.objects.exists()


def test_worse_three_times_running_suggests_pausing(world, therapist_plan):
    patient = world["people"]["patient"]
    walk = built_in("walking")
    for days_ago in (2, 1):
        log_exercise(
            patient=patient,
            plan_id=therapist_plan.pk,
            exercise_id=walk.pk,
            day=world["today"] - timedelta(days=days_ago),
            done=True,
            leg_pain="worse",
        )

    row = (
        _as(patient)
        .post(
            reverse("exercises:tick", args=[therapist_plan.pk]),
            {"exercise": walk.pk, "leg_pain": "worse"},
            **HTMX,
        )
        .content.decode()
    )

    assert "Your leg pain was worse after it three times running." in row


def test_own_programme_suggestion_names_who_gave_it(world):
    patient = world["people"]["patient"]
    tilt = built_in("pelvic-tilt")
    plan = enter_own_plan(
        patient=patient,
        prescriber="Dr Shah",
        items=[reps(tilt.pk)],
        start_date=world["today"],
        review_date=None,
    ).plan

    row = (
        _as(patient)
        .post(
            reverse("exercises:tick", args=[plan.pk]),
            {"exercise": tilt.pk, "spread_down_leg": "on"},
            **HTMX,
        )
        .content.decode()
    )

    assert "Pause this exercise and tell the physiotherapist or doctor who gave it to you." in row


@pytest.mark.parametrize(
    ("data", "shown"),
    [
        ({"leg_pain": "awful"}, "How was your leg pain after?:"),
        ({"done": "no", "leg_pain": "worse"}, "say how the leg felt only after doing the exercise"),
        ({"exercise": "slider"}, "not in this programme on 2026-07-14"),
        ({"exercise": "x"}, "Enter a whole number."),
    ],
)
def test_a_refused_tick_says_why_at_the_exercise(world, therapist_plan, data, shown):
    client = _as(world["people"]["patient"])
    walk = built_in("walking")
    named = {"slider": world["exercises"]["slider"].pk}
    body = {"exercise": walk.pk, **data}
    body["exercise"] = named.get(body["exercise"], body["exercise"])

    plain = client.post(reverse("exercises:tick", args=[therapist_plan.pk]), body)
    htmx = client.post(reverse("exercises:tick", args=[therapist_plan.pk]), body, **HTMX)

    assert plain.status_code == 422
    assert escape(shown) in plain.content.decode()
    assert "That was not saved." in plain.content.decode()
    assert htmx.status_code == 422
    if body["exercise"] == walk.pk:  # the row comes back with the reason
        assert escape(shown) in htmx.content.decode()
        assert "data-tick-errors" in htmx.content.decode()
    assert not ExerciseLog.objects.exists()


def test_undoing_a_tick_says_not_done(world, therapist_plan):
    client = _as(world["people"]["patient"])
    walk = built_in("walking")
    _tick(client, therapist_plan, walk)

    _tick(client, therapist_plan, walk, done="no")

    assert ExerciseLog.objects.get().done is False


# --- The dashboard's card ----------------------------------------------------------------------


def test_the_dashboard_lists_todays_exercises_with_one_tap_each(world, therapist_plan):
    client = _as(world["people"]["patient"])
    walk = built_in("walking")

    page = client.get(reverse("web:dashboard")).content.decode()

    assert "Today's exercises" in page
    assert "Done: Walking" in page
    assert "Done: Pelvic tilt" not in page  # not planned on a Tuesday
    answer = client.post(
        reverse("exercises:tick", args=[therapist_plan.pk]),
        {"exercise": walk.pk, "where": "dashboard", "next": reverse("web:dashboard")},
    )
    assert answer["Location"] == f"/dashboard/#today-exercise-{therapist_plan.pk}-{walk.pk}"
    assert ExerciseLog.objects.get().done is True


def test_the_dashboards_row_after_one_tap_offers_the_marks(world, therapist_plan):
    client = _as(world["people"]["patient"])
    walk = built_in("walking")

    row = client.post(
        reverse("exercises:tick", args=[therapist_plan.pk]),
        {"exercise": walk.pk, "where": "dashboard"},
        **HTMX,
    ).content.decode()

    assert f'id="today-exercise-{therapist_plan.pk}-{walk.pk}"' in row
    assert "Done today." in row
    assert '<details class="after" open>' in row
    assert "The pain spread further down my leg" in row
    # The question is read once: the summary asks it, the marks' legend is for screen readers.
    assert row.count("How was your leg pain after? (optional)") == 2
    assert '<legend class="visually-hidden">' in row
    assert "How was your leg after?" not in row


def test_no_card_without_exercises_today(world):
    page = _as(world["people"]["patient"]).get(reverse("web:dashboard")).content.decode()

    assert "Today's exercises" not in page
    assert reverse("exercises:my_programme") in page  # the way to enter one


# --- Entering a programme, a new version, ending it --------------------------------------------


def _programme_data(rows: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "prescriber": "My physio",
        "start_date": "2026-07-14",
        "review_date": "",
        "items-TOTAL_FORMS": str(len(rows)),
        "items-INITIAL_FORMS": "0",
        **fields,
    }
    for i, row in enumerate(rows):
        values = {"sets": "1", "times_per_day": "1", "days": [str(d) for d in range(7)], **row}
        data |= {f"items-{i}-{name}": value for name, value in values.items()}
    return data


def test_the_patient_enters_a_programme_from_the_library_and_their_own(world):
    patient = world["people"]["patient"]
    client = _as(patient)
    assert client.get(reverse("exercises:programme_new")).status_code == 200
    walk = built_in("walking")

    answer = client.post(
        reverse("exercises:programme_new"),
        _programme_data(
            [
                {"exercise": str(walk.pk), "minutes": "20", "days": ["0", "2", "4"]},
                {},  # left empty: skipped
                {
                    "exercise": "own",
                    "own_name": "Hamstring stretch on a step",
                    "own_how_to": "1. Heel on the step.\n2. Lean forward.",
                    "repetitions": "5",
                    "sets": "3",
                    "instructions": "Hold 30 seconds",
                },
            ],
            review_date="2026-08-14",
        ),
    )

    assert answer.status_code == 302
    plan = ExercisePlan.objects.get(patient=patient)
    assert (plan.origin, plan.prescriber) == ("patient", "My physio")
    version = plan.versions.get()
    assert version.review_date == date(2026, 8, 14)
    items = list(version.items.order_by("position"))
    walking, own = items
    assert (walking.exercise_id, walking.minutes, walking.days) == (walk.pk, 20, MON_WED_FRI)
    assert own.exercise.patient == patient
    assert own.exercise.name == "Hamstring stretch on a step"
    assert (own.repetitions, own.sets, own.days, own.instructions) == (
        5,
        3,
        EVERY_DAY,
        "Hold 30 seconds",
    )
    page = client.get(PAGE).content.decode()
    assert "Your programme is saved." in page
    # Whatever they typed ("my physiotherapist, Sam"), the heading reads right.
    assert "Programme you entered — given by: My physio" in page
    assert "Heel on the step." in page  # their own steps, numbered by the page
    # Their own exercise is offered again, apart from the library's.
    form = client.get(reverse("exercises:programme_new")).content.decode()
    library, own = form.split('<optgroup label="The library">')[1].split("</optgroup>")[:2]
    assert "Walking" in library
    assert "Hamstring stretch on a step" not in library
    assert '<optgroup label="Your own exercises">' in own
    assert "Hamstring stretch on a step" in own


def test_without_own_exercises_the_list_is_the_library_alone(world):
    form = _as(PatientFactory()).get(reverse("exercises:programme_new"))

    assert "<optgroup" not in form.content.decode()
    assert "Walking" in form.content.decode()


@pytest.mark.parametrize(
    ("rows", "fields", "shown"),
    [
        ([], {}, "give from 1 to 12 exercises"),
        ([{"exercise": "own"}], {}, "name the exercise"),
        ([{"exercise": "own", "own_name": "Bridge"}], {}, "give repetitions or minutes"),
        (
            [{"exercise": "own", "own_name": "Bridge", "repetitions": "5", "days": []}],
            {},
            "choose at least one day of the week",
        ),
        (
            [{"exercise": "own", "own_name": "Bridge", "repetitions": "500"}],
            {},
            "Ensure this value is less than or equal to 100.",
        ),
        (
            [{"exercise": "own", "own_name": "Bridge", "repetitions": "5"}],
            {"review_date": "2026-07-01"},
            "must be on or after the start date",
        ),
        (
            [{"exercise": "own", "own_name": "Bridge", "repetitions": "5"}],
            {"start_date": ""},
            "This field is required.",
        ),
    ],
)
def test_a_refused_programme_says_what_to_fix(world, rows, fields, shown):
    client = _as(world["people"]["patient"])

    answer = client.post(reverse("exercises:programme_new"), _programme_data(rows, **fields))

    page = answer.content.decode()
    assert answer.status_code == 422
    assert "The programme was not saved. Please check:" in page
    assert escape(shown) in page
    assert not ExercisePlan.objects.exists()


def test_another_patients_own_exercise_cannot_be_chosen(world):
    stranger = PatientFactory()
    theirs = Exercise.objects.create(slug="secret", name="Their stretch", patient=stranger)

    answer = _as(world["people"]["patient"]).post(
        reverse("exercises:programme_new"),
        _programme_data([{"exercise": str(theirs.pk), "repetitions": "5"}]),
    )

    assert answer.status_code == 422
    assert "Their stretch" not in answer.content.decode()
    assert not ExercisePlan.objects.exists()


def test_more_rows_keep_what_was_typed_without_refusing_it(world):
    answer = _as(world["people"]["patient"]).post(
        reverse("exercises:programme_new"),
        _programme_data([{"exercise": "own", "own_name": "Bridge"}], more="1"),
    )

    page = answer.content.decode()
    assert answer.status_code == 200
    assert 'value="Bridge"' in page
    assert page.count('<fieldset class="card item-row') == 4
    assert "not saved" not in page


def test_a_change_is_a_new_version_and_the_old_one_stays_listed(world):
    patient = world["people"]["patient"]
    client = _as(patient)
    tilt = built_in("pelvic-tilt")
    plan = enter_own_plan(
        patient=patient,
        prescriber="Dr Shah",
        items=[reps(tilt.pk)],
        start_date=world["today"] - timedelta(days=7),
        review_date=None,
    ).plan
    form = client.get(reverse("exercises:programme_edit", args=[plan.pk])).content.decode()
    assert 'value="Dr Shah"' in form
    assert f'<option value="{tilt.pk}" selected>' in form

    answer = client.post(
        reverse("exercises:programme_edit", args=[plan.pk]),
        _programme_data([{"exercise": str(tilt.pk), "repetitions": "15"}], prescriber="Dr Shah"),
    )

    assert answer.status_code == 302
    assert [v.number for v in plan.versions.all()] == [2, 1]
    page = client.get(PAGE).content.decode()
    assert "Saved: version 2 of your programme." in page
    assert "Version 2, from 14 Jul 2026." in page
    assert "The version before (read only)" in page


def test_ending_asks_first_then_ends(world):
    patient = world["people"]["patient"]
    client = _as(patient)
    plan = enter_own_plan(
        patient=patient,
        prescriber="Dr Shah",
        items=[reps(built_in("pelvic-tilt").pk)],
        start_date=world["today"] - timedelta(days=7),
        review_date=None,
    ).plan
    url = reverse("exercises:programme_end", args=[plan.pk])

    confirm = client.get(url).content.decode()
    unconfirmed = client.post(url, {})

    assert "End this programme?" in confirm
    assert "Pelvic tilt" in confirm
    assert unconfirmed.status_code == 422
    plan.refresh_from_db()
    assert plan.ended_at is None

    assert client.post(url, {"confirm": "yes"}).status_code == 302
    plan.refresh_from_db()
    assert plan.ended_at is not None
    page = client.get(PAGE).content.decode()
    assert "Ended programmes" in page
    assert "Programme you entered, 7 Jul 2026 to 14 Jul 2026 — given by: Dr Shah" in page
    assert client.get(url).status_code == 404  # nothing more to end or change


# --- In Spanish ----------------------------------------------------------------------------------


def test_the_programme_reads_in_spanish(world, therapist_plan):
    patient = world["people"]["patient"]
    patient.language = "es"
    patient.save(update_fields=["language"])
    client = _as(patient)
    client.cookies["django_language"] = "es"

    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Sus ejercicios en casa" in page
    assert "10 repeticiones, 2 series, una vez al día; lunes, miércoles, viernes" in page
    assert "15 minutos, una vez al día; todos los días" in page
    assert "Caminar" in page
    assert "Esta semana" in page
