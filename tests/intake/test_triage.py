"""Tests for the pure triage engine (docs/clinical.md). No Django needed."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sciaticare.intake.triage.assessment import (
    FieldError,
    InvalidTriageInput,
    Triage,
    assess,
    check_input,
)
from sciaticare.intake.triage.levels import Level
from sciaticare.intake.triage.phase import episode_phase
from sciaticare.intake.triage.precautions import PRECAUTIONS
from sciaticare.intake.triage.questions import QUESTIONS, REQUIRED_CODES
from sciaticare.intake.triage.reasons import CES_PLAIN_TAIL, COMBINATIONS, REASONS

# No example database (no .hypothesis/ directory written); applied per test so that other
# modules' Hypothesis settings are untouched.
quiet = settings(database=None, deadline=None)

TABLE_CODES = (
    "saddle_numbness",
    "bladder_change",
    "bowel_change",
    "sexual_dysfunction",
    "both_legs",
    "worsening_weakness",
    "chest_symptoms",
    "calf_swelling",
    "fever",
    "infection_risk",
    "foot_drop",
    "major_trauma",
    "cancer_history",
    "weight_loss",
    "night_pain",
    "osteoporosis_or_steroids",
    "anticoagulants",
    "pregnant",
    "recent_surgery",
    "skin_problem",
)
ALL_CODES = (*TABLE_CODES, "first_episode", "not_improving")
DERIVED = ("age_over_50_first_episode", "age_under_16", "no_improvement_6_weeks")
COMBOS = ("possible_spinal_metastases", "possible_spinal_cord_compression")

# A person who fires nothing: adult, recent onset, every answer "no".
AGE, ONSET = 30, 1


def no_answers(**yes: bool) -> dict[str, bool]:
    answers = dict.fromkeys(ALL_CODES, False)
    answers.update(yes)
    return answers


def run(age: int = AGE, onset: float = ONSET, **yes: bool) -> Triage:
    return assess(age, onset, no_answers(**yes))


# --- the catalogue itself -------------------------------------------------------------------


def test_questions_are_in_table_order_then_the_two_extra_answers() -> None:
    assert tuple(q.code for q in QUESTIONS) == ALL_CODES
    assert frozenset(ALL_CODES) == REQUIRED_CODES


def test_question_wording_is_the_tables() -> None:
    texts = {q.code: q.text for q in QUESTIONS}
    assert texts["saddle_numbness"] == (
        "Numbness or a strange feeling around your bottom, genitals or inner thighs?"
    )
    assert texts["skin_problem"] == "Wounds, burns, rashes or infection where it hurts?"
    assert texts["first_episode"] == "Is this your first ever episode of back pain or sciatica?"
    assert texts["not_improving"] == (
        "Has it stayed the same or got worse since it began, with no improvement at all?"
    )
    assert texts["both_legs"] == (
        "New pain, numbness or weakness in both legs (it started, or spread to the second leg, "
        "in the last few weeks)?"
    )
    assert all(q.text.endswith("?") for q in QUESTIONS)


def test_reasons_are_one_per_levelled_question_plus_the_derived_ones() -> None:
    levelled = [q.reason for q in QUESTIONS if q.reason is not None]
    assert tuple(REASONS) == (*levelled, *DERIVED, *COMBOS)
    for code, reason in REASONS.items():
        assert reason.code == code
        assert reason.plain
        assert reason.clinical
        assert reason.source


def test_question_precautions_exist_and_precautions_are_in_fixed_order() -> None:
    assert tuple(PRECAUTIONS) == (
        "no_massage_affected_leg",
        "gentle_pressure",
        "no_deep_pressure",
        "check_with_midwife",
        "avoid_surgical_site",
        "avoid_affected_skin",
    )
    given_by_questions = [q.precaution for q in QUESTIONS if q.precaution is not None]
    assert given_by_questions == list(PRECAUTIONS)
    for code, precaution in PRECAUTIONS.items():
        assert precaution.code == code
        assert precaution.plain
        assert precaution.clinical
        assert precaution.source


@pytest.mark.parametrize(
    ("level", "code"),
    [
        (Level.OK, "ok"),
        (Level.SOON, "soon"),
        (Level.URGENT, "urgent"),
        (Level.EMERGENCY, "emergency"),
    ],
)
def test_level_codes_round_trip(level: Level, code: str) -> None:
    assert level.code == code
    assert Level.from_code(code) is level


@pytest.mark.parametrize("code", ["", "OK", "red", "3"])
def test_level_from_unknown_code(code: str) -> None:
    with pytest.raises(ValueError, match="unknown triage level"):
        Level.from_code(code)


def test_levels_are_ordered() -> None:
    assert Level.OK < Level.SOON < Level.URGENT < Level.EMERGENCY


# --- each question alone --------------------------------------------------------------------

E, U, S, OK = Level.EMERGENCY, Level.URGENT, Level.SOON, Level.OK


EACH_ALONE: list[tuple[str, Level, tuple[str, ...], tuple[str, ...]]] = [
    ("saddle_numbness", E, ("saddle_numbness",), ()),
    ("bladder_change", E, ("bladder_change",), ()),
    ("bowel_change", E, ("bowel_change",), ()),
    ("sexual_dysfunction", E, ("sexual_dysfunction",), ()),
    ("both_legs", E, ("both_legs",), ()),
    ("worsening_weakness", E, ("worsening_weakness",), ()),
    ("chest_symptoms", E, ("chest_symptoms",), ()),
    ("calf_swelling", U, ("calf_swelling",), ("no_massage_affected_leg",)),
    ("fever", U, ("fever",), ()),
    ("infection_risk", U, ("infection_risk",), ()),
    ("foot_drop", U, ("foot_drop",), ()),
    ("major_trauma", U, ("major_trauma",), ()),
    ("cancer_history", S, ("cancer_history",), ()),
    ("weight_loss", S, ("weight_loss",), ()),
    ("night_pain", S, ("night_pain",), ()),
    ("osteoporosis_or_steroids", S, ("osteoporosis_or_steroids",), ("gentle_pressure",)),
    ("anticoagulants", OK, (), ("no_deep_pressure",)),
    ("pregnant", OK, (), ("check_with_midwife",)),
    ("recent_surgery", OK, (), ("avoid_surgical_site",)),
    ("skin_problem", OK, (), ("avoid_affected_skin",)),
    # Alone (adult, recent onset) these two give nothing: they only feed derived reasons.
    ("first_episode", OK, (), ()),
    ("not_improving", OK, (), ()),
]


@pytest.mark.parametrize(("code", "level", "reasons", "precautions"), EACH_ALONE)
def test_each_question_alone(
    code: str, level: Level, reasons: tuple[str, ...], precautions: tuple[str, ...]
) -> None:
    result = run(**{code: True})
    assert result.level is level
    assert result.reasons == reasons
    assert result.precautions == precautions


def test_every_question_code_is_covered_by_the_table_above() -> None:
    assert [row[0] for row in EACH_ALONE] == list(ALL_CODES)


def test_nothing_fired_is_ok() -> None:
    result = run()
    assert result == Triage(Level.OK, (), (), result.advice)


# --- derived reasons and their boundaries ---------------------------------------------------


@pytest.mark.parametrize(
    ("age", "onset", "yes", "reasons"),
    [
        (51, ONSET, {"first_episode": True}, ("age_over_50_first_episode",)),
        (50, ONSET, {"first_episode": True}, ()),
        (51, ONSET, {}, ()),
        (120, ONSET, {"first_episode": True}, ("age_over_50_first_episode",)),
        (15, ONSET, {}, ("age_under_16",)),
        (16, ONSET, {}, ()),
        (1, ONSET, {}, ("age_under_16",)),
        (AGE, 6, {"not_improving": True}, ("no_improvement_6_weeks",)),
        (AGE, 6.0, {"not_improving": True}, ("no_improvement_6_weeks",)),
        (AGE, 5.9, {"not_improving": True}, ()),
        (AGE, 520, {"not_improving": True}, ("no_improvement_6_weeks",)),
        (AGE, 52, {}, ()),
        # All three together, in their fixed order.
        (
            15,
            6,
            {"first_episode": True, "not_improving": True},
            ("age_under_16", "no_improvement_6_weeks"),
        ),
        (
            60,
            10,
            {"first_episode": True, "not_improving": True},
            ("age_over_50_first_episode", "no_improvement_6_weeks"),
        ),
    ],
)
def test_derived_reasons(
    age: int, onset: float, yes: dict[str, bool], reasons: tuple[str, ...]
) -> None:
    result = run(age, onset, **yes)
    assert result.reasons == reasons
    assert result.level is (Level.SOON if reasons else Level.OK)
    assert result.precautions == ()


def test_derived_reasons_follow_question_reasons() -> None:
    result = run(15, 8, weight_loss=True, fever=True, not_improving=True)
    assert result.reasons == ("fever", "weight_loss", "age_under_16", "no_improvement_6_weeks")
    assert result.level is Level.URGENT


# --- combinations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yes", "age", "onset", "level"),
    [
        ({"cancer_history": True, "fever": True}, AGE, ONSET, U),
        ({"cancer_history": True, "bladder_change": True}, AGE, ONSET, E),
        ({"foot_drop": True, "both_legs": True, "night_pain": True}, AGE, ONSET, E),
        ({"major_trauma": True}, 10, ONSET, U),
        ({"anticoagulants": True, "pregnant": True}, 70, ONSET, OK),
        ({"anticoagulants": True, "first_episode": True}, 70, ONSET, S),
        ({"weight_loss": True, "night_pain": True}, AGE, ONSET, S),
        ({"calf_swelling": True, "chest_symptoms": True}, AGE, ONSET, E),
    ],
)
def test_highest_level_wins(yes: dict[str, bool], age: int, onset: float, level: Level) -> None:
    assert run(age, onset, **yes).level is level


def test_reasons_are_in_question_order_whatever_the_answer_order() -> None:
    answers = dict(reversed(list(no_answers(night_pain=True, saddle_numbness=True).items())))
    result = assess(AGE, ONSET, answers)
    assert result.reasons == ("saddle_numbness", "night_pain")


# --- combined red flags (NICE NG234; Downie et al., BMJ 2013) --------------------------------

M, C = "possible_spinal_metastases", "possible_spinal_cord_compression"


@pytest.mark.parametrize(
    ("yes", "level", "reasons"),
    [
        # Cancer history with weight loss or night pain: metastases, urgent.
        ({"cancer_history": True, "weight_loss": True}, U, ("cancer_history", "weight_loss", M)),
        ({"cancer_history": True, "night_pain": True}, U, ("cancer_history", "night_pain", M)),
        (
            {"cancer_history": True, "weight_loss": True, "night_pain": True},
            U,
            ("cancer_history", "weight_loss", "night_pain", M),
        ),
        # Cancer history with neurological symptoms: cord compression, emergency.
        ({"cancer_history": True, "foot_drop": True}, E, ("foot_drop", "cancer_history", C)),
        (
            {"cancer_history": True, "worsening_weakness": True},
            E,
            ("worsening_weakness", "cancer_history", C),
        ),
        ({"cancer_history": True, "both_legs": True}, E, ("both_legs", "cancer_history", C)),
        # Both at once: both derived reasons, in catalogue order.
        (
            {"cancer_history": True, "night_pain": True, "foot_drop": True},
            E,
            ("foot_drop", "cancer_history", "night_pain", M, C),
        ),
        # No cancer history: no combination, the single flags keep their own level.
        ({"weight_loss": True, "night_pain": True}, S, ("weight_loss", "night_pain")),
        ({"foot_drop": True, "night_pain": True}, U, ("foot_drop", "night_pain")),
        ({"cancer_history": True}, S, ("cancer_history",)),
        # Other pairs with cancer history stay as they were.
        ({"cancer_history": True, "fever": True}, U, ("fever", "cancer_history")),
        (
            {"cancer_history": True, "osteoporosis_or_steroids": True},
            S,
            ("cancer_history", "osteoporosis_or_steroids"),
        ),
    ],
)
def test_combined_red_flags(yes: dict[str, bool], level: Level, reasons: tuple[str, ...]) -> None:
    result = run(**yes)
    assert result.level is level
    assert result.reasons == reasons


def test_metastases_advice_names_gp_or_cancer_team() -> None:
    result = run(cancer_history=True, weight_loss=True)
    assert result.advice.startswith("See a doctor today.")
    assert "your GP or your cancer team" in result.advice
    assert "NICE NG234" in REASONS[M].source


def test_cord_compression_advice_names_acute_oncology_now() -> None:
    result = run(cancer_history=True, foot_drop=True)
    assert result.advice.startswith("Go to an emergency department now")
    assert "acute oncology" in result.advice
    assert "immediately" in result.advice
    assert "your GP or your cancer team today" not in result.advice
    assert "MSCC" in REASONS[C].clinical


def test_combinations_table_is_the_documented_one() -> None:
    assert dict(COMBINATIONS) == {
        M: ("cancer_history", ("weight_loss", "night_pain")),
        C: ("cancer_history", ("foot_drop", "worsening_weakness", "both_legs")),
    }
    assert REASONS[M].level is Level.URGENT
    assert REASONS[C].level is Level.EMERGENCY


# --- precautions ----------------------------------------------------------------------------


def test_precautions_on_an_urgent_result() -> None:
    result = run(
        skin_problem=True, fever=True, calf_swelling=True, anticoagulants=True, pregnant=True
    )
    assert result.level is Level.URGENT
    assert result.reasons == ("calf_swelling", "fever")
    assert result.precautions == (
        "no_massage_affected_leg",
        "no_deep_pressure",
        "check_with_midwife",
        "avoid_affected_skin",
    )


def test_precautions_on_an_emergency_result() -> None:
    result = run(saddle_numbness=True, osteoporosis_or_steroids=True, recent_surgery=True)
    assert result.level is Level.EMERGENCY
    assert result.precautions == ("gentle_pressure", "avoid_surgical_site")


def test_all_precautions_each_once_in_fixed_order() -> None:
    result = run(**dict.fromkeys(ALL_CODES, True))
    assert result.precautions == tuple(PRECAUTIONS)


# --- advice ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yes", "expected"),
    [
        ({"bowel_change": True}, "Go to an emergency department now"),
        ({"foot_drop": True}, "See a doctor today. No massage until a doctor has seen you."),
        ({"weight_loss": True}, "See a doctor within about two weeks, before massage."),
        ({}, "Massage is a reasonable option."),
    ],
)
def test_advice_per_level(yes: dict[str, bool], expected: str) -> None:
    assert run(**yes).advice.startswith(expected)


def test_ok_advice_is_honest_about_massage() -> None:
    advice = run().advice.lower()
    assert "short-term relief" in advice
    assert "alongside exercise" in advice
    assert "does not treat the cause of nerve-root compression" in advice
    assert "never replaces a medical assessment" in advice
    assert "precautions" not in advice


def test_ok_advice_with_precautions_points_to_them() -> None:
    assert "precautions listed" in run(pregnant=True).advice


@pytest.mark.parametrize("yes", [{"foot_drop": True}, {"weight_loss": True}])
def test_not_ok_advice_does_not_suggest_massage(yes: dict[str, bool]) -> None:
    assert "reasonable option" not in run(**yes).advice


def test_pulmonary_embolism_advice() -> None:
    result = run(chest_symptoms=True, calf_swelling=True)
    assert result.level is Level.EMERGENCY
    assert "pulmonary embolism" in result.advice
    assert "blood clot in the lung" in result.advice
    assert "emergency" in result.advice.lower()
    assert result.precautions == ("no_massage_affected_leg",)


@pytest.mark.parametrize("yes", [{"chest_symptoms": True}, {"calf_swelling": True}, {}])
def test_no_pulmonary_embolism_advice_without_both(yes: dict[str, bool]) -> None:
    assert "pulmonary embolism" not in run(**yes).advice


def _all_advice() -> list[str]:
    advice = [run(**{code: True}).advice for code in ALL_CODES]
    advice += [run().advice, run(pregnant=True).advice]
    advice.append(run(chest_symptoms=True, calf_swelling=True).advice)
    return advice


def test_no_text_says_cure() -> None:
    texts = [q.text for q in QUESTIONS]
    texts += [t for r in REASONS.values() for t in (r.plain, r.clinical, r.source)]
    texts += [t for p in PRECAUTIONS.values() for t in (p.plain, p.clinical, p.source)]
    texts += _all_advice()
    for text in texts:
        assert not re.search("cure", text, re.IGNORECASE), text


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "onset", "answers", "field", "message"),
    [
        (
            AGE,
            ONSET,
            {k: v for k, v in no_answers().items() if k != "fever"},
            "answers.fever",
            "required",
        ),
        (
            AGE,
            ONSET,
            {**no_answers(), "headache": True},
            "answers.headache",
            "unknown question code",
        ),
        (AGE, ONSET, {**no_answers(), "fever": "yes"}, "answers.fever", "must be true or false"),
        (AGE, ONSET, {**no_answers(), "pregnant": 1}, "answers.pregnant", "must be true or false"),
        (
            AGE,
            ONSET,
            {**no_answers(), "pregnant": None},
            "answers.pregnant",
            "must be true or false",
        ),
        (AGE, ONSET, [("fever", False)], "answers", "must map each question code to true or false"),
        (AGE, ONSET, None, "answers", "must map each question code to true or false"),
        (0, ONSET, no_answers(), "age", "must be between 1 and 120"),
        (121, ONSET, no_answers(), "age", "must be between 1 and 120"),
        (-5, ONSET, no_answers(), "age", "must be between 1 and 120"),
        (True, ONSET, no_answers(), "age", "must be a whole number"),
        (30.0, ONSET, no_answers(), "age", "must be a whole number"),
        ("30", ONSET, no_answers(), "age", "must be a whole number"),
        (None, ONSET, no_answers(), "age", "must be a whole number"),
        (AGE, -1, no_answers(), "onset_weeks", "must be between 0 and 520"),
        (AGE, 521, no_answers(), "onset_weeks", "must be between 0 and 520"),
        (AGE, 520.01, no_answers(), "onset_weeks", "must be between 0 and 520"),
        (AGE, math.nan, no_answers(), "onset_weeks", "must be between 0 and 520"),
        (AGE, math.inf, no_answers(), "onset_weeks", "must be between 0 and 520"),
        (AGE, True, no_answers(), "onset_weeks", "must be a number"),
        (AGE, "3", no_answers(), "onset_weeks", "must be a number"),
    ],
)
def test_bad_input_names_the_field(
    age: object, onset: object, answers: object, field: str, message: str
) -> None:
    expected = [FieldError(field, message)]
    assert check_input(age, onset, answers) == expected
    with pytest.raises(InvalidTriageInput) as excinfo:
        assess(age, onset, answers)
    assert excinfo.value.errors == tuple(expected)
    assert isinstance(excinfo.value, ValueError)
    assert field in str(excinfo.value)


def test_all_problems_are_collected_together() -> None:
    answers: dict[str, object] = {**no_answers(), "headache": True, "fever": "no"}
    del answers["pregnant"]
    del answers["skin_problem"]
    assert check_input(0, 600, answers) == [
        FieldError("age", "must be between 1 and 120"),
        FieldError("onset_weeks", "must be between 0 and 520"),
        FieldError("answers.fever", "must be true or false"),
        FieldError("answers.pregnant", "required"),
        FieldError("answers.skin_problem", "required"),
        FieldError("answers.headache", "unknown question code"),
    ]


def test_empty_answers_reports_every_code_missing() -> None:
    errors = check_input(AGE, ONSET, {})
    assert [e.field for e in errors] == [f"answers.{code}" for code in ALL_CODES]
    assert {e.message for e in errors} == {"required"}


@pytest.mark.parametrize(("age", "onset"), [(1, 0), (120, 520), (AGE, 0.5), (AGE, 3)])
def test_valid_edges_pass(age: int, onset: float) -> None:
    assert check_input(age, onset, no_answers()) == []


# --- episode phase --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weeks", "phase"),
    [
        (0, "acute"),
        (3.99, "acute"),
        (4, "subacute"),
        (4.0, "subacute"),
        (8, "subacute"),
        (12, "subacute"),
        (12.01, "chronic"),
        (13, "chronic"),
        (520, "chronic"),
    ],
)
def test_episode_phase(weeks: float, phase: str) -> None:
    assert episode_phase(weeks) == phase


@pytest.mark.parametrize("weeks", [-0.1, -1, math.nan])
def test_episode_phase_rejects_impossible_durations(weeks: float) -> None:
    with pytest.raises(ValueError, match="onset_weeks"):
        episode_phase(weeks)


# --- properties -----------------------------------------------------------------------------

ages = st.integers(min_value=1, max_value=120)
onsets = st.one_of(
    st.integers(min_value=0, max_value=520),
    st.floats(min_value=0, max_value=520, allow_nan=False),
)
answer_sets = st.fixed_dictionaries({code: st.booleans() for code in ALL_CODES})


@quiet
@given(age=ages, onset=onsets, answers=answer_sets, code=st.sampled_from(ALL_CODES))
def test_saying_yes_never_lowers_the_level(
    age: int, onset: float, answers: dict[str, bool], code: str
) -> None:
    before = assess(age, onset, {**answers, code: False})
    after = assess(age, onset, {**answers, code: True})
    assert after.level >= before.level
    assert set(before.reasons) <= set(after.reasons)
    assert set(before.precautions) <= set(after.precautions)


@quiet
@given(age=ages, onset=onsets, answers=answer_sets)
def test_combinations_fire_exactly_when_their_condition_holds(
    age: int, onset: float, answers: dict[str, bool]
) -> None:
    result = assess(age, onset, answers)
    cancer = answers["cancer_history"]
    metastases = cancer and (answers["weight_loss"] or answers["night_pain"])
    compression = cancer and (
        answers["foot_drop"] or answers["worsening_weakness"] or answers["both_legs"]
    )
    assert (M in result.reasons) is metastases
    assert (C in result.reasons) is compression
    if metastases:
        assert result.level >= Level.URGENT
    if compression:
        assert result.level is Level.EMERGENCY
    # Added to, never instead of, the question codes that fired.
    fired = [q.code for q in QUESTIONS if q.reason is not None and answers[q.code]]
    assert [r for r in result.reasons if r in fired] == fired


@quiet
@given(age=ages, a=onsets, b=onsets, answers=answer_sets)
def test_longer_onset_never_lowers_the_level(
    age: int, a: float, b: float, answers: dict[str, bool]
) -> None:
    shorter, longer = sorted((a, b))
    assert assess(age, longer, answers).level >= assess(age, shorter, answers).level


@quiet
@given(age=ages, onset=onsets, answers=answer_sets)
def test_result_is_consistent_with_its_reasons(
    age: int, onset: float, answers: dict[str, bool]
) -> None:
    assert check_input(age, onset, answers) == []
    result = assess(age, onset, answers)
    assert set(result.reasons) <= set(REASONS)
    assert set(result.precautions) <= set(PRECAUTIONS)
    assert len(set(result.reasons)) == len(result.reasons)
    assert result.level == max((REASONS[r].level for r in result.reasons), default=Level.OK)
    # Reasons keep the catalogue's order (question order, then the derived ones).
    order = list(REASONS)
    assert list(result.reasons) == sorted(result.reasons, key=order.index)
    assert list(result.precautions) == [p for p in PRECAUTIONS if p in result.precautions]
    assert "cure" not in result.advice.lower()


@quiet
@given(a=ages, b=ages, c=onsets, d=onsets, answers=answer_sets)
def test_precautions_depend_on_answers_only(
    a: int, b: int, c: float, d: float, answers: dict[str, bool]
) -> None:
    assert assess(a, c, answers).precautions == assess(b, d, answers).precautions


@quiet
@given(age=st.from_type(object), onset=st.from_type(object), answers=st.from_type(object))
def test_check_input_never_crashes_on_junk(age: object, onset: object, answers: object) -> None:
    errors = check_input(age, onset, answers)
    assert all(isinstance(e, FieldError) for e in errors)
    if errors:
        with pytest.raises(InvalidTriageInput):
            assess(age, onset, answers)


@quiet
@given(
    answers=st.dictionaries(
        st.text(max_size=30), st.one_of(st.booleans(), st.integers(), st.none()), max_size=30
    )
)
def test_check_input_on_arbitrary_answer_maps(answers: Mapping[str, object]) -> None:
    fields = [e.field for e in check_input(AGE, ONSET, answers)]
    for code in ALL_CODES:
        assert (f"answers.{code}" in fields) == (
            code not in answers or not isinstance(answers[code], bool)
        )
    for key in answers:
        if key not in REQUIRED_CODES:
            assert f"answers.{key}" in fields


def test_every_cauda_equina_reason_ends_with_the_same_emergency_advice() -> None:
    # Each reason's plain words are one sentence to translate, so the shared ending is written
    # out in each: it must stay the same everywhere.
    cauda_equina = [r for r in REASONS.values() if "cauda equina" in r.clinical]
    assert len(cauda_equina) == 6
    assert all(r.plain.endswith(" " + CES_PLAIN_TAIL) for r in cauda_equina)
