"""The patient's dashboard with a pain history: a fixed number of queries however long the
history (issue 7: at most 10 with three years of diary and 60 sessions), and a chart for
empty, one-point and long histories."""

import re
from datetime import UTC, datetime, timedelta
from datetime import time as clock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sciaticare.core.display import day
from sciaticare.directory.models import FlareUpPlanEntry
from sciaticare.intake.models import QuestionnaireResponse
from sciaticare.outcomes import charts
from sciaticare.outcomes.models import PainEntry
from sciaticare.outcomes.selectors import dashboard_relief_for, relief_for
from sciaticare.outcomes.templatetags.chart_svg import svg_dots, svg_markers
from sciaticare.records.models import SessionNote
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from tests.directory.factories import TherapistProfileFactory
from tests.factories import PainEntryFactory, PatientFactory
from tests.intake.factories import make_intake

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10


def _history(patient, therapist, *, days: int, sessions: int, upcoming: int = 2) -> None:
    """`days` daily diary entries up to today, `sessions` past signed sessions a week apart
    (the last a week ago), `upcoming` booked ones, and a monthly questionnaire."""
    today = timezone.localdate()
    PainEntry.objects.bulk_create(
        PainEntry(
            patient=patient,
            day=today - timedelta(days=i),
            back_pain=i % 11,
            leg_pain=(i + 3) % 11,
            note="Long drive" if i % 9 == 0 else "",
            tags=["flare_up"] if i % 30 == 0 else [],
        )
        for i in range(days)
    )
    location = therapist.locations.first()
    session = therapist.session_types.get(is_standard=True)
    starts = [
        datetime.combine(today - timedelta(weeks=sessions - i), clock(10), tzinfo=UTC)
        for i in range(sessions)
    ] + [
        datetime.combine(today + timedelta(weeks=i + 1), clock(10), tzinfo=UTC)
        for i in range(upcoming)
    ]
    appointments = Appointment.objects.bulk_create(
        Appointment(
            patient=patient,
            therapist=therapist,
            location=location,
            session_type=session,
            start=start,
            end=start + timedelta(hours=1),
            busy_until=start + timedelta(minutes=75),
            status=AppointmentStatus.COMPLETED if i < sessions else AppointmentStatus.BOOKED,
        )
        for i, start in enumerate(starts)
    )
    SessionNote.objects.bulk_create(
        SessionNote(
            appointment=a,
            therapist=therapist,
            patient=patient,
            back_pain_before=7,
            back_pain_after=4,
            leg_pain_before=8,
            leg_pain_after=6,
            signed_at=a.end,
            signed_by=therapist.user,
            seal="test",
        )
        for a in appointments[:sessions]
    )
    QuestionnaireResponse.objects.bulk_create(
        QuestionnaireResponse(
            patient=patient,
            instrument=code,
            instrument_version="1",
            resource={},
            score=score,
            completed_at=timezone.now() - timedelta(days=30 * month),
        )
        for month in range(days // 30)
        for code, score in (("peg", 5.0 + month % 3), ("rmdq", 10.0 + month % 5))
    )


def patient_with(days: int, sessions: int):
    """A patient with an intake, a flare-up plan of two and `days` of diary, `sessions` signed
    sessions (shared with the exercises app's budget test)."""
    patient = PatientFactory()
    make_intake(patient)
    therapist = TherapistProfileFactory()
    FlareUpPlanEntry.objects.create(patient=patient, therapist=therapist, rank=1)
    FlareUpPlanEntry.objects.create(patient=patient, therapist=TherapistProfileFactory(), rank=2)
    _history(patient, therapist, days=days, sessions=sessions)
    return patient


def _dashboard_queries(client, patient) -> tuple[int, str]:
    client.force_login(patient)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("web:dashboard"))
    assert response.status_code == 200
    return len(queries.captured_queries), response.content.decode()


def test_three_years_and_60_sessions_take_at_most_10_queries(client):
    patient = patient_with(days=3 * 365, sessions=60)

    count, page = _dashboard_queries(client, patient)

    assert count <= MAX_QUERIES
    assert page.count('class="marker"') == 60


def test_the_query_count_does_not_grow_with_the_history(client):
    short = patient_with(days=3, sessions=1)
    long = patient_with(days=3 * 365, sessions=60)

    assert _dashboard_queries(client, short)[0] == _dashboard_queries(client, long)[0]


def test_a_long_history_is_drawn_thinned_from_first_to_last_day(client):
    patient = patient_with(days=3 * 365, sessions=60)

    _, page = _dashboard_queries(client, patient)

    lines = re.findall(r'<polyline class="line (back|leg)" points="([^"]*)"', page)
    assert [css for css, _ in lines] == ["back", "leg"]
    for _, points in lines:
        xs = [float(pair.split(",")[0]) for pair in points.split()]
        assert len(xs) <= charts.MAX_DRAWN
        assert xs[0] == charts.LEFT
        assert xs[-1] == charts.WIDTH - charts.RIGHT
    assert "<circle" not in page  # no dots on a long line


def test_an_empty_history_shows_an_empty_chart(client):
    patient = PatientFactory()

    _, page = _dashboard_queries(client, patient)

    assert "No data yet" in page
    assert "<polyline" not in page


def test_one_entry_is_drawn_as_a_dot_with_its_value(client):
    patient = PatientFactory()
    PainEntryFactory(patient=patient, back_pain=6, leg_pain=8)

    _, page = _dashboard_queries(client, patient)

    assert "No data yet" not in page
    assert f"Back pain 6 on {day(timezone.localdate())}" in page  # 5 Dec 2026
    assert f"Leg pain 8 on {day(timezone.localdate())}" in page


def test_the_last_14_days_are_listed_newest_first_with_notes_and_tags():
    patient = PatientFactory()
    _history(patient, TherapistProfileFactory(), days=40, sessions=0, upcoming=0)

    relief = relief_for(patient=patient, viewer=patient)

    today = timezone.localdate()
    assert [d.day for d in relief.entries] == [today - timedelta(days=i) for i in range(14)]
    assert (relief.entries[0].note, relief.entries[0].tags) == ("Long drive", ["flare_up"])
    assert (relief.entries[1].note, relief.entries[1].tags) == ("", [])
    assert (relief.entries[9].back_pain, relief.entries[9].leg_pain) == (9, 1)


@pytest.mark.parametrize(
    ("days", "sessions", "needs_review"),
    [(0, 0, False), (1, 1, False), (0, 8, True), (60, 8, False), (3 * 365, 60, False)],
)
def test_the_dashboard_figures_are_those_of_the_full_relief(days, sessions, needs_review):
    """The dashboard's lighter read draws the same chart and the same review prompt (8 sessions
    with no diary or scores to show an improvement: the prompt)."""
    patient = patient_with(days=days, sessions=sessions)

    full, dashboard = (
        relief_for(patient=patient, viewer=patient),
        dashboard_relief_for(patient=patient),
    )

    assert dashboard.pain_chart == full.pain_chart
    assert dashboard.needs_review == full.needs_review == needs_review


def test_the_review_prompt_shows_on_the_dashboard(client):
    patient = patient_with(days=0, sessions=8)

    _, page = _dashboard_queries(client, patient)

    assert "Time for a clinician review." in page


def test_markers_and_dots_are_written_as_escaped_svg_with_plain_numbers():
    assert svg_markers([(36.0, "Session: back −3"), (123.4, "<b>")]) == (
        '<line class="marker" x1="36.0" x2="36.0" y1="12" y2="232"><title>Session: back −3'
        '</title></line><line class="marker" x1="123.4" x2="123.4" y1="12" y2="232">'
        "<title>&lt;b&gt;</title></line>"
    )
    assert svg_dots([("back", 332.0, 12.5, "Back pain 6 on 25 Nov 2026")]) == (
        '<circle class="dot back" cx="332.0" cy="12.5" r="3"><title>Back pain 6 on 25 Nov 2026'
        "</title></circle>"
    )
    assert svg_markers([]) == svg_dots([]) == ""
