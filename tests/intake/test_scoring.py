"""Tests for the pure instrument scoring module (docs/clinical.md, "Instruments"). No Django."""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Mapping
from typing import Any

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from hypothesis import given, settings
from hypothesis import strategies as st

from sciaticare.intake.scoring.change import Change, change
from sciaticare.intake.scoring.definition import Answer, Instrument
from sciaticare.intake.scoring.instruments import INSTRUMENTS, UnknownInstrument
from sciaticare.intake.scoring.questionnaire import (
    TextNotShipped,
    check_fits,
    load_questionnaire,
    validate_questionnaire,
)
from sciaticare.intake.scoring.response import (
    SCORE_EXTENSION_URL,
    answers_from_fhir,
    response_to_fhir,
)
from sciaticare.intake.scoring.rules import IncompleteResponse, InvalidResponse, Score, score

# No example database (no .hypothesis/ directory written); applied per test.
quiet = settings(database=None, deadline=None)

SHIPPED = ("nrs-back", "nrs-leg", "peg", "rmdq")
NOT_SHIPPED = ("odi", "startback")


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def rmdq(ticked: int) -> dict[str, Answer]:
    return {f"rmdq-{n}": n <= ticked for n in range(1, 25)}


def odi(*sections: int | None) -> dict[str, Answer]:
    return {f"odi-{n}": value for n, value in enumerate(sections, 1)}


def startback(agree: set[int], bother: int) -> dict[str, Answer]:
    answers: dict[str, Answer] = {f"startback-{n}": n in agree for n in range(1, 9)}
    answers["startback-9"] = bother
    return answers


def complete_answers(instrument: Instrument) -> st.SearchStrategy[dict[str, Answer]]:
    """Every item answered, in range; booleans for boolean items."""
    parts: dict[str, st.SearchStrategy[Answer]] = {
        spec.link_id: st.booleans()
        if spec.answer_type == "boolean"
        else st.integers(spec.min, spec.max)
        for spec in instrument.items
    }
    return st.fixed_dictionaries(parts)


def valid_answers(instrument: Instrument) -> st.SearchStrategy[dict[str, Answer]]:
    """Answers that score: complete, or for the ODI at least 8 of the 10 sections answered."""
    if instrument.code != "odi":
        return complete_answers(instrument)
    # Ten answered sections, then up to two of them blanked.
    return st.tuples(
        st.lists(st.integers(0, 5), min_size=10, max_size=10),
        st.sets(st.integers(0, 9), max_size=2),
    ).map(lambda t: odi(*(None if n in t[1] else v for n, v in enumerate(t[0]))))


def answered(answers: Mapping[str, Answer]) -> dict[str, Answer]:
    return {k: v for k, v in answers.items() if v is not None}


# --------------------------------------------------------------------------------------------
# the instrument table
# --------------------------------------------------------------------------------------------


def test_instrument_codes() -> None:
    # SBI is left out until its item text is confirmed (docs/clinical.md).
    assert set(INSTRUMENTS) == {"nrs-back", "nrs-leg", "peg", "rmdq", "odi", "startback"}
    assert "sbi" not in INSTRUMENTS


@pytest.mark.parametrize(
    ("code", "n_items", "score_max", "mcid_points", "mcid_percent", "loinc", "ships"),
    [
        ("nrs-back", 1, 10, 2.0, 30.0, "72514-3", True),
        ("nrs-leg", 1, 10, 2.0, 30.0, "72514-3", True),
        ("peg", 3, 10, None, 30.0, None, True),
        ("rmdq", 24, 24, 5.0, 30.0, None, True),
        ("odi", 10, 100, 10.0, 30.0, "97909-6", False),
        ("startback", 9, 9, None, None, None, False),
    ],
)
def test_instrument_facts(
    code: str,
    n_items: int,
    score_max: float,
    mcid_points: float | None,
    mcid_percent: float | None,
    loinc: str | None,
    ships: bool,
) -> None:
    instrument = INSTRUMENTS[code]
    assert instrument.code == code
    assert len(instrument.items) == n_items
    assert [s.link_id for s in instrument.items] == [f"{code}-{n}" for n in range(1, n_items + 1)]
    assert instrument.score_min == 0
    assert instrument.score_max == score_max
    assert instrument.mcid_points == mcid_points
    assert instrument.mcid_percent == mcid_percent
    assert instrument.loinc == loinc
    assert instrument.ships_text is ships
    assert instrument.lower_is_better is True
    assert instrument.source
    assert instrument.url == f"https://sciaticare.example/fhir/Questionnaire/{code}"


def test_item_ranges() -> None:
    assert {(s.min, s.max, s.answer_type) for s in INSTRUMENTS["odi"].items} == {(0, 5, "integer")}
    assert {(s.min, s.max, s.answer_type) for s in INSTRUMENTS["rmdq"].items} == {(0, 1, "boolean")}
    sb = INSTRUMENTS["startback"].items
    assert {(s.min, s.max, s.answer_type) for s in sb[:8]} == {(0, 1, "boolean")}
    assert (sb[8].link_id, sb[8].min, sb[8].max, sb[8].answer_type) == (
        "startback-9",
        0,
        4,
        "integer",
    )


def test_odi_bands() -> None:
    bands = INSTRUMENTS["odi"].bands
    assert [(b.low, b.high, b.label) for b in bands] == [
        (0, 20, "minimal"),
        (21, 40, "moderate"),
        (41, 60, "severe"),
        (61, 80, "crippled"),
        (81, 100, "bed-bound"),
    ]


def test_instruments_are_read_only() -> None:
    with pytest.raises(TypeError):
        INSTRUMENTS["x"] = INSTRUMENTS["odi"]  # type: ignore[index]


# --------------------------------------------------------------------------------------------
# worked examples
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "answers", "value", "band", "subscores"),
    [
        ("nrs-back", {"nrs-back-1": 0}, 0.0, None, {}),
        ("nrs-back", {"nrs-back-1": 7}, 7.0, None, {}),
        ("nrs-leg", {"nrs-leg-1": 10}, 10.0, None, {}),
        ("peg", {"peg-1": 6, "peg-2": 5, "peg-3": 7}, 6.0, None, {}),
        ("peg", {"peg-1": 6, "peg-2": 5, "peg-3": 6}, 17 / 3, None, {}),
        ("peg", {"peg-1": 0, "peg-2": 0, "peg-3": 0}, 0.0, None, {}),
        ("rmdq", rmdq(7), 7.0, None, {}),
        ("rmdq", rmdq(0), 0.0, "recovered", {}),
        ("rmdq", rmdq(2), 2.0, "recovered", {}),
        ("rmdq", rmdq(3), 3.0, None, {}),
        ("rmdq", rmdq(24), 24.0, None, {}),
        # All 10 sections, sum 20 -> 20 / 50 x 100 = 40 (moderate).
        ("odi", odi(2, 2, 2, 2, 2, 2, 2, 2, 2, 2), 40.0, "moderate", {"sections_answered": 10}),
        # One skipped section: 9 sections, sum 18 -> 18 / 45 x 100 = 40.
        ("odi", odi(2, 2, 2, 2, 2, 2, 2, 2, 2, None), 40.0, "moderate", {"sections_answered": 9}),
        # The same with the key absent rather than None.
        ("odi", odi(2, 2, 2, 2, 2, 2, 2, 2, 2), 40.0, "moderate", {"sections_answered": 9}),
        ("odi", odi(0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0.0, "minimal", {"sections_answered": 10}),
        ("odi", odi(1, 1, 1, 1, 1, 1, 1, 1, 1, 1), 20.0, "minimal", {"sections_answered": 10}),
        ("odi", odi(3, 2, 2, 2, 2, 2, 2, 2, 2, 2), 42.0, "severe", {"sections_answered": 10}),
        ("odi", odi(3, 3, 3, 3, 3, 3, 3, 3, 3, 3), 60.0, "severe", {"sections_answered": 10}),
        ("odi", odi(4, 4, 4, 4, 4, 4, 4, 4, 4, 4), 80.0, "crippled", {"sections_answered": 10}),
        ("odi", odi(5, 5, 5, 5, 5, 5, 5, 5, 5, 5), 100.0, "bed-bound", {"sections_answered": 10}),
        # Between published integer bands: 10 / 45 x 100 = 22.2 -> moderate.
        ("odi", odi(2, 1, 1, 1, 1, 1, 1, 1, 1, None), 200 / 9, "moderate", {}),
        # Two skipped sections (the fewest answered that still score): 8 x 2 / 40 = 40.
        (
            "odi",
            odi(2, 2, None, 2, 2, 2, 2, None, 2, 2),
            40.0,
            "moderate",
            {"sections_answered": 8},
        ),
    ],
)
def test_worked_examples(
    code: str,
    answers: dict[str, Answer],
    value: float,
    band: str | None,
    subscores: dict[str, float],
) -> None:
    result = score(code, answers)
    assert result.instrument == code
    assert math.isclose(result.value, value)
    assert result.band == band
    for name, expected in subscores.items():
        assert result.subscores[name] == expected


@pytest.mark.parametrize(
    ("agree", "bother", "total", "distress", "band"),
    [
        (set(), 0, 0, 0, "low"),
        # total 3 -> low, whatever the subscale.
        ({1, 2, 3}, 0, 3, 0, "low"),
        ({5, 6}, 4, 3, 3, "low"),
        # total 4, subscale 3 -> medium.
        ({1, 5, 6, 7}, 0, 4, 3, "medium"),
        ({1, 2, 3, 4}, 0, 4, 0, "medium"),
        ({1, 2, 3, 4, 5, 6, 7}, 2, 7, 3, "medium"),
        # subscale 4 -> high.
        ({5, 6, 7, 8}, 0, 4, 4, "high"),
        ({5, 6, 7}, 3, 4, 4, "high"),
        ({1, 2, 3, 4, 5, 6, 7, 8}, 4, 9, 5, "high"),
    ],
)
def test_startback_bands(
    agree: set[int], bother: int, total: int, distress: int, band: str
) -> None:
    result = score("startback", startback(agree, bother))
    assert result.value == total
    assert result.subscores == {"distress": distress}
    assert result.band == band


@pytest.mark.parametrize(
    ("bother", "counts"),
    [(0, 0), (1, 0), (2, 0), (3, 1), (4, 1)],  # positive = very much (3) or extremely (4)
)
def test_startback_item_9(bother: int, counts: int) -> None:
    base = score("startback", startback({1, 5}, 0))
    result = score("startback", startback({1, 5}, bother))
    assert result.value == base.value + counts
    assert result.subscores["distress"] == base.subscores["distress"] + counts


def test_startback_item_9_moves_the_band() -> None:
    assert score("startback", startback({5, 6, 7}, 2)).band == "low"
    assert score("startback", startback({5, 6, 7}, 3)).band == "high"


def test_boolean_items_accept_zero_and_one() -> None:
    as_ints = {k: int(v) for k, v in rmdq(5).items() if v is not None}
    assert score("rmdq", as_ints).value == 5.0
    sb = {k: int(v) if isinstance(v, bool) else v for k, v in startback({1}, 0).items()}
    assert score("startback", sb) == score("startback", startback({1}, 0))


# --------------------------------------------------------------------------------------------
# refusals
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "answers", "missing"),
    [
        ("nrs-back", {}, ("nrs-back-1",)),
        ("nrs-back", {"nrs-back-1": None}, ("nrs-back-1",)),
        ("nrs-leg", {}, ("nrs-leg-1",)),
        ("peg", {"peg-1": 5, "peg-3": 5}, ("peg-2",)),
        ("peg", {"peg-1": 5, "peg-2": None, "peg-3": None}, ("peg-2", "peg-3")),
        ("rmdq", {k: v for k, v in rmdq(7).items() if k != "rmdq-24"}, ("rmdq-24",)),
        ("rmdq", {**rmdq(7), "rmdq-3": None}, ("rmdq-3",)),
        ("rmdq", {}, tuple(f"rmdq-{n}" for n in range(1, 25))),
        ("odi", {}, tuple(f"odi-{n}" for n in range(1, 11))),
        ("odi", odi(*[None] * 10), tuple(f"odi-{n}" for n in range(1, 11))),
        # One answered section used to score 100 % ("bed-bound"): fewer than 8 give no score.
        (
            "odi",
            odi(None, None, 5),
            (*(f"odi-{n}" for n in (1, 2)), *(f"odi-{n}" for n in range(4, 11))),
        ),
        ("odi", odi(1, 1, 1, 1, 1, 1, 1), ("odi-8", "odi-9", "odi-10")),
        ("startback", {**startback({1}, 0), "startback-9": None}, ("startback-9",)),
        ("startback", {**startback({1}, 4), "startback-5": None}, ("startback-5",)),
    ],
)
def test_incomplete_responses_are_refused(
    code: str, answers: dict[str, Answer], missing: tuple[str, ...]
) -> None:
    with pytest.raises(IncompleteResponse) as caught:
        score(code, answers)
    assert caught.value.missing == missing
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("code", "answers", "errors"),
    [
        ("nrs-back", {"nrs-back-1": 11}, [("nrs-back-1", "outside 0-10")]),
        ("nrs-back", {"nrs-back-1": -1}, [("nrs-back-1", "outside 0-10")]),
        ("nrs-back", {"nrs-back-1": 5.5}, [("nrs-back-1", "expected an integer")]),
        ("nrs-back", {"nrs-back-1": 5.0}, [("nrs-back-1", "expected an integer")]),
        ("nrs-back", {"nrs-back-1": "5"}, [("nrs-back-1", "expected an integer")]),
        ("nrs-back", {"nrs-back-1": True}, [("nrs-back-1", "expected an integer")]),
        ("nrs-back", {"nrs-leg-1": 5}, [("nrs-leg-1", "unknown item")]),
        ("peg", {"peg-1": 1, "peg-2": 2, "peg-3": 3, "peg-4": 4}, [("peg-4", "unknown item")]),
        ("rmdq", {**rmdq(3), "rmdq-25": True}, [("rmdq-25", "unknown item")]),
        ("rmdq", {**rmdq(3), "rmdq-1": 2}, [("rmdq-1", "expected true or false")]),
        ("rmdq", {**rmdq(3), "rmdq-1": "yes"}, [("rmdq-1", "expected true or false")]),
        ("odi", odi(6), [("odi-1", "outside 0-5")]),
        ("odi", {"odi-0": 1, "odi-1": 1}, [("odi-0", "unknown item")]),
        ("startback", {**startback(set(), 5)}, [("startback-9", "outside 0-4")]),
        ("startback", {**startback(set(), 1), "startback-9": True}, [("startback-9", "integer")]),
        (
            "peg",
            {"peg-1": 11, "peg-2": "x", "peg-3": 3, "other": 1},
            [("other", "unknown"), ("peg-1", "outside"), ("peg-2", "integer")],
        ),
    ],
)
def test_invalid_responses_are_refused(
    code: str, answers: dict[str, Any], errors: list[tuple[str, str]]
) -> None:
    with pytest.raises(InvalidResponse) as caught:
        score(code, answers)
    got = caught.value.errors
    assert [link_id for link_id, _ in got] == [link_id for link_id, _ in errors]
    for (_, message), (_, fragment) in zip(got, errors, strict=True):
        assert fragment in message
    assert isinstance(caught.value, ValueError)


def test_invalid_beats_incomplete() -> None:
    with pytest.raises(InvalidResponse):
        score("peg", {"peg-1": 99})


def test_answers_must_be_a_mapping() -> None:
    with pytest.raises(InvalidResponse):
        score("peg", [("peg-1", 1)])  # type: ignore[arg-type]


@pytest.mark.parametrize("code", ["sbi", "NRS-BACK", "", "unknown"])
def test_unknown_instrument(code: str) -> None:
    with pytest.raises(UnknownInstrument) as caught:
        score(code, {})
    assert isinstance(caught.value, KeyError)
    with pytest.raises(KeyError):
        change(code, 5, 3)
    with pytest.raises(KeyError):
        load_questionnaire(code)


# --------------------------------------------------------------------------------------------
# change and MCIDs
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "baseline", "latest", "points", "percent", "meaningful"),
    [
        # NRS: >=2 points or >=30%.
        ("nrs-back", 9, 7, 2.0, 200 / 9, True),  # exactly 2 points
        ("nrs-back", 8, 6.1, 1.9, 23.75, False),  # 1.9 points, under 30%
        ("nrs-back", 6, 4.1, 1.9, 190 / 6, True),  # 1.9 points but over 30%
        ("nrs-leg", 5, 3.5, 1.5, 30.0, True),  # exactly 30%
        ("nrs-leg", 10, 7, 3.0, 30.0, True),
        ("nrs-leg", 10, 8.1, 1.9, 19.0, False),
        ("nrs-back", 3, 2, 1.0, 100 / 3, True),  # 1 point is 33% of a low baseline
        ("nrs-back", 2, 4, -2.0, -100.0, False),  # worse is never meaningful
        ("nrs-back", 5, 5, 0.0, 0.0, False),
        ("nrs-back", 0, 0, 0.0, None, False),  # percent of a zero baseline is undefined
        ("nrs-back", 0, 3, -3.0, None, False),
        # PEG: no MCID in points, >=30%.
        ("peg", 6, 4.2, 1.8, 30.0, True),
        ("peg", 10, 7.1, 2.9, 29.0, False),
        # RMDQ: >=5 points or >=30%.
        ("rmdq", 24, 19, 5.0, 500 / 24, True),
        ("rmdq", 24, 20, 4.0, 400 / 24, False),
        ("rmdq", 10, 7, 3.0, 30.0, True),
        # ODI: 10 points or 30%.
        ("odi", 60, 50, 10.0, 100 / 6, True),
        ("odi", 60, 50.1, 9.9, 9.9 / 60 * 100, False),
        ("odi", 30, 21, 9.0, 30.0, True),
        # STarT Back: no MCID, never meaningful.
        ("startback", 9, 0, 9.0, 100.0, False),
    ],
)
def test_change(
    code: str,
    baseline: float,
    latest: float,
    points: float,
    percent: float | None,
    meaningful: bool,
) -> None:
    result = change(code, baseline, latest)
    assert isinstance(result, Change)
    assert result.instrument == code
    assert math.isclose(result.points, points, abs_tol=1e-9)
    if percent is None:
        assert result.percent is None
    else:
        assert result.percent is not None
        assert math.isclose(result.percent, percent, abs_tol=1e-9)
    assert result.meaningful is meaningful


def test_change_of_mean_scores_hits_the_percent_boundary() -> None:
    # PEG means are thirds: 10 -> 7 is exactly 30% and must not be lost to float noise.
    baseline = score("peg", {"peg-1": 10, "peg-2": 10, "peg-3": 10}).value
    latest = score("peg", {"peg-1": 7, "peg-2": 7, "peg-3": 7}).value
    assert change("peg", baseline, latest).meaningful
    baseline = score("peg", {"peg-1": 5, "peg-2": 5, "peg-3": 5}).value
    latest = score("peg", {"peg-1": 3, "peg-2": 4, "peg-3": 3}).value  # 3.333: 33%
    assert change("peg", baseline, latest).meaningful


@pytest.mark.parametrize(
    ("code", "baseline", "latest"),
    [
        ("nrs-back", 11, 5),
        ("nrs-back", 5, -1),
        ("odi", 101, 50),
        ("rmdq", 25, 3),
        ("nrs-back", math.nan, 5),
        ("nrs-back", 5, math.inf),
        ("nrs-back", True, 0),
        ("nrs-back", "5", 0),
    ],
)
def test_change_refuses_impossible_scores(code: str, baseline: Any, latest: Any) -> None:
    with pytest.raises(ValueError, match=r"must be|outside"):
        change(code, baseline, latest)


@quiet
@given(
    code=st.sampled_from(sorted(INSTRUMENTS)),
    a=st.floats(0, 1),
    b=st.floats(0, 1),
)
def test_change_properties(code: str, a: float, b: float) -> None:
    top = INSTRUMENTS[code].score_max
    forward, backward = change(code, a * top, b * top), change(code, b * top, a * top)
    assert math.isclose(forward.points, -backward.points, abs_tol=1e-9)
    if forward.meaningful:
        assert forward.points > 0
        assert not backward.meaningful


# --------------------------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------------------------


@quiet
@given(complete_answers(INSTRUMENTS["rmdq"]))
def test_rmdq_is_the_number_ticked(answers: dict[str, Answer]) -> None:
    assert score("rmdq", answers).value == sum(1 for v in answers.values() if v is True)


@quiet
@given(valid_answers(INSTRUMENTS["odi"]))
def test_odi_is_a_percentage_of_the_sections_answered(answers: dict[str, Answer]) -> None:
    result = score("odi", answers)
    given_ = answered(answers)
    assert 0 <= result.value <= 100
    assert result.subscores["sections_answered"] == len(given_)
    assert math.isclose(result.value, sum(given_.values()) / (5 * len(given_)) * 100)  # type: ignore[arg-type]
    assert result.band is not None


@quiet
@given(st.lists(st.one_of(st.none(), st.integers(0, 5)), min_size=10, max_size=10))
def test_odi_scores_exactly_when_at_least_8_sections_are_answered(
    sections: list[int | None],
) -> None:
    answered_count = sum(v is not None for v in sections)
    if answered_count >= 8:
        assert score("odi", odi(*sections)).subscores["sections_answered"] == answered_count
        return
    with pytest.raises(IncompleteResponse) as caught:
        score("odi", odi(*sections))
    unanswered = [f"odi-{n}" for n, v in enumerate(sections, 1) if v is None]
    assert list(caught.value.missing) == unanswered
    assert "at least 8 of its 10 sections" in caught.value.explanation
    for link in unanswered:
        assert link.removeprefix("odi-") in caught.value.explanation


@quiet
@given(st.integers(0, 5), st.sets(st.integers(1, 10), min_size=8))
def test_odi_with_equal_sections_ignores_how_many(value: int, sections: set[int]) -> None:
    # Every answered section at the same level gives 20 x level, however many are skipped.
    answers = {f"odi-{n}": value for n in sections}
    assert math.isclose(score("odi", answers).value, 20 * value)


@quiet
@given(st.permutations([0, 1, 2, 3, 4, 5, 5, 3, 1, None]))
def test_odi_does_not_depend_on_which_section_is_which(sections: list[int | None]) -> None:
    assert math.isclose(score("odi", odi(*sections)).value, 24 / 45 * 100)


@quiet
@given(complete_answers(INSTRUMENTS["peg"]))
def test_peg_mean_lies_between_its_items(answers: dict[str, Answer]) -> None:
    values = [v for v in answers.values() if isinstance(v, int)]
    result = score("peg", answers).value
    assert min(values) <= result <= max(values)
    assert math.isclose(result * 3, sum(values))


@quiet
@given(complete_answers(INSTRUMENTS["startback"]))
def test_startback_band_rule(answers: dict[str, Answer]) -> None:
    result = score("startback", answers)
    distress = result.subscores["distress"]
    assert 0 <= distress <= 5
    assert distress <= result.value <= 9
    expected = "low" if result.value <= 3 else ("medium" if distress <= 3 else "high")
    assert result.band == expected


@quiet
@given(
    st.sampled_from(sorted(INSTRUMENTS)).flatmap(
        lambda code: st.tuples(st.just(code), valid_answers(INSTRUMENTS[code]))
    )
)
def test_scores_stay_in_range(case: tuple[str, dict[str, Answer]]) -> None:
    code, answers = case
    instrument = INSTRUMENTS[code]
    result = score(code, answers)
    assert instrument.score_min <= result.value <= instrument.score_max


# --------------------------------------------------------------------------------------------
# bundled questionnaires
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", SHIPPED)
def test_bundled_questionnaire_is_valid_r4b(code: str) -> None:
    data = load_questionnaire(code)
    Questionnaire.model_validate(data)
    assert validate_questionnaire(data) == []


@pytest.mark.parametrize("code", SHIPPED)
def test_bundled_questionnaire_fits_its_instrument(code: str) -> None:
    assert check_fits(INSTRUMENTS[code], load_questionnaire(code)) == []


@pytest.mark.parametrize("code", SHIPPED)
def test_bundled_questionnaire_metadata(code: str) -> None:
    data = load_questionnaire(code)
    assert data["resourceType"] == "Questionnaire"
    assert data["id"] == code
    assert data["url"] == f"https://sciaticare.example/fhir/Questionnaire/{code}"
    assert data["version"] == "1.0"
    assert data["status"] == "active"
    assert data["name"]
    assert data["title"] == INSTRUMENTS[code].title
    assert data["copyright"]
    answerable = [i for i in data["item"] if i["type"] != "display"]
    assert all(i["required"] is True and i["text"] for i in answerable)


@pytest.mark.parametrize("code", ["nrs-back", "nrs-leg"])
def test_nrs_is_coded_with_loinc(code: str) -> None:
    data = load_questionnaire(code)
    loinc = {"system": "http://loinc.org", "code": "72514-3"}
    assert loinc.items() <= data["code"][0].items()
    (item,) = data["item"]
    assert loinc.items() <= item["code"][0].items()


def test_copyright_notes() -> None:
    assert "has not been confirmed" in load_questionnaire("peg")["copyright"]
    rmdq_copyright = load_questionnaire("rmdq")["copyright"]
    assert "Roland & Fairbank" in rmdq_copyright
    assert "no permission" in rmdq_copyright


def test_rmdq_has_the_24_published_statements() -> None:
    items = [i for i in load_questionnaire("rmdq")["item"] if i["type"] == "boolean"]
    assert [i["linkId"] for i in items] == [f"rmdq-{n}" for n in range(1, 25)]
    assert items[0]["text"] == "I stay at home most of the time because of my back."
    assert items[23]["text"] == "I stay in bed most of the time because of my back."
    assert len({i["text"] for i in items}) == 24


def test_peg_wording() -> None:
    texts = [i["text"] for i in load_questionnaire("peg")["item"]]
    assert texts == [
        "What number best describes your pain on average in the past week?",
        "What number best describes how, during the past week, pain has interfered with your "
        "enjoyment of life?",
        "What number best describes how, during the past week, pain has interfered with your "
        "general activity?",
    ]


@pytest.mark.parametrize("code", NOT_SHIPPED)
def test_licensed_text_is_not_shipped(code: str) -> None:
    with pytest.raises(TextNotShipped):
        load_questionnaire(code)


def test_load_questionnaire_returns_a_fresh_copy() -> None:
    first = load_questionnaire("peg")
    first["item"].clear()
    assert len(load_questionnaire("peg")["item"]) == 3


# --------------------------------------------------------------------------------------------
# validate_questionnaire
# --------------------------------------------------------------------------------------------


def minimal(**extra: Any) -> dict[str, Any]:
    return {"resourceType": "Questionnaire", "status": "active", **extra}


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ("not json", "JSON object"),
        ([], "JSON object"),
        ({"status": "active"}, "resourceType"),
        ({"resourceType": "Patient", "status": "active"}, "resourceType"),
        (minimal(status="published"), "status: 'published' is not one of"),
        ({"resourceType": "Questionnaire"}, "status"),
        (minimal(item=[{"type": "integer"}]), "item[0].linkId"),
        (minimal(item=[{"linkId": "a", "type": "number"}]), "item[0].type: 'number'"),
        (
            minimal(
                item=[
                    {"linkId": "a", "type": "group", "item": [{"linkId": "a", "type": "boolean"}]}
                ]
            ),
            "used more than once",
        ),
        (minimal(colour="blue"), "colour"),
        (minimal(item="nope"), "item"),
    ],
)
def test_validate_questionnaire_reports_problems(data: object, fragment: str) -> None:
    problems = validate_questionnaire(data)
    assert problems
    assert all(isinstance(p, str) and "\n" not in p for p in problems)
    assert any(fragment in p for p in problems), problems


def test_validate_questionnaire_accepts_a_minimal_one() -> None:
    assert validate_questionnaire(minimal()) == []


# --------------------------------------------------------------------------------------------
# check_fits
# --------------------------------------------------------------------------------------------


def odi_import(**overrides: Any) -> dict[str, Any]:
    """An ODI Questionnaire as a licensed clinic might import it (placeholder text)."""
    sections = []
    for n in range(1, 11):
        item = {
            "linkId": f"odi-{n}",
            "text": f"Section {n}",
            "type": "integer",
            "required": False,
            "extension": [
                {"url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": 0},
                {"url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": 5},
            ],
        }
        item.update(overrides.get(f"odi-{n}", {}))
        sections.append(item)
    return minimal(
        item=[
            {"linkId": "intro", "type": "display", "text": "Licensed instructions"},
            {"linkId": "sections", "type": "group", "item": sections},
        ]
    )


def test_an_imported_odi_fits() -> None:
    data = odi_import()
    assert validate_questionnaire(data) == []
    assert check_fits(INSTRUMENTS["odi"], data) == []


def test_choice_items_with_integer_options_fit() -> None:
    options = [{"valueInteger": v} for v in range(6)]
    data = odi_import(**{"odi-3": {"type": "choice", "answerOption": options, "extension": []}})
    assert validate_questionnaire(data) == []
    assert check_fits(INSTRUMENTS["odi"], data) == []


@pytest.mark.parametrize(
    ("code", "mutate", "fragment"),
    [
        ("rmdq", lambda q: q["item"].pop(5), "missing item 'rmdq-5'"),
        ("peg", lambda q: q["item"].pop(), "missing item 'peg-3'"),
        ("rmdq", lambda q: q["item"][3].update(type="integer"), "'rmdq-3' has type 'integer'"),
        ("peg", lambda q: q["item"][0].update(type="boolean"), "'peg-1' has type 'boolean'"),
        ("peg", lambda q: q["item"][1].update(type="string"), "'peg-2' has type 'string'"),
        (
            "peg",
            lambda q: q["item"].append({"linkId": "peg-4", "type": "integer", "text": "x"}),
            "'peg-4' is not part of peg scoring",
        ),
        (
            "peg",
            lambda q: q["item"][0]["extension"][1].update(valueInteger=100),
            "maxValue 100 disagrees",
        ),
        (
            "nrs-back",
            lambda q: q["item"][0]["extension"][0].update(valueInteger=1),
            "minValue 1 disagrees",
        ),
        ("nrs-leg", lambda q: q["item"][0].pop("extension"), "no minValue extension"),
        (
            "nrs-leg",
            lambda q: q["item"][0]["extension"][0].pop("valueInteger"),
            "minValue must be a valueInteger",
        ),
        ("peg", lambda q: q["item"][2].update(repeats=True), "'peg-3' repeats"),
        ("rmdq", lambda q: q["item"].append(dict(q["item"][1])), "'rmdq-1' appears more than once"),
        (
            "peg",
            lambda q: q["item"][0].update(
                type="choice", answerOption=[{"valueInteger": v} for v in range(1, 11)]
            ),
            "answer options (1, 2, 3, 4, 5, 6, 7, 8, 9, 10) disagree",
        ),
        (
            "peg",
            lambda q: q["item"][0].update(type="choice", answerOption=[{"valueString": "a"}]),
            "must list answerOption valueInteger 0-10",
        ),
    ],
)
def test_check_fits_catches(code: str, mutate: Any, fragment: str) -> None:
    data = copy.deepcopy(load_questionnaire(code))
    mutate(data)
    problems = check_fits(INSTRUMENTS[code], data)
    assert any(fragment in p for p in problems), problems


def test_check_fits_catches_a_questionnaire_for_another_instrument() -> None:
    problems = check_fits(INSTRUMENTS["peg"], load_questionnaire("nrs-back"))
    assert any(p.startswith("missing item 'peg-1'") for p in problems)
    assert "item 'nrs-back-1' is not part of peg scoring" in problems


def test_check_fits_needs_a_questionnaire() -> None:
    assert check_fits(INSTRUMENTS["peg"], {"resourceType": "Patient"})
    assert check_fits(INSTRUMENTS["peg"], "x")  # type: ignore[arg-type]


def test_startback_import_needs_booleans_and_a_0_to_4_item() -> None:
    items: list[dict[str, Any]] = [
        {"linkId": f"startback-{n}", "type": "boolean", "text": f"Statement {n}"}
        for n in range(1, 9)
    ]
    items.append(
        {
            "linkId": "startback-9",
            "type": "choice",
            "text": "Bothersomeness",
            "answerOption": [{"valueInteger": v} for v in range(5)],
        }
    )
    data = minimal(item=items)
    assert validate_questionnaire(data) == []
    assert check_fits(INSTRUMENTS["startback"], data) == []
    items[8]["answerOption"] = [{"valueInteger": v} for v in range(4)]
    assert check_fits(INSTRUMENTS["startback"], data)


# --------------------------------------------------------------------------------------------
# QuestionnaireResponse
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "answers"),
    [
        ("nrs-back", {"nrs-back-1": 4}),
        ("nrs-leg", {"nrs-leg-1": 0}),
        ("peg", {"peg-1": 6, "peg-2": 5, "peg-3": 7}),
        ("rmdq", rmdq(7)),
        ("odi", odi(2, 2, 2, 2, 2, 2, 2, 2, 2, None)),
        ("startback", startback({1, 5, 6}, 3)),
    ],
)
def test_response_to_fhir_validates_and_round_trips(code: str, answers: dict[str, Answer]) -> None:
    result = score(code, answers)
    response = response_to_fhir(code, answers, result, questionnaire_version="1.0")
    QuestionnaireResponse.model_validate(response)
    json.dumps(response)  # plain JSON
    assert response["resourceType"] == "QuestionnaireResponse"
    assert response["status"] == "completed"
    assert response["questionnaire"] == f"https://sciaticare.example/fhir/Questionnaire/{code}|1.0"
    back = answers_from_fhir(response)
    assert back == answered(answers)
    assert score(code, back) == result


def test_response_records_the_score() -> None:
    answers = startback({5, 6, 7, 8}, 0)
    result = score("startback", answers)
    response = response_to_fhir("startback", answers, result, questionnaire_version="2")
    (extension,) = response["extension"]
    assert extension["url"] == SCORE_EXTENSION_URL
    parts = extension["extension"]
    assert {"url": "value", "valueDecimal": 4.0} in parts
    assert {"url": "band", "valueString": "high"} in parts
    assert {
        "url": "subscore",
        "extension": [
            {"url": "name", "valueString": "distress"},
            {"url": "value", "valueDecimal": 4.0},
        ],
    } in parts


def test_response_booleans_stay_booleans() -> None:
    answers = {k: int(v) for k, v in rmdq(2).items() if v is not None}
    response = response_to_fhir("rmdq", answers, score("rmdq", answers), questionnaire_version="1")
    assert response["item"][0]["answer"] == [{"valueBoolean": True}]
    assert response["item"][23]["answer"] == [{"valueBoolean": False}]


def test_response_leaves_out_skipped_sections() -> None:
    answers = odi(1, None, 3, 1, 1, 1, 1, 1, 1)
    response = response_to_fhir("odi", answers, score("odi", answers), questionnaire_version="1")
    assert [i["linkId"] for i in response["item"]] == ["odi-1", *(f"odi-{n}" for n in range(3, 10))]


def test_response_refuses_a_score_that_does_not_match() -> None:
    answers = rmdq(7)
    wrong = Score("rmdq", 8.0, None, {})
    with pytest.raises(ValueError, match="does not match"):
        response_to_fhir("rmdq", answers, wrong, questionnaire_version="1")
    with pytest.raises(ValueError, match="does not match"):
        response_to_fhir("rmdq", answers, Score("peg", 7.0, None, {}), questionnaire_version="1")


def test_response_refuses_bad_answers_and_versions() -> None:
    with pytest.raises(IncompleteResponse):
        response_to_fhir("peg", {"peg-1": 1}, Score("peg", 1, None), questionnaire_version="1")
    with pytest.raises(InvalidResponse):
        response_to_fhir(
            "nrs-back", {"nrs-back-1": 12}, Score("nrs-back", 12, None), questionnaire_version="1"
        )
    result = score("nrs-back", {"nrs-back-1": 2})
    for version in ("", "1|2"):
        with pytest.raises(ValueError, match="questionnaire_version"):
            response_to_fhir("nrs-back", {"nrs-back-1": 2}, result, questionnaire_version=version)


@quiet
@given(
    st.sampled_from(sorted(INSTRUMENTS)).flatmap(
        lambda code: st.tuples(st.just(code), valid_answers(INSTRUMENTS[code]))
    )
)
def test_response_round_trip_property(case: tuple[str, dict[str, Answer]]) -> None:
    code, answers = case
    result = score(code, answers)
    response = response_to_fhir(code, answers, result, questionnaire_version="1.0")
    assert answers_from_fhir(response) == answered(answers)


def qr(*items: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "QuestionnaireResponse", "status": "completed", "item": list(items)}


def test_answers_from_fhir_reads_nested_items_and_empty_answers() -> None:
    response = qr(
        {
            "linkId": "group",
            "item": [
                {"linkId": "odi-1", "answer": [{"valueInteger": 3}]},
                {"linkId": "odi-2"},
            ],
        },
        {
            "linkId": "rmdq-1",
            "answer": [
                {
                    "valueBoolean": True,
                    "item": [{"linkId": "peg-1", "answer": [{"valueInteger": 1}]}],
                }
            ],
        },
    )
    assert answers_from_fhir(response) == {"odi-1": 3, "odi-2": None, "rmdq-1": True, "peg-1": 1}


@pytest.mark.parametrize(
    ("response", "fragment"),
    [
        ({"resourceType": "Questionnaire", "status": "active"}, "not a QuestionnaireResponse"),
        ("x", "not a QuestionnaireResponse"),
        ({"resourceType": "QuestionnaireResponse"}, "status"),
        (qr({"linkId": "a", "answer": [{"valueInteger": 1}, {"valueInteger": 2}]}), "2 answers"),
        (qr({"linkId": "a", "answer": [{"valueString": "x"}]}), "unsupported answer"),
        (qr({"linkId": "a"}, {"linkId": "a"}), "more than once"),
        (qr({"linkId": "a", "answer": [{"valueInteger": "x"}]}), "valueInteger"),
    ],
)
def test_answers_from_fhir_refuses(response: Any, fragment: str) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)):
        answers_from_fhir(response)


# The 24 statements as published by Roland & Fairbank (Spine 2000, appendix). The questionnaire
# says it is reproduced unchanged, so every statement must match to the letter.
RMDQ_PUBLISHED = (
    "I stay at home most of the time because of my back.",
    "I change position frequently to try and get my back comfortable.",
    "I walk more slowly than usual because of my back.",
    "Because of my back I am not doing any of the jobs that I usually do around the house.",
    "Because of my back, I use a handrail to get upstairs.",
    "Because of my back, I lie down to rest more often.",
    "Because of my back, I have to hold on to something to get out of an easy chair.",
    "Because of my back, I try to get other people to do things for me.",
    "I get dressed more slowly than usual because of my back.",
    "I only stand for short periods of time because of my back.",
    "Because of my back, I try not to bend or kneel down.",
    "I find it difficult to get out of a chair because of my back.",
    "My back is painful almost all the time.",
    "I find it difficult to turn over in bed because of my back.",
    "My appetite is not very good because of my back pain.",
    "I have trouble putting on my socks (or stockings) because of the pain in my back.",
    "I only walk short distances because of my back.",
    "I sleep less well because of my back.",
    "Because of my back pain, I get dressed with help from someone else.",
    "I sit down for most of the day because of my back.",
    "I avoid heavy jobs around the house because of my back.",
    "Because of my back pain, I am more irritable and bad tempered with people than usual.",
    "Because of my back, I go upstairs more slowly than usual.",
    "I stay in bed most of the time because of my back.",
)


def test_rmdq_statement_9_reads_than_usual() -> None:
    texts = {i["linkId"]: i["text"] for i in load_questionnaire("rmdq")["item"]}
    assert texts["rmdq-9"] == "I get dressed more slowly than usual because of my back."


def test_rmdq_statements_are_the_published_ones_unchanged() -> None:
    resource = load_questionnaire("rmdq")
    texts = {i["linkId"]: i["text"] for i in resource["item"]}
    assert tuple(texts[f"rmdq-{n}"] for n in range(1, 25)) == RMDQ_PUBLISHED
    assert "reproduced here unchanged" in resource["copyright"]
    assert "then usual" not in json.dumps(resource)
