"""The progress report a patient gives their doctor: one PDF (WeasyPrint) with who, the episode,
the intake summary, sessions, questionnaire scores, charts and the honest statement.

Rendered from ``outcomes/report.html``, which has no external resources: its CSS is inline and
its charts are inline SVG, and `core.pdf` refuses every URL so the PDF can never pull
anything from the network or the disk.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop, pgettext

from sciaticare.accounts.models import User
from sciaticare.accounts.selectors import day_of, today_for
from sciaticare.audit.services import record_event
from sciaticare.core.errors import NotFound
from sciaticare.core.pdf import pdf_from_html
from sciaticare.intake import bodymap
from sciaticare.intake.scoring.definition import Instrument
from sciaticare.intake.selectors import current_intake
from sciaticare.intake.services import onset_weeks
from sciaticare.intake.triage.phase import Phase, episode_phase
from sciaticare.intake.triage.precautions import PRECAUTIONS, Precaution
from sciaticare.outcomes import response, selectors
from sciaticare.outcomes.exercise_selectors import (
    REPORT_WEEKS,
    ExerciseInsight,
    exercise_insight_for,
)
from sciaticare.outcomes.identity import PatientIdentity

#: From ACP 2017 (Qaseem et al.), NICE NG59 1.2.7 and Cochrane (Furlan et al. 2015); see
#: docs/clinical.md. The product never says the word for a full recovery that it cannot promise.
#: Marked here, translated when the report is written (in its reader's language, docs/i18n.md).
HONEST_STATEMENT = gettext_noop(
    "Massage may give short-term relief of back pain and sciatica, and it works best alongside "
    "exercise. It does not treat the cause of nerve-root compression, and it never replaces a "
    "medical assessment."
)
HONEST_SOURCES = gettext_noop(
    "ACP 2017 (Qaseem et al., Ann Intern Med); NICE NG59 1.2.7; "
    "Cochrane review, Furlan et al. 2015 (CD001929.pub3)."
)
#: The chart classes of ``outcomes/_chart.html``, styled inside each SVG for the PDF (WeasyPrint
#: styles an inline SVG from its own ``<style>``; web pages use the site stylesheet instead).
CHART_CSS = mark_safe(
    ".grid{stroke:#ddd;stroke-width:1}"
    ".tick{font-family:DejaVu Sans,sans-serif;font-size:11px;fill:#444}"
    ".line{fill:none;stroke-width:1.6}"
    ".line.back{stroke:#1f5f8b}.line.leg{stroke:#c8641e}.line.score{stroke:#2a7a3a}"
    ".dot{stroke:none}.dot.back{fill:#1f5f8b}.dot.leg{fill:#c8641e}.dot.score{fill:#2a7a3a}"
    ".marker{stroke:#999;stroke-width:1;stroke-dasharray:3 3}"
    ".threshold{stroke:#a33;stroke-width:1.2;stroke-dasharray:6 4}"
    ".band{fill:#000;fill-opacity:0.04}.band-2,.band-4{fill-opacity:0.1}"
)
#: How many recent diary days and weeks the report lists as numbers (the chart shows them all).
RECENT_DAYS = 14
RECENT_WEEKS = 12


@dataclass(frozen=True)
class IntakeSummary:
    age: int
    started_on: date
    phase: Phase
    phase_words: str  # the phase in the report's language
    weeks: float
    whole_weeks: int  # weeks, rounded as people count them (2.5 → 3)
    regions: list[str]
    qualities: list[str]
    triage_level: str
    triage_code: str
    precautions: list[Precaution]
    # now, average, worst; None while a safety intake's pain scores are not answered yet
    back: tuple[int | None, int | None, int | None] | None
    leg: tuple[int | None, int | None, int | None] | None
    recorded_on: date


@dataclass(frozen=True)
class ScoreRow:
    progress: selectors.InstrumentProgress
    band: str
    rule: str  # the instrument's meaningful-change rule in words
    line: str  # where it lies from this patient's first score: the chart's line


def _intake_summary(patient: User) -> IntakeSummary | None:
    intake = current_intake(patient=patient)
    if intake is None:
        return None
    started_on = intake.episode.started_on
    weeks = onset_weeks(started_on, today_for(patient))
    return IntakeSummary(
        age=intake.age,
        started_on=started_on,
        phase=(phase := episode_phase(weeks)),
        phase_words=_phase_words(phase),
        weeks=weeks,
        whole_weeks=math.floor(weeks + 0.5),
        # The body map's words are intake's, marked there and translated here as shown.
        regions=[gettext(bodymap.REGIONS[c].label) for c in intake.regions if c in bodymap.REGIONS],
        qualities=[gettext(bodymap.QUALITIES.get(q, q)) for q in intake.qualities],
        triage_level=gettext(intake.triage_headline),
        triage_code=intake.triage_level,
        precautions=[PRECAUTIONS[c] for c in intake.triage_precautions if c in PRECAUTIONS],
        back=None
        if intake.safety_only
        else (intake.back_pain_now, intake.back_pain_average, intake.back_pain_worst),
        leg=None
        if intake.safety_only
        else (intake.leg_pain_now, intake.leg_pain_average, intake.leg_pain_worst),
        recorded_on=day_of(patient, intake.created_at),
    )


def _phase_words(phase: Phase) -> str:
    """The episode's phase by ACP 2017 (docs/clinical.md), as the report's sentence says it."""
    return {
        "acute": pgettext("episode phase", "acute"),
        "subacute": pgettext("episode phase", "subacute"),
        "chronic": pgettext("episode phase", "chronic"),
    }[phase]


def css_string(text: str) -> str:
    """Text as a quoted CSS string for inside ``<style>``: backslash, quote, line breaks and
    angle brackets escaped as CSS escapes (so it cannot end the element). Django's HTML
    escaping would print "&quot;" there, which CSS does not read."""
    escaped = "".join(f"\\{ord(ch):x} " if ch in '\\"<>\n\r' else ch for ch in text)
    return f'"{escaped}"'


def css_content(words: str, **counters: str) -> SafeString:
    """A CSS ``content`` value from words in the report's language, each ``%(name)s`` in them
    the CSS counter ``counters[name]``: a language puts "page 2 of 5" in its own order."""
    parts = re.split(r"%\((\w+)\)s", words)
    out = [
        f"counter({counters[part]})" if index % 2 else css_string(part)
        for index, part in enumerate(parts)
        if part
    ]
    return mark_safe(" ".join(out) or '""')  # noqa: S308 - css_string escaped the words


def _band(instrument: Instrument, value: float) -> str:
    # Same rule as scoring's Band: the first band whose upper bound the score does not exceed.
    # Its words are scoring's, marked there and translated here as shown.
    for band in instrument.bands:
        if value <= band.high:
            return gettext(band.label) if band.label else ""
    return ""


def _exercises(
    patient: User, viewer: User, now: datetime, relief: selectors.Relief
) -> ExerciseInsight | None:
    """The home programme's adherence and each exercise's comparison, spoken of the patient;
    None without a programme (or for a viewer who may not read it)."""
    try:
        return exercise_insight_for(
            viewer=viewer,
            patient=patient,
            weeks=REPORT_WEEKS,
            voice="patient",
            now=now,
            leg_by_day=relief.leg_by_day,
        )
    except NotFound:
        return None


def report_context(
    *, patient: User, viewer: User, now: datetime, identity: PatientIdentity | None = None
) -> dict[str, Any]:
    """Everything ``outcomes/report.html`` shows (without auditing: see :func:`render_report`).

    Nothing from a session note reaches the report but its date, therapist and the pain
    numbers before and after (``selectors.relief_for`` reads only those columns): the
    therapist's notes stay in the record. Of the home programme, only the exercises' names,
    adherence, flags and comparisons: a version's note and an item's instructions stay out.
    """
    relief = selectors.relief_for(patient=patient, viewer=viewer)
    all_entries = list(selectors.entries_of(patient=patient).only("day", "back_pain", "leg_pain"))
    return {
        "patient": patient,
        "identity": identity or PatientIdentity(None),
        "viewer": viewer,
        "generated_at": timezone.localtime(now),
        "intake": _intake_summary(patient),
        "relief": relief,
        "sessions": relief.sessions[::-1],  # oldest first, as a doctor reads a history
        "diary_count": len(all_entries),
        "diary_first": all_entries[0].day if all_entries else None,
        "diary_last": all_entries[-1].day if all_entries else None,
        "recent_entries": relief.entries[:RECENT_DAYS],
        "recent_weeks": relief.weekly[-RECENT_WEEKS:],
        # Adherence and pain on days done and not done; never the programme's notes.
        "exercises": _exercises(patient, viewer, now, relief),
        "scores": [
            ScoreRow(p, _band(p.instrument, p.latest), p.instrument.mcid_text, p.threshold_text)
            for p in relief.progress
        ],
        "chart_css": CHART_CSS,
        "honest_statement": gettext(HONEST_STATEMENT),
        "honest_sources": gettext(HONEST_SOURCES),
        "honest_prompt": gettext(response.HONEST_PROMPT),
        "no_baseline_note": gettext(response.NO_BASELINE_NOTE),
        # The page's foot, in CSS (WeasyPrint's margin boxes): name left, page numbers right.
        "footer_left": mark_safe(  # noqa: S308 - css_string escapes the name
            css_string(
                gettext("Sciaticare progress report · %(name)s") % {"name": patient.display_name}
            )
        ),
        "footer_right": css_content(
            gettext("page %(page)s of %(pages)s"), page="page", pages="pages"
        ),
    }


def render_html(
    *,
    patient: User,
    viewer: User,
    now: datetime | None = None,
    identity: PatientIdentity | None = None,
) -> str:
    """The report as HTML, before it becomes a PDF (tests read the wording here)."""
    context = report_context(
        patient=patient, viewer=viewer, now=now or timezone.now(), identity=identity
    )
    return render_to_string("outcomes/report.html", context)


def render_report(*, patient: User, viewer: User, identity: PatientIdentity | None = None) -> bytes:
    """The patient's progress report as PDF bytes; audited as ``report.generate``.

    The caller guarantees that ``viewer`` may read ``patient``'s outcomes (the patient, or the
    task acting for the patient who asked).
    """
    html = render_html(patient=patient, viewer=viewer, identity=identity)
    pdf = pdf_from_html(html)
    record_event(actor=viewer, action="report.generate", patient=patient)
    return pdf
