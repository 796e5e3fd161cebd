"""Every write of the intake app: intakes, doctor's clearance, consent, questionnaires."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from sciaticare.accounts.models import Role, User
from sciaticare.accounts.selectors import today_for
from sciaticare.audit.services import record_event
from sciaticare.core.commit_hooks import after_commit
from sciaticare.core.errors import Conflict, Invalid, NotFound, Refused
from sciaticare.directory.selectors.access import clinics_administered
from sciaticare.intake import recheck
from sciaticare.intake.models import (
    PAIN_SCORES,
    Episode,
    Intake,
    IntakeShare,
    QuestionnaireDefinition,
    QuestionnaireResponse,
    RedFlagRecheck,
)
from sciaticare.intake.scoring.instruments import INSTRUMENTS
from sciaticare.intake.scoring.questionnaire import check_fits, validate_questionnaire
from sciaticare.intake.scoring.response import response_to_fhir
from sciaticare.intake.scoring.rules import score
from sciaticare.intake.symptom_check import CheckState, is_complete
from sciaticare.intake.triage.assessment import Triage, advice, assess
from sciaticare.intake.triage.levels import Level
from sciaticare.intake.triage.questions import REQUIRED_CODES


@dataclass(frozen=True, kw_only=True)
class SafetyAnswers:
    """The safety part of an intake: age, onset and every red-flag question answered. Alone, it
    makes a safety intake (a new patient who booked first: docs/architecture.md)."""

    age: int
    onset_date: date
    answers: Mapping[str, bool]


@dataclass(frozen=True, kw_only=True)
class IntakeDetails:
    """The rest of an intake: where, how it feels, how bad, what changes it, and notes."""

    regions: list[str] = field(default_factory=list)
    qualities: list[str] = field(default_factory=list)
    back_pain: tuple[int, int, int] = (0, 0, 0)  # now, average, worst
    leg_pain: tuple[int, int, int] = (0, 0, 0)
    worse_with: list[str] = field(default_factory=list)
    better_with: list[str] = field(default_factory=list)
    goals: str = ""
    medications: str = ""
    notes: str = ""


@dataclass(frozen=True, kw_only=True)
class IntakeData(IntakeDetails, SafetyAnswers):
    """What a patient enters on the intake form (or through an import), as plain values."""


def onset_weeks(onset_date: date, today: date) -> float:
    return max((today - onset_date).days, 0) / 7


def onset_date_from_weeks(weeks: float, today: date) -> date:
    """The day an episode began, from "how many weeks ago" (the symptom check's question), on
    the patient's own `today`; the nearest whole day."""
    return today - timedelta(days=round(weeks * 7))


def safety_answers_from_check(check: CheckState, *, today: date) -> SafetyAnswers:
    """A finished symptom check's answers as the safety part of an intake (onset on the
    patient's own `today`). Invalid when the check has not asked everything (one ended early
    by an emergency answer)."""
    if not is_complete(check):
        raise Invalid(
            "check_incomplete",
            gettext("Your symptom check is not finished. Please take it again."),
        )
    # is_complete says so; the asserts tell the type checker.
    assert check.age is not None
    assert check.onset_weeks is not None
    return SafetyAnswers(
        age=check.age,
        onset_date=onset_date_from_weeks(check.onset_weeks, today),
        answers={code: check.answers[code] for code in REQUIRED_CODES},
    )


def _in_english(result: Triage) -> str:
    with translation.override("en"):
        return advice(result.level, result.reasons, has_precautions=bool(result.precautions))


# Called after the transaction commits with the id of a new intake whose triage says emergency
# or urgent; set by scheduling.notifications (the therapists with a session are told), so that
# the intake app does not import scheduling's mail code.
on_blocking_result: list[Callable[[int], None]] = []


def submit_intake(*, patient: User, data: SafetyAnswers, new_episode: bool = False) -> Intake:
    """Save a new intake revision and its triage. Earlier revisions stay as they were.

    `data` without the details (plain `SafetyAnswers`) saves a safety intake, whose details
    `add_intake_details` adds later. `new_episode` closes the open episode (if any) and starts
    another from `data.onset_date`.
    """
    today = today_for(patient)  # the patient's own day
    if data.onset_date > today:
        raise Invalid("onset_in_future", gettext("The pain cannot have begun in the future."))
    result = assess(data.age, onset_weeks(data.onset_date, today), dict(data.answers))
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
        intake = Intake(
            episode=episode,
            patient=patient,
            age=data.age,
            onset_date=data.onset_date,
            answers=dict(data.answers),
            triage_level=result.level.code,
            triage_reasons=list(result.reasons),
            triage_precautions=list(result.precautions),
            # The record keeps the advice in English, whatever language it was read in;
            # pages say it again in their reader's language (Intake.advice).
            triage_advice=_in_english(result),
        )
        if isinstance(data, IntakeDetails):
            _set_details(intake, data)
        else:
            intake.safety_only = True
        intake.save(force_insert=True)
        record_event(actor=patient, action="intake.create", patient=patient, obj=intake)
        if result.level >= Level.URGENT:
            after_commit(on_blocking_result, intake.pk)
    return intake


_DETAIL_FIELDS = [
    "regions",
    "qualities",
    *PAIN_SCORES,
    "worse_with",
    "better_with",
    "goals",
    "medications",
    "notes",
]


def _set_details(intake: Intake, details: IntakeDetails) -> None:
    intake.regions = list(details.regions)
    intake.qualities = list(details.qualities)
    (intake.back_pain_now, intake.back_pain_average, intake.back_pain_worst) = details.back_pain
    (intake.leg_pain_now, intake.leg_pain_average, intake.leg_pain_worst) = details.leg_pain
    intake.worse_with = list(details.worse_with)
    intake.better_with = list(details.better_with)
    intake.goals = details.goals
    intake.medications = details.medications
    intake.notes = details.notes


def add_intake_details(*, patient: User, details: IntakeDetails) -> Intake:
    """Add the rest of the intake to the patient's current safety intake, once, to the same
    row: those parts were never answered, so nothing answered changes, and its triage and the
    time its red flags were answered stay true (a new revision would look like red flags
    answered again). Conflict when the current intake is already complete."""
    with transaction.atomic():
        intake = (
            Intake.objects.select_for_update()
            .filter(patient=patient, episode__closed_at__isnull=True)
            .first()
        )
        if intake is None or not intake.safety_only:
            raise Conflict("intake_complete", gettext("Your intake has nothing left to fill in."))
        _set_details(intake, details)
        intake.safety_only = False
        intake.details_added_at = timezone.now()
        intake.save(update_fields=[*_DETAIL_FIELDS, "safety_only", "details_added_at"])
        record_event(actor=patient, action="intake.details", patient=patient, obj=intake)
    return intake


def confirm_doctor_clearance(*, patient: User, intake_id: int) -> Intake:
    """Record the patient's statement that a doctor has cleared massage (for a `soon` intake)."""
    with transaction.atomic():
        intake = Intake.objects.select_for_update().filter(pk=intake_id, patient=patient).first()
        if intake is None:
            raise NotFound("intake")
        if intake.triage_level != Level.SOON.code:
            raise Conflict(
                "clearance_not_applicable",
                gettext("Only a 'see a doctor soon' result needs a doctor's clearance."),
            )
        if intake.doctor_cleared_at is None:
            intake.doctor_cleared_at = timezone.now()
            intake.save(update_fields=["doctor_cleared_at"])
            record_event(actor=patient, action="intake.doctor_cleared", patient=patient, obj=intake)
    return intake


INTAKE_OUT_OF_DATE = "intake_out_of_date"


def out_of_date() -> Refused:
    """The refusal for an intake past the re-check's four weeks (intake/recheck.py)."""
    return Refused(
        INTAKE_OUT_OF_DATE,
        gettext(
            "Your intake is more than four weeks old. Before you book, please go through it "
            "again: it is filled in from last time, so change only what is different."
        ),
    )


def recheck_red_flags(*, patient: User, yes: Collection[str]) -> RedFlagRecheck:
    """Record the patient's answers to the red-flag questions asked again before a booking.

    `yes` holds the codes that apply now (empty: "None of these"). Any "yes" saves a new intake
    revision with those answers, so its triage (and not the old intake's) gates booking at once
    and the therapist sees it; the patient is then asked to update the rest of the intake.
    "None of these" vouches only for an intake of the last four weeks (`recheck.VALID_FOR`):
    on an older one it is refused (`intake_out_of_date`), while a "yes" is always kept.
    """
    unknown = sorted(set(yes) - recheck.CODES)
    if unknown:
        raise Invalid(
            "unknown_question",
            gettext("Unknown red-flag question: %(codes)s") % {"codes": ", ".join(unknown)},
            [("yes", gettext("unknown code %(code)s") % {"code": code}) for code in unknown],
        )
    with transaction.atomic():
        intake = (
            Intake.objects.select_for_update()
            .filter(patient=patient, episode__closed_at__isnull=True)
            .first()
        )
        if intake is None:
            raise Refused(
                "intake_required",
                gettext("Fill in your intake first: it checks whether massage is safe for you."),
            )
        answers = {q.code: q.code in yes for q in recheck.QUESTIONS_ASKED}
        result = None
        if any(answers.values()):
            result = submit_intake(
                patient=patient, data=_revision_of(intake, {**intake.answers, **answers})
            )
        elif not recheck.is_valid(intake.created_at, timezone.now()):
            raise out_of_date()
        check = RedFlagRecheck.objects.create(
            patient=patient, intake=intake, answers=answers, result=result
        )
        record_event(actor=patient, action="intake.recheck", patient=patient, obj=check)
    return check


def _revision_of(intake: Intake, answers: Mapping[str, bool]) -> SafetyAnswers:
    """The intake as it stands, with new answers: what a re-check's "yes" saves (a safety
    intake stays one: its other parts are still to be answered)."""
    if intake.safety_only:
        return SafetyAnswers(age=intake.age, onset_date=intake.onset_date, answers=answers)
    return IntakeData(
        age=intake.age,
        onset_date=intake.onset_date,
        answers=answers,
        regions=list(intake.regions),
        qualities=list(intake.qualities),
        back_pain=_scores(intake.back_pain_now, intake.back_pain_average, intake.back_pain_worst),
        leg_pain=_scores(intake.leg_pain_now, intake.leg_pain_average, intake.leg_pain_worst),
        worse_with=list(intake.worse_with),
        better_with=list(intake.better_with),
        goals=intake.goals,
        medications=intake.medications,
        notes=intake.notes,
    )


def _scores(now: int | None, average: int | None, worst: int | None) -> tuple[int, int, int]:
    # A complete intake has every score (the database's constraint).
    assert now is not None
    assert average is not None
    assert worst is not None
    return now, average, worst


def share_intake(*, patient: User, therapist_email: str) -> IntakeShare:
    """Consent for the therapist with this address to read the patient's intake and brief
    (recorded and audited). The same answer whether or not a therapist has the address, so
    nobody can probe who is a therapist: a share to an address no therapist has is kept and
    listed like any other and opens nothing."""
    email = therapist_email.strip().lower()
    therapist = (
        User.objects.filter(email__iexact=email, is_therapist=True, is_active=True)
        .exclude(pk=patient.pk)
        .first()
    )
    already = Conflict(
        "already_shared", gettext("Your intake is already shared with that email address.")
    )
    same = Q(email=email) | Q(therapist=therapist) if therapist is not None else Q(email=email)
    if IntakeShare.objects.filter(same, patient=patient, revoked_at__isnull=True).exists():
        raise already
    try:
        with transaction.atomic():
            share = IntakeShare.objects.create(patient=patient, therapist=therapist, email=email)
            record_event(actor=patient, action="consent.grant", patient=patient, obj=share)
    except IntegrityError:  # the same share made at the same moment
        raise already from None
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
    result = score(code, answers)
    resource = response_to_fhir(code, answers, result, questionnaire_version=version)
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
        raise Invalid(
            "clinic_required", gettext("Choose the clinic whose licence covers this text.")
        )
    if not clinics_administered(user=admin).filter(pk=clinic_id).exists():
        raise Invalid("clinic_not_yours", gettext("You can import text only for a clinic you run."))
    problems = validate_questionnaire(resource)
    if problems:
        raise Invalid(
            "invalid_questionnaire",
            gettext("Not a valid FHIR R4 Questionnaire: %(problems)s")
            % {"problems": "; ".join(problems)},
        )
    assert isinstance(resource, dict)
    code = str(resource.get("id", ""))
    instrument = INSTRUMENTS.get(code)
    if instrument is None:
        raise Invalid(
            "unknown_instrument",
            gettext("The Questionnaire id must be one of: %(codes)s.")
            % {"codes": ", ".join(INSTRUMENTS)},
        )
    if instrument.ships_text:
        raise Invalid(
            "shipped_instrument",
            gettext("%(title)s ships with Sciaticare; it needs no import.")
            % {"title": gettext(instrument.title)},
        )
    problems = check_fits(instrument, resource)
    if problems:
        raise Invalid(
            "does_not_fit",
            gettext("The items do not fit the scoring rule: %(problems)s")
            % {"problems": "; ".join(problems)},
        )
    version = str(resource.get("version") or "")
    if not version:
        raise Invalid("no_version", gettext("The Questionnaire needs a version."))
    if not licence_statement.strip():
        raise Invalid(
            "no_licence", gettext("State the licence under which your clinic uses this text.")
        )
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
            "version_exists",
            gettext("%(code)s version %(version)s is already imported for this clinic.")
            % {"code": code, "version": version},
        ) from None


def erase_patient_data(*, patient: User, now: datetime) -> None:
    """Intake's part of erasing a deleted account (registered with privacy): intakes are kept
    clinical records, but every consent to read them ends now. Caller: inside its
    transaction."""
    IntakeShare.objects.filter(patient=patient, revoked_at__isnull=True).update(revoked_at=now)
