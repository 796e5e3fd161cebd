"""Every write of the intake app: intakes, doctor's clearance, consent, questionnaires."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from sciaticare.accounts.models import Role, User
from sciaticare.audit.services import record_event
from sciaticare.directory.selectors import clinics_administered
from sciaticare.errors import Conflict, Invalid, NotFound
from sciaticare.intake import scoring, triage
from sciaticare.intake.models import (
    Episode,
    Intake,
    IntakeShare,
    QuestionnaireDefinition,
    QuestionnaireResponse,
)


@dataclass(frozen=True)
class IntakeData:
    """What a patient enters on the intake form (or through an import), as plain values."""

    age: int
    onset_date: date
    answers: Mapping[str, bool]
    regions: list[str] = field(default_factory=list)
    qualities: list[str] = field(default_factory=list)
    back_pain: tuple[int, int, int] = (0, 0, 0)  # now, average, worst
    leg_pain: tuple[int, int, int] = (0, 0, 0)
    worse_with: list[str] = field(default_factory=list)
    better_with: list[str] = field(default_factory=list)
    goals: str = ""
    medications: str = ""
    notes: str = ""


def onset_weeks(onset_date: date, today: date) -> float:
    return max((today - onset_date).days, 0) / 7


def submit_intake(*, patient: User, data: IntakeData, new_episode: bool = False) -> Intake:
    """Save a new intake revision and its triage. Earlier revisions stay as they were.

    `new_episode` closes the open episode (if any) and starts another from `data.onset_date`.
    """
    today = timezone.localdate()
    if data.onset_date > today:
        raise Invalid("onset_in_future", "The pain cannot have begun in the future.")
    result = triage.assess(data.age, onset_weeks(data.onset_date, today), dict(data.answers))
    with transaction.atomic():
        episode = (
            Episode.objects.select_for_update()
            .filter(patient=patient, closed_at__isnull=True)
            .first()
        )
        if episode is not None and new_episode:
            episode.closed_at = timezone.now()
            episode.save(update_fields=["closed_at"])
            episode = None
        if episode is None:
            episode = Episode.objects.create(patient=patient, started_on=data.onset_date)
        intake = Intake.objects.create(
            episode=episode,
            patient=patient,
            age=data.age,
            onset_date=data.onset_date,
            regions=list(data.regions),
            qualities=list(data.qualities),
            back_pain_now=data.back_pain[0],
            back_pain_average=data.back_pain[1],
            back_pain_worst=data.back_pain[2],
            leg_pain_now=data.leg_pain[0],
            leg_pain_average=data.leg_pain[1],
            leg_pain_worst=data.leg_pain[2],
            worse_with=list(data.worse_with),
            better_with=list(data.better_with),
            goals=data.goals,
            medications=data.medications,
            notes=data.notes,
            answers=dict(data.answers),
            triage_level=result.level.code,
            triage_reasons=list(result.reasons),
            triage_precautions=list(result.precautions),
            triage_advice=result.advice,
        )
        record_event(actor=patient, action="intake.create", patient=patient, obj=intake)
    return intake


def confirm_doctor_clearance(*, patient: User, intake_id: int) -> Intake:
    """Record the patient's statement that a doctor has cleared massage (for a `soon` intake)."""
    with transaction.atomic():
        intake = Intake.objects.select_for_update().filter(pk=intake_id, patient=patient).first()
        if intake is None:
            raise NotFound("intake")
        if intake.triage_level != triage.Level.SOON.code:
            raise Conflict(
                "clearance_not_applicable",
                "Only a 'see a doctor soon' result needs a doctor's clearance.",
            )
        if intake.doctor_cleared_at is None:
            intake.doctor_cleared_at = timezone.now()
            intake.save(update_fields=["doctor_cleared_at"])
            record_event(actor=patient, action="intake.doctor_cleared", patient=patient, obj=intake)
    return intake


def share_intake(*, patient: User, therapist_email: str) -> IntakeShare:
    """Give a therapist consent to read this patient's intake (recorded and audited)."""
    therapist = User.objects.filter(
        email__iexact=therapist_email.strip(), is_therapist=True, is_active=True
    ).first()
    if therapist is None or therapist == patient:
        raise NotFound("therapist with that email")
    try:
        with transaction.atomic():
            share = IntakeShare.objects.create(patient=patient, therapist=therapist)
            record_event(actor=patient, action="consent.grant", patient=patient, obj=share)
    except IntegrityError:
        raise Conflict(
            "already_shared", "Your intake is already shared with this therapist."
        ) from None
    return share


def revoke_share(*, patient: User, share_id: int) -> IntakeShare:
    """Withdraw consent at once; the row stays as the record of when consent held."""
    with transaction.atomic():
        share = (
            IntakeShare.objects.select_for_update()
            .filter(pk=share_id, patient=patient, revoked_at__isnull=True)
            .first()
        )
        if share is None:
            raise NotFound("consent")
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
        record_event(actor=patient, action="consent.revoke", patient=patient, obj=share)
    return share


def record_questionnaire(
    *, patient: User, code: str, answers: Mapping[str, Any], version: str
) -> QuestionnaireResponse:
    """Score and keep a completed questionnaire; refuses partial or invalid answers."""
    result = scoring.score(code, answers)
    resource = scoring.response_to_fhir(code, answers, result, questionnaire_version=version)
    with transaction.atomic():
        episode = Episode.objects.filter(patient=patient, closed_at__isnull=True).first()
        response = QuestionnaireResponse.objects.create(
            patient=patient,
            episode=episode,
            instrument=code,
            instrument_version=version,
            resource=resource,
            score=result.value,
            band=result.band or "",
            subscores=dict(result.subscores),
        )
        record_event(actor=patient, action="questionnaire.create", patient=patient, obj=response)
    return response


def import_questionnaire(
    *, admin: User, resource: object, licence_statement: str, clinic_id: int | None = None
) -> QuestionnaireDefinition:
    """Store the licensed item text of a built-in instrument for one clinic, after checking it
    fits the scoring. The text is that clinic's: its therapists, admins and patients see it,
    other clinics do not. ``clinic_id`` may be left out by an admin who runs one clinic."""
    if not (admin.has_role(Role.CLINIC_ADMIN) or admin.has_role(Role.SITE_ADMIN)):
        raise NotFound("page")
    runs = list(clinics_administered(user=admin).values_list("id", flat=True)[:2])
    if clinic_id is None and len(runs) == 1:
        clinic_id = runs[0]
    if clinic_id is None:
        raise Invalid("clinic_required", "Choose the clinic whose licence covers this text.")
    if not clinics_administered(user=admin).filter(pk=clinic_id).exists():
        raise Invalid("clinic_not_yours", "You can import text only for a clinic you run.")
    problems = scoring.validate_questionnaire(resource)
    if problems:
        raise Invalid(
            "invalid_questionnaire", "Not a valid FHIR R4 Questionnaire: " + "; ".join(problems)
        )
    assert isinstance(resource, dict)
    code = str(resource.get("id", ""))
    instrument = scoring.INSTRUMENTS.get(code)
    if instrument is None:
        raise Invalid(
            "unknown_instrument",
            f"The Questionnaire id must be one of: {', '.join(scoring.INSTRUMENTS)}.",
        )
    if instrument.ships_text:
        raise Invalid(
            "shipped_instrument", f"{instrument.title} ships with Sciaticare; it needs no import."
        )
    problems = scoring.check_fits(instrument, resource)
    if problems:
        raise Invalid(
            "does_not_fit", "The items do not fit the scoring rule: " + "; ".join(problems)
        )
    version = str(resource.get("version") or "")
    if not version:
        raise Invalid("no_version", "The Questionnaire needs a version.")
    if not licence_statement.strip():
        raise Invalid("no_licence", "State the licence under which your clinic uses this text.")
    try:
        with transaction.atomic():
            return QuestionnaireDefinition.objects.create(
                clinic_id=clinic_id,
                code=code,
                version=version,
                resource=resource,
                licence_statement=licence_statement.strip(),
                imported_by=admin,
            )
    except IntegrityError:
        raise Conflict(
            "version_exists", f"{code} version {version} is already imported for this clinic."
        ) from None
