"""Reads shared by the intake pages and API; every read of another person's intake is checked
and audited here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.contrib.auth.models import AnonymousUser
from django.db.models import OuterRef, QuerySet, Subquery

from sciaticare.accounts.models import Role, User
from sciaticare.audit.services import record_event
from sciaticare.core.errors import NotFound
from sciaticare.core.sql import columns, instances, table
from sciaticare.directory.ranking import PatientFit
from sciaticare.directory.selectors.access import clinics_administered, staff_clinic_ids
from sciaticare.intake import bodymap, recheck
from sciaticare.intake import brief as brief_rules
from sciaticare.intake.care import care
from sciaticare.intake.models import (
    Episode,
    Intake,
    IntakeShare,
    QuestionnaireDefinition,
    QuestionnaireResponse,
    RedFlagRecheck,
)
from sciaticare.intake.scoring.definition import Instrument
from sciaticare.intake.scoring.instruments import INSTRUMENTS
from sciaticare.intake.scoring.questionnaire import load_questionnaire
from sciaticare.intake.triage.levels import Level

# Written out: every booking and every patient page asks this, and compiling the ORM's
# query of this wide row took as long again as the database (docs/benchmarks.md).
_CURRENT_INTAKE_SQL = f"""
SELECT {columns(Intake, "i")} FROM {table(Intake)} i JOIN {table(Episode)} e ON e.id = i.episode_id
 WHERE i.patient_id = %s AND e.closed_at IS NULL
 ORDER BY i.created_at DESC, i.id DESC
 LIMIT 1
"""  # noqa: S608 - table names from the models; the value goes as a parameter


def current_intake(*, patient: User) -> Intake | None:
    """The latest intake of the patient's open episode."""
    found = instances(_CURRENT_INTAKE_SQL, [patient.pk], (Intake,))
    return cast(Intake, found[0][0]) if found else None


def missing_parts(*, patient: User) -> list[str]:
    """What the patient's current intake still lacks (a safety intake: booked first), in the
    language being answered in; [] when complete or when there is none."""
    intake = current_intake(patient=patient)
    return intake.missing_parts if intake is not None else []


def sciatica_side(*, patient: User, at: datetime) -> str | None:
    """The leg the sciatica was felt in ("left", "right"; None for both or unknown) by the
    intake the patient had saved by `at`, e.g. a session's start (the US superbill's code)."""
    regions = (
        Intake.objects.filter(patient=patient, created_at__lte=at)
        .order_by("-created_at", "-pk")
        .values_list("regions", flat=True)
        .first()
    )
    return bodymap.leg_side(regions or [])


def last_red_flag_check(*, intake: Intake) -> datetime:
    """When the patient last answered the red-flag questions for this intake: when it was
    saved, or its latest re-check (intake/recheck.py)."""
    latest = (
        RedFlagRecheck.objects.filter(intake=intake, result__isnull=True)
        .values_list("checked_at", flat=True)
        .first()
    )
    return max(intake.created_at, latest) if latest else intake.created_at


def needed_before_booking(*, intake: Intake | None, now: datetime) -> recheck.Needed:
    """What a booking against the patient's current intake (None: no intake in an open
    episode) must ask first: nothing, the red-flag re-check, or the whole intake."""
    if intake is None:
        return recheck.Needed.INTAKE
    # An intake saved within the day needs no read of its re-checks.
    answered = (
        None if recheck.is_fresh(intake.created_at, now) else last_red_flag_check(intake=intake)
    )
    return recheck.needed_before_booking(intake_at=intake.created_at, answered_at=answered, now=now)


@dataclass(frozen=True)
class TriageAlert:
    """The red advice a patient's pages lead with while their current intake says emergency or
    urgent: the symptom check's words (intake/_triage_alert.html)."""

    level: str  # "emergency" or "urgent"
    intake_id: int


_UNREAD: Any = object()


def triage_alert(
    *, patient: User | AnonymousUser, intake: Intake | None = _UNREAD
) -> TriageAlert | None:
    """The patient's current triage state, as the alert their pages lead with, or None.

    It holds until a newer intake says otherwise. Pass `intake` (the current one, or None) when
    the caller has already read it, to save a query; otherwise it is read here.
    """
    if not patient.is_authenticated or not patient.has_role(Role.PATIENT):
        return None
    current = current_intake(patient=patient) if intake is _UNREAD else intake
    if current is None or current.level < Level.URGENT:
        return None
    return TriageAlert(level=current.triage_level, intake_id=current.pk)


BLOCKING_LEVELS = (Level.EMERGENCY.code, Level.URGENT.code)


def current_levels(*, patient_ids: Iterable[int]) -> dict[int, str]:
    """The patients among `patient_ids` who have a current intake (the latest of an open
    episode), with its triage level: one query for any number of patients. Who is missing has
    no intake a brief could be made from."""
    ids = set(patient_ids)
    if not ids:
        return {}
    latest = Intake.objects.filter(
        patient_id=OuterRef("patient_id"), episode__closed_at__isnull=True
    ).order_by("-created_at", "-id")
    return dict(
        Intake.objects.filter(
            patient_id__in=ids,
            episode__closed_at__isnull=True,
            pk=Subquery(latest.values("pk")[:1]),
        ).values_list("patient_id", "triage_level")
    )


def blocking_triage(*, patient_ids: Iterable[int]) -> dict[int, str]:
    """The patients among `patient_ids` whose current intake says emergency or urgent (a
    red-flag re-check's "yes" saves such an intake), with that level: one query for any number
    of patients, so a list of sessions can mark each row ("Do not treat").

    The therapist pages that list a patient's sessions read this, not the intake itself; the
    brief stays the place for the clinical detail."""
    levels = current_levels(patient_ids=patient_ids)
    return {patient: level for patient, level in levels.items() if level in BLOCKING_LEVELS}


def mark_do_not_treat(appointments: Iterable[Any]) -> None:
    """Set on each appointment `do_not_treat`, the blocking level of its patient's current
    intake (or ""), and `has_intake`, whether there is an intake to make a brief from (a row
    links the brief only then): one query."""
    rows = list(appointments)
    levels = current_levels(patient_ids=(a.patient_id for a in rows))
    for appointment in rows:
        level = levels.get(appointment.patient_id)
        appointment.has_intake = level is not None
        appointment.do_not_treat = level if level in BLOCKING_LEVELS else ""


def episodes_of(*, patient: User) -> QuerySet[Episode]:
    return Episode.objects.filter(patient=patient).prefetch_related("intakes")


def own_intake(*, patient: User, intake_id: int) -> Intake:
    intake = Intake.objects.filter(pk=intake_id, patient=patient).first()
    if intake is None:
        raise NotFound("intake")
    return intake


def shares_of(*, patient: User) -> QuerySet[IntakeShare]:
    return IntakeShare.objects.filter(patient=patient).select_related("therapist")


def shared_clients(*, therapist: User) -> QuerySet[IntakeShare]:
    """Patients who currently let this therapist read their intake."""
    return IntakeShare.objects.filter(therapist=therapist, revoked_at__isnull=True).select_related(
        "patient"
    )


def treated_clients(*, therapist: User) -> QuerySet[User]:
    """The patients this therapist treats (scheduling's rule), by name, each with the first
    and last of their sessions with this therapist (``first_session``, ``last_session``): two
    clients of the same name are told apart by when they come."""
    return care().patients_treated_by(therapist).order_by("first_name", "last_name", "pk")


def has_intake_share(*, therapist: User, patient: User) -> bool:
    """The patient's active consent for this therapist to read their intake. The narrow grant:
    it opens the intake and the brief made from it, never session notes, the diary, reports or
    an export (those follow ``scheduling.selectors.care.treats``)."""
    return IntakeShare.objects.filter(
        patient=patient, therapist=therapist, revoked_at__isnull=True
    ).exists()


def may_read_intake(*, viewer: User, patient: User) -> bool:
    """The patient; a therapist who treats them (scheduling's rule); or a therapist they have
    shared their intake with (and not revoked). For the intake and the brief only."""
    if viewer.pk == patient.pk:
        return True
    if not viewer.has_role(Role.THERAPIST):
        return False
    return care().treats(therapist=viewer, patient=patient) or has_intake_share(
        therapist=viewer, patient=patient
    )


def latest_scores(*, patient: User) -> list[QuestionnaireResponse]:
    """The most recent response per instrument, in instrument order."""
    latest: dict[str, QuestionnaireResponse] = {}
    for response in QuestionnaireResponse.objects.filter(patient=patient).only(
        "instrument", "score", "band", "subscores", "completed_at", "instrument_version"
    ):
        latest.setdefault(response.instrument, response)
    return [latest[code] for code in INSTRUMENTS if code in latest]


def viewer_clinic_ids(*, user: User) -> set[int]:
    """The clinics whose licensed questionnaire text this person may see: those they work for
    as a therapist or clinic admin, and as a patient the clinic of their next (else last)
    appointment (docs/architecture.md, "Licensed questionnaires")."""
    ids = staff_clinic_ids(user=user)
    if user.has_role(Role.PATIENT):
        own = care().patient_clinic_id(patient=user)
        if own is not None:
            ids.add(own)
    return ids


def _imported_for(user: User) -> QuerySet[QuestionnaireDefinition]:
    return QuestionnaireDefinition.objects.filter(clinic_id__in=viewer_clinic_ids(user=user))


def questionnaire(code: str, *, viewer: User) -> tuple[dict[str, Any], str] | None:
    """The Questionnaire resource to show this viewer for an instrument, and its version; None
    when its text is licensed and none of the viewer's clinics has imported it."""
    instrument = INSTRUMENTS.get(code)
    if instrument is None:
        return None
    if instrument.ships_text:
        resource = load_questionnaire(code)
        return resource, str(resource.get("version", "1.0"))
    imported = _imported_for(viewer).filter(code=code).order_by("-imported_at", "-id").first()
    if imported is None:
        return None
    return imported.resource, imported.version


def available_questionnaires(*, viewer: User) -> list[Instrument]:
    imported = set(_imported_for(viewer).values_list("code", flat=True))
    return [i for i in INSTRUMENTS.values() if i.ships_text or i.code in imported]


@dataclass(frozen=True)
class Brief:
    """What a therapist reads before a session."""

    patient: User
    intake: Intake
    patterns: list[brief_rules.Pattern]
    focus: list[brief_rules.Focus]
    saddle_marked: bool
    scores: list[QuestionnaireResponse]
    red_flags_checked_at: datetime


class NoIntakeYet(NotFound):
    """The viewer may read the patient's intake, but there is none yet (nothing to audit)."""

    def __init__(self, patient: User) -> None:
        super().__init__("intake")
        self.patient = patient


def brief_for(*, viewer: User, patient_id: int) -> Brief:
    """The therapist brief for a patient, if the viewer may read it; audited. NoIntakeYet when
    they may but the patient has no current intake (its page says so rather than "not
    found"); NotFound for anyone else, whether or not there is one."""
    patient = User.objects.filter(pk=patient_id, is_active=True).first()
    if (
        patient is None
        or viewer.pk == patient.pk
        or not may_read_intake(viewer=viewer, patient=patient)
    ):
        raise NotFound("client")
    intake = current_intake(patient=patient)
    if intake is None:
        raise NoIntakeYet(patient)
    record_event(actor=viewer, action="intake.brief.view", patient=patient, obj=intake)
    return Brief(
        patient=patient,
        intake=intake,
        patterns=brief_rules.patterns(intake.regions, worse_with=intake.worse_with),
        focus=brief_rules.focus(intake.regions, intake.triage_precautions),
        saddle_marked=brief_rules.saddle_marked(intake.regions),
        scores=latest_scores(patient=patient),
        red_flags_checked_at=last_red_flag_check(intake=intake),
    )


def clinics_for_import(*, admin: User) -> QuerySet[Any]:
    """The clinics an admin may import licensed text for (every clinic for a site admin)."""
    return clinics_administered(user=admin).only("id", "name")


def imported_questionnaires(*, admin: User) -> QuerySet[QuestionnaireDefinition]:
    """The imports of the clinics this admin runs (every clinic's for a site admin)."""
    return QuestionnaireDefinition.objects.filter(
        clinic__in=clinics_administered(user=admin)
    ).select_related("imported_by", "clinic")


def search_fit(*, user: User | AnonymousUser) -> PatientFit:
    """What the searcher's own current intake says about which therapist suits them
    (directory ranking): pregnancy, and precautions asking for gentle or no deep pressure."""
    if not user.is_authenticated or not user.has_role(Role.PATIENT):
        return PatientFit()
    intake = current_intake(patient=user)
    if intake is None:
        return PatientFit()
    return PatientFit(
        pregnant=bool(intake.answers.get("pregnant")),
        gentle_pressure=bool(
            {"gentle_pressure", "no_deep_pressure"} & set(intake.triage_precautions)
        ),
    )
