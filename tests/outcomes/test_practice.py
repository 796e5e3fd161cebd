"""Therapists' and clinics' outcomes: the pure definitions (table-driven and properties), and
the SQL statement held against them on random records (SQLite and PostgreSQL alike)."""

import random
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.outcomes import practice
from sciaticare.outcomes.practice_query import Scope, outcomes_sql
from sciaticare.outcomes.practice_selectors import compute_outcomes
from tests.directory.factories import ClinicFactory, LocationFactory, TherapistProfileFactory
from tests.factories import PatientFactory
from tests.outcomes.practice_world import START, Clock, diary, rmdq, signed_session

pain = st.one_of(st.none(), st.integers(0, 10))


@pytest.mark.parametrize(
    ("back_before", "back_after", "leg_before", "leg_after", "expected"),
    [
        (6, 4, 8, 5, 3),  # leg is worse before and after: 8 - 5
        (8, 2, 6, 5, 3),  # worse before is back (8), worse after is leg (5)
        (6, 4, None, None, 2),  # only back recorded
        (None, None, 7, 3, 4),  # only leg recorded
        (6, None, 7, 3, 4),  # back's pair incomplete: leg alone
        (6, None, None, 3, None),  # no complete pair
        (None, None, None, None, None),
        (3, 5, 2, 4, -2),  # worse after a session is a negative relief, kept
    ],
)
def test_session_relief_is_the_drop_of_the_worse_site(
    back_before, back_after, leg_before, leg_after, expected
):
    assert practice.session_relief(back_before, back_after, leg_before, leg_after) == expected


@pytest.mark.parametrize(
    ("baseline", "follow_up", "responds"),
    [
        (7, 5, True),  # 2 points
        (7, 5.5, False),  # 1.5 points, 21 %
        (5, 3.5, True),  # 1.5 points but exactly 30 %
        (3, 2, True),  # 1 point, 33 %
        (2, 1.5, False),  # 25 %
        (0, 0, False),
        (4, 6, False),
    ],
)
def test_responder_at_six_weeks_needs_two_points_or_thirty_percent(baseline, follow_up, responds):
    assert practice.responds_at_six_weeks(baseline, follow_up) is responds


@pytest.mark.parametrize(("patients", "shown"), [(0, False), (9, False), (10, True), (250, True)])
def test_a_figure_is_shown_from_ten_patients(patients, shown):
    figure = practice.Figure.of(2.5, patients)

    assert figure.is_shown is shown
    assert figure.patients == patients  # the count is always kept
    assert practice.shown(patients) is shown


@given(st.integers(0, 10_000), st.floats(-10, 10, allow_nan=False))
def test_threshold_property_value_only_from_min_patients(patients, value):
    figure = practice.Figure.of(value, patients)

    assert (figure.value is not None) == (patients >= practice.MIN_PATIENTS)


@given(pain, pain, pain, pain)
def test_relief_is_bounded_and_needs_a_complete_pair(bb, ba, lb, la):
    relief = practice.session_relief(bb, ba, lb, la)
    complete = (bb is not None and ba is not None) or (lb is not None and la is not None)

    assert (relief is not None) == complete
    if relief is not None:
        assert -10 <= relief <= 10


def test_each_figure_has_its_own_count():
    found = practice.outcomes_of(
        patients=12,
        reliefs=[2.0] * 12,
        responder_flags=[True] * 4,
        questionnaire_changes=[3.0] * 10,
    )

    assert found.relief == practice.Figure(2.0, 12)
    assert found.responders == practice.Figure(None, 4)  # 4 evaluable: not shown
    assert found.questionnaire_change == practice.Figure(3.0, 10)


def test_diary_windows_are_the_week_before_and_the_two_weeks_around_week_six():
    first = START.date()
    (b_from, b_to), (f_from, f_to) = practice.diary_windows(first)

    assert (b_from, b_to) == (first - timedelta(days=7), first)
    assert (f_from, f_to) == (first + timedelta(days=35), first + timedelta(days=49))


def test_the_statement_refuses_no_scope():
    with pytest.raises(ValueError, match="scope"):
        outcomes_sql("sqlite", [])


# --- SQL against the definition -------------------------------------------------------------


def _random_world(seed: int):
    """Two clinics, three therapists (one at both), 24 patients; random pains (some missing),
    diaries, RMDQ and other scores, and unsigned drafts that must not count."""
    rng = random.Random(seed)
    clinic_a, clinic_b = ClinicFactory(), ClinicFactory()
    a1, b1 = LocationFactory(clinic=clinic_a), LocationFactory(clinic=clinic_b)
    therapists = [
        TherapistProfileFactory(location=a1),
        TherapistProfileFactory(location=b1),
        TherapistProfileFactory(location=a1),
    ]
    therapists[2].clinics.add(clinic_b)
    places = {therapists[0].pk: [a1], therapists[1].pk: [b1], therapists[2].pk: [a1, b1]}
    clock = Clock()
    sessions, diaries, scores = [], [], []  # (therapist, clinic, Session), (...), (...)

    def maybe(n: int) -> int | None:
        return None if rng.random() < 0.15 else n

    for _ in range(24):
        patient = PatientFactory()
        for therapist in rng.sample(therapists, rng.choice((1, 1, 2))):
            for _ in range(rng.randint(1, 3)):
                location = rng.choice(places[therapist.pk])
                start = clock.free(
                    therapist,
                    START + timedelta(days=rng.randint(0, 60), hours=2 * rng.randint(0, 4)),
                )
                values = (maybe(rng.randint(3, 9)), maybe(rng.randint(0, 8)))
                values += (maybe(rng.randint(3, 10)), maybe(rng.randint(0, 8)))
                signed = rng.random() > 0.1
                signed_session(
                    therapist=therapist,
                    patient=patient,
                    location=location,
                    start=start,
                    pain=values,
                    signed=signed,
                )
                if signed:
                    sessions.append(
                        (
                            therapist.pk,
                            location.clinic_id,
                            practice.Session(patient.pk, start, *values),
                        )
                    )
        for offset in rng.sample(range(-15, 120), rng.randint(0, 60)):
            day = START.date() + timedelta(days=offset)
            back, leg = rng.randint(0, 10), rng.randint(0, 10)
            diary(patient, day, back, leg)
            diaries.append((patient.pk, day, back, leg))
        for _ in range(rng.randint(0, 6)):
            at = START + timedelta(days=rng.randint(-30, 90), minutes=rng.randint(0, 600) + 0.5)
            score = float(rng.randint(0, 24))
            instrument = rng.choice(("rmdq", "rmdq", "peg"))
            rmdq(patient, at, score, instrument)
            if instrument == "rmdq":
                scores.append((patient.pk, at, score))
    return therapists, (clinic_a, clinic_b), sessions, diaries, scores


def _expected(sessions, diaries, scores, keep):
    chosen = [s for t, c, s in sessions if keep(t, c)]
    return practice.outcomes_from_records(chosen, diaries, scores)


def _figures(found: practice.Outcomes):
    return (
        found.patients,
        found.relief.patients,
        found.relief.value,
        found.responders.patients,
        found.responders.value,
        found.questionnaire_change.patients,
        found.questionnaire_change.value,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_gives_the_definitions_figures_for_every_scope(seed, monkeypatch):
    # Compare raw values: with the threshold at 1 nothing is hidden.
    monkeypatch.setattr(practice, "MIN_PATIENTS", 1)
    therapists, clinics, sessions, diaries, scores = _random_world(seed)

    by_therapist = compute_outcomes([Scope.THERAPIST])
    by_clinic = compute_outcomes([Scope.CLINIC, Scope.CLINIC_THERAPIST])

    for therapist in therapists:
        want = _expected(sessions, diaries, scores, lambda t, c, me=therapist.pk: t == me)
        got = by_therapist.get((0, therapist.pk))
        if want.patients == 0:
            assert got is None
            continue
        assert _figures(got) == pytest.approx(_figures(want))
    for clinic in clinics:
        want = _expected(sessions, diaries, scores, lambda t, c, me=clinic.pk: c == me)
        assert _figures(by_clinic[(clinic.pk, 0)]) == pytest.approx(_figures(want))
        for therapist in therapists:
            want = _expected(
                sessions,
                diaries,
                scores,
                lambda t, c, me=clinic.pk, who=therapist.pk: c == me and t == who,
            )
            got = by_clinic.get((clinic.pk, therapist.pk))
            assert (got is None) == (want.patients == 0)
            if got is not None:
                assert _figures(got) == pytest.approx(_figures(want))


@pytest.mark.django_db
def test_filters_keep_to_the_clinic_or_therapists_asked_for(monkeypatch):
    monkeypatch.setattr(practice, "MIN_PATIENTS", 1)
    therapists, clinics, *_ = _random_world(4)

    one_clinic = compute_outcomes([Scope.CLINIC_THERAPIST], clinic_id=clinics[0].pk)
    some = compute_outcomes([Scope.THERAPIST], therapist_ids=[therapists[1].pk])

    assert {k1 for k1, _ in one_clinic} <= {clinics[0].pk}
    assert set(some) <= {(0, therapists[1].pk)}
    assert compute_outcomes([Scope.THERAPIST], therapist_ids=[]) == {}
