"""The patient's relief, read in a fixed handful of queries: diary, signed session notes and
questionnaire scores, turned into charts and honest figures."""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext, ngettext

from sciaticare.accounts.models import User
from sciaticare.accounts.selectors import today_for_id, zone_name
from sciaticare.audit.services import record_event
from sciaticare.core.errors import NotFound
from sciaticare.core.generated import FileStatus
from sciaticare.core.sql import Dialect, fetch_rows, table
from sciaticare.core.time import local_day
from sciaticare.intake.models import QuestionnaireResponse
from sciaticare.intake.scoring.definition import Instrument
from sciaticare.intake.scoring.instruments import INSTRUMENTS
from sciaticare.outcomes import charts, response
from sciaticare.outcomes.identity import PatientIdentity
from sciaticare.outcomes.models import PainEntry, ProgressReport, ReportShare
from sciaticare.records.models import SessionNote
from sciaticare.scheduling.models import Appointment


@dataclass(frozen=True)
class SessionRelief:
    day: date
    therapist: str
    back: tuple[int | None, int | None]
    leg: tuple[int | None, int | None]
    back_drop: int | None
    leg_drop: int | None


@dataclass(frozen=True, slots=True)
class DiaryDay:
    """One day of the pain diary as the pages show it (read as values, not model instances)."""

    day: date
    back_pain: int
    leg_pain: int
    note: str
    tags: list[str]


@dataclass(frozen=True)
class InstrumentProgress:
    instrument: Instrument
    baseline: float
    latest: float
    result: response.Responder | None
    points: list[tuple[date, float]]

    @property
    def threshold(self) -> response.MeaningfulThreshold | None:
        """Where meaningful change begins from this baseline: the verdict's own rule."""
        return response.meaningful_threshold(
            self.baseline,
            mcid_points=self.instrument.mcid_points,
            mcid_percent=self.instrument.mcid_percent,
            lower_is_better=self.instrument.lower_is_better,
        )

    @property
    def threshold_text(self) -> str:
        """The line in words for tables: "8.4 or less (3.6 points: 30 % of 12)"."""
        line = self.threshold
        if line is None:
            return gettext("none published")
        instrument = self.instrument
        values = {
            "score": _number(line.score),
            "change": _number(line.change),
            "percent": f"{instrument.mcid_percent:g}",
            "points": _number(instrument.mcid_points or 0),
            "baseline": _number(self.baseline),
        }
        if line.by == "percent":
            words = (
                gettext("%(score)s or less (%(change)s points: %(percent)s %% of %(baseline)s)")
                if instrument.lower_is_better
                else gettext(
                    "%(score)s or more (%(change)s points: %(percent)s %% of %(baseline)s)"
                )
            )
        else:
            words = (
                gettext("%(score)s or less (%(change)s points: %(points)s points)")
                if instrument.lower_is_better
                else gettext("%(score)s or more (%(change)s points: %(points)s points)")
            )
        return words % values

    @property
    def baseline_on(self) -> date:
        return self.points[0][0]

    @property
    def latest_on(self) -> date:
        return self.points[-1][0]

    @property
    def chart(self) -> charts.Chart:
        """Drawn when a page shows it (the diary and the report; the dashboard does not)."""
        instrument, line = self.instrument, self.threshold
        threshold = (
            (
                line.score,
                gettext("meaningful change (%(change)s points)") % {"change": _number(line.change)},
            )
            if line is not None
            else None
        )
        return charts.line_chart(
            [charts.Series(gettext(instrument.title), self.points, "score")],
            y_min=instrument.score_min,
            y_max=instrument.score_max,
            y_step=charts.whole_step(instrument.score_max - instrument.score_min),
            # Scoring's words, marked there (docs/i18n.md): translated here as drawn.
            bands=[
                charts.BandIn(b.low, b.high, gettext(b.label) if b.label else "")
                for b in instrument.bands
            ],
            threshold=threshold,
        )


def _number(value: float) -> str:
    """A score for people: at most one decimal, none when whole (8.4, 7, not 8.3999999)."""
    return charts.number(value)


@dataclass(frozen=True)
class Relief:
    entries: list[DiaryDay]  # the last 14 days with an entry, newest first
    pain_chart: charts.Chart
    sessions: list[SessionRelief]
    weekly: list[response.WeeklyRelief]
    has_baseline: bool
    progress: list[InstrumentProgress]
    needs_review: bool
    # The lasting-relief baseline: median worst pain in the 7 days before the first session.
    baseline: float | None = None
    first_session: date | None = None
    # Every diary day's leg pain, for the home exercises' comparison (exercise_selectors).
    leg_by_day: dict[date, int] = field(default_factory=dict)


def last_identity(*, patient: User) -> PatientIdentity:
    """The date of birth and identifier of the patient's last report request, to pre-fill the
    next one (empty when they have asked for none)."""
    last = (
        ProgressReport.objects.filter(patient=patient)
        .order_by("-requested_at")
        .values_list("date_of_birth", "patient_identifier")
        .first()
    )
    return PatientIdentity(*last) if last else PatientIdentity(None)


def entries_of(*, patient: User) -> QuerySet[PainEntry]:
    return PainEntry.objects.filter(patient=patient)


def _progress(responses: list[tuple[str, float, datetime]], zone: str) -> list[InstrumentProgress]:
    """Each instrument's scores over time, from (instrument, score, completed at) rows, each on
    the patient's day in their `zone`."""
    by_code: dict[str, list[tuple[date, float]]] = {}
    for code, score, completed_at in responses:
        by_code.setdefault(code, []).append((local_day(completed_at, zone), score))
    found = []
    for code, points in by_code.items():
        instrument = INSTRUMENTS.get(code)
        if instrument is None:
            continue
        points.sort()
        baseline, latest = points[0][1], points[-1][1]
        result = None
        if len(points) > 1 and (instrument.mcid_points or instrument.mcid_percent):
            result = response.responder(
                baseline,
                latest,
                mcid_points=instrument.mcid_points,
                mcid_percent=instrument.mcid_percent,
                lower_is_better=instrument.lower_is_better,
            )
        found.append(InstrumentProgress(instrument, baseline, latest, result, points))
    return found


def _pain_chart(
    entries: Sequence[tuple[Any, ...]], sessions: Sequence[tuple[date, int | None]]
) -> charts.Chart:
    """Back and leg pain of (day, back, leg, …) diary rows, a marker at each (day, back drop)."""
    session, session_drop = gettext("Session"), gettext("Session: back −%(drop)s")
    return charts.line_chart(
        [
            charts.Series(gettext("Back pain"), [(e[0], e[1]) for e in entries], "back"),
            charts.Series(gettext("Leg pain"), [(e[0], e[2]) for e in entries], "leg"),
        ],
        markers=[
            charts.Marker(day, session_drop % {"drop": drop} if drop else session)
            for day, drop in sessions
        ],
    )


def course_needs_review(
    session_days: Sequence[date],
    last_weeks: Sequence[response.WeeklyRelief],
    progress: Sequence[InstrumentProgress],
) -> bool:
    """The review prompt (docs/clinical.md): sessions and weeks gone by with no meaningful
    improvement."""
    if not session_days:
        return False
    pain = INSTRUMENTS["nrs-leg"]
    # A week counts with the pain scale's own rule, 2 points or 30 % of the baseline (the
    # baseline is the week's median plus its drop).
    improved = any(p.result and p.result.is_responder for p in progress) or any(
        response.responder(
            w.median + w.change_from_baseline,
            w.median,
            mcid_points=pain.mcid_points,
            mcid_percent=pain.mcid_percent,
        ).is_responder
        for w in last_weeks
    )
    weeks = (session_days[-1] - session_days[0]).days / 7
    return response.needs_clinician_review(len(session_days), weeks, improved)


def relief_for(*, patient: User, viewer: User) -> Relief:
    """Everything the relief charts show; three queries. Reads by anyone else are audited."""
    if viewer.pk != patient.pk:
        record_event(actor=viewer, action="outcomes.view", patient=patient)
    # Values, not model instances, and tags as raw JSON text decoded only for the days shown:
    # three years of daily entries made the dashboard's slowest part (issue 7's figure).
    entries = list(
        entries_of(patient=patient)
        .order_by("day")
        .values_list("day", "back_pain", "leg_pain", "note", Cast("tags", TextField()))
    )
    notes = list(
        SessionNote.objects.filter(patient=patient, signed_at__isnull=False)
        .order_by("appointment__start")
        .values_list(
            "appointment__start",
            "therapist__user__first_name",
            "therapist__user__last_name",
            "therapist__user__email",
            "back_pain_before",
            "back_pain_after",
            "leg_pain_before",
            "leg_pain_after",
        )
    )
    responses = list(
        QuestionnaireResponse.objects.filter(patient=patient)
        .order_by("completed_at")
        .values_list("instrument", "score", "completed_at")
    )
    # Every day on the charts is the patient's own (their zone), whoever looks: a session at
    # 20:00 in New York is on New York's day, not on the next UTC one, as a diary entry is.
    zone = zone_name(patient)
    sessions = [
        SessionRelief(
            day=local_day(start, zone),
            therapist=f"{first} {last}".strip() or email,  # User.display_name, from values
            back=(back_before, back_after),
            leg=(leg_before, leg_after),
            back_drop=response.immediate_relief(back_before, back_after),
            leg_drop=response.immediate_relief(leg_before, leg_after),
        )
        for start, first, last, email, back_before, back_after, leg_before, leg_after in notes
    ]
    pain_chart = _pain_chart(entries, [(s.day, s.back_drop) for s in sessions])
    weekly: list[response.WeeklyRelief] = []
    baseline = None
    if sessions:
        worst_of_day = [(e[0], float(max(e[1], e[2]))) for e in entries]
        baseline = response.baseline_median(worst_of_day, sessions[0].day)
        weekly = response.lasting_relief(worst_of_day, sessions[0].day)
    progress = _progress(responses, zone)
    return Relief(
        entries=[
            DiaryDay(day, back, leg, note, json.loads(tags))
            for day, back, leg, note, tags in entries[-14:][::-1]
        ],
        pain_chart=pain_chart,
        sessions=sessions[::-1],
        weekly=weekly,
        has_baseline=baseline is not None,
        progress=progress,
        needs_review=course_needs_review([s.day for s in sessions], weekly[-2:], progress),
        baseline=baseline,
        first_session=sessions[0].day if sessions else None,
        leg_by_day={e[0]: e[2] for e in entries},
    )


@dataclass(frozen=True)
class DashboardRelief:
    """What the dashboard shows of :class:`Relief`: the pain chart and the review prompt."""

    pain_chart: charts.Chart
    needs_review: bool


# The dashboard's three reads are plain SQL (issue 7): compiling three ORM querysets cost
# about as much CPU as drawing the chart. Django's default column names; tables from the models
# (the only text interpolated, hence S608's noqa); the patient's id is a parameter.


def _diary_pains(patient: User) -> list[tuple[date, int, int]]:
    """(day, back, leg) of every diary day, oldest first."""
    day = Dialect.current().day_as_text("day")
    rows = fetch_rows(
        f"SELECT {day}, back_pain, leg_pain FROM {table(PainEntry)}"  # noqa: S608
        " WHERE patient_id = %s ORDER BY day",
        [patient.pk],
    )
    if rows and isinstance(rows[0][0], str):
        parse = date.fromisoformat
        return [(parse(text), back, leg) for text, back, leg in rows]
    return rows


def _session_pains(patient: User) -> list[tuple[datetime, int | None, int | None]]:
    """(start, back pain before, after) of each signed session note, earliest first. The
    start is in UTC (naive on SQLite); ``local_day`` makes it the patient's day, as in
    ``relief_for``."""
    return fetch_rows(
        f"SELECT a.start, n.back_pain_before, n.back_pain_after FROM {table(SessionNote)} n"  # noqa: S608
        f" JOIN {table(Appointment)} a ON a.id = n.appointment_id"
        " WHERE n.patient_id = %s AND n.signed_at IS NOT NULL ORDER BY a.start",
        [patient.pk],
    )


def _scores(patient: User) -> list[tuple[str, float, datetime]]:
    """(instrument, score, completed at) of each questionnaire response."""
    return fetch_rows(
        f"SELECT instrument, score, completed_at FROM {table(QuestionnaireResponse)}"  # noqa: S608
        " WHERE patient_id = %s",
        [patient.pk],
    )


def dashboard_relief_for(*, patient: User) -> DashboardRelief:
    """The patient's own pain chart and review prompt, figured as :func:`relief_for` does.

    Three plain SQL reads of only the columns these need (no notes, tags or therapist names).
    """
    entries, notes, responses = (
        _diary_pains(patient),
        _session_pains(patient),
        _scores(patient),
    )
    zone = zone_name(patient)
    sessions = [
        (local_day(start, zone), response.immediate_relief(before, after))
        for start, before, after in notes
    ]
    days = [day for day, _ in sessions]
    last_weeks = (
        response.recent_relief(
            [(day, float(max(back, leg))) for day, back, leg in entries], days[0], weeks=2
        )
        if days
        else []
    )
    return DashboardRelief(
        _pain_chart(entries, sessions),
        course_needs_review(days, last_weeks, _progress(responses, zone)),
    )


def reports_of(*, patient: User) -> QuerySet[ProgressReport]:
    """The patient's progress reports, newest first, without the PDF bytes."""
    return ProgressReport.objects.filter(patient=patient).defer("content")


def ready_report_for(*, user: User, report_id: int) -> ProgressReport:
    """A ready report of the user's own; NotFound alike for missing, pending or someone else's."""
    found = ProgressReport.objects.filter(
        pk=report_id, patient=user, status=FileStatus.READY
    ).first()
    if found is None:
        raise NotFound("report")
    return found


def shares_of(*, patient: User) -> QuerySet[ReportShare]:
    """Where the patient has sent their reports, newest first (for the reports page)."""
    return ReportShare.objects.filter(report__patient=patient).select_related("report")


def recent_diary_line(patient_id: int) -> str:
    """The last 7 days of the patient's diary in one line, for prefilling a session note
    (installed as records' diary summary: ``records/diary.py``)."""
    since = today_for_id(patient_id) - timedelta(days=7)
    entries = list(
        PainEntry.objects.filter(patient_id=patient_id, day__gte=since).values_list(
            "back_pain", "leg_pain"
        )
    )
    if not entries:
        return ""
    back = statistics.median(b for b, _ in entries)
    leg = statistics.median(leg for _, leg in entries)
    words = ngettext(
        "Pain diary, last 7 days (%(count)s entry): median back %(back)s/10, leg %(leg)s/10.",
        "Pain diary, last 7 days (%(count)s entries): median back %(back)s/10, leg %(leg)s/10.",
        len(entries),
    )
    return " " + words % {"count": len(entries), "back": _number(back), "leg": _number(leg)}
