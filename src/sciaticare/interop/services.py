"""FHIR export and import of a patient's record (issue 7 point 6): the patient's own, and the
per-patient export of their treating therapists and clinics (:func:`export_access`).

Import decisions: a patient moving clinics brings their history. Episodes (from Conditions),
pain diary days and questionnaire responses become ours, as if logged here; no intake is made
(its triage answers cannot be invented, and an invented "no red flags" would unblock booking).
Another system's sessions (appointments, encounters, procedures, the before/after pain
measurements, and the practitioners, organisations and places they name) are kept verbatim
as read-only history (:class:`~sciaticare.interop.models.ExternalResource`) and exported again
as they came. Re-importing the same Bundle adds nothing: rows already present (same episode
start, same diary day, same questionnaire and time, same resource id) are skipped, the
patient's own diary days are never overwritten, and a patient's own export from this instance
(its fullUrls under our SITE_URL) brings no "history": its sessions are rows held here.
Imported data follows the rules typed data does (docs/architecture.md, "FHIR bases and import
rules").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from sciaticare.accounts.models import Role, User
from sciaticare.accounts.selectors import day_of, today_for
from sciaticare.audit.services import record_event
from sciaticare.billing.export_selectors import invoices_to_export
from sciaticare.core.bounds import check_json_depth, day_out_of_range
from sciaticare.core.errors import Invalid, NotFound
from sciaticare.directory.models import Clinic
from sciaticare.exercises.adherence import week_of
from sciaticare.exercises.selectors.progress import programmes_of
from sciaticare.intake import bodymap
from sciaticare.intake import selectors as intake_selectors
from sciaticare.intake import services_import as intake_history
from sciaticare.intake.models import QuestionnaireResponse
from sciaticare.intake.scoring.instruments import INSTRUMENTS
from sciaticare.intake.scoring.response import answers_from_fhir, response_to_fhir
from sciaticare.intake.scoring.rules import Score, score
from sciaticare.interop.fhir.checks import structure_problems, validate_codes
from sciaticare.interop.fhir.codes import (
    APPOINTMENT_STATUS,
    INVOICE_STATUS,
    WEEKDAYS,
    condition_side,
)
from sciaticare.interop.fhir.export import build_bundle
from sciaticare.interop.fhir.imported import (
    PATIENT_PLACEHOLDER,
    ImportedHistory,
    ImportedQuestionnaire,
    ImportSummary,
    parse_bundle,
    repoint,
)
from sciaticare.interop.fhir.record import (
    ActivityData,
    AdherenceWeekData,
    AppointmentData,
    CarePlanData,
    ConditionData,
    InvoiceData,
    InvoiceLineData,
    LocationData,
    NoteData,
    OrganizationData,
    PainData,
    PatientData,
    PatientRecord,
    PractitionerData,
    QuestionnaireData,
)
from sciaticare.interop.models import ExternalResource
from sciaticare.outcomes import selectors as outcomes_selectors
from sciaticare.outcomes import services as outcomes_services
from sciaticare.records import selectors as records_selectors
from sciaticare.scheduling.selectors.appointments import appointments_of
from sciaticare.scheduling.selectors.care import care_appointments, treats


def patient_id(patient: User) -> str:
    return f"patient-{patient.pk}"


def fhir_base() -> str:
    """This instance's FHIR base: fullUrls say where each resource came from."""
    return f"{settings.SITE_URL}/fhir"


def _record(patient: User, clinic_ids: frozenset[int] | None = None) -> PatientRecord:
    """The patient's record as plain data; with ``clinic_ids``, only the sessions held at those
    clinics (a clinic admin's export)."""
    pid = patient_id(patient)
    external = list(ExternalResource.objects.filter(patient=patient))
    imported_sides = {
        e.resource_id: condition_side(e.resource)
        for e in external
        if e.resource_type == "Condition"
    }
    conditions = []
    for episode in intake_selectors.episodes_of(patient=patient).order_by("started_on"):
        intakes = sorted(episode.intakes.all(), key=lambda i: (i.created_at, i.pk))
        key = f"condition-{episode.started_on.isoformat()}"
        side = bodymap.leg_side(intakes[-1].regions) if intakes else imported_sides.get(key)
        conditions.append(
            ConditionData(
                started_on=episode.started_on, active=episode.closed_at is None, side=side
            )
        )
    appointments = list(
        appointments_of(user=patient)
        .filter(patient=patient)
        .select_related("location__clinic")
        .order_by("start", "pk")
    )
    notes = list(records_selectors.summaries_for(patient=patient))
    if clinic_ids is not None:
        appointments = [a for a in appointments if a.location.clinic_id in clinic_ids]
        notes = [n for n in notes if n.appointment.location.clinic_id in clinic_ids]
    therapists = {a.therapist.pk: a.therapist for a in appointments}
    locations = {a.location.pk: a.location for a in appointments}
    clinics = {loc.clinic.pk: loc.clinic for loc in locations.values()}
    invoices = invoices_to_export(patient=patient, clinic_ids=clinic_ids)
    if any(i.clinic_id not in clinics for i in invoices):  # an invoice names its clinic
        clinics |= {c.pk: c for c in Clinic.objects.filter(pk__in={i.clinic_id for i in invoices})}
    return PatientRecord(
        patient=PatientData(
            id=pid, given=patient.first_name, family=patient.last_name, email=patient.email
        ),
        organizations=[
            OrganizationData(id=f"organization-{c.pk}", name=c.name) for c in clinics.values()
        ],
        locations=[
            LocationData(
                id=f"location-{loc.pk}",
                name=loc.name,
                address=loc.address,
                organization_id=f"organization-{loc.clinic_id}",
                latitude=loc.latitude,
                longitude=loc.longitude,
            )
            for loc in locations.values()
        ],
        practitioners=[
            PractitionerData(
                id=f"practitioner-{t.pk}", given=t.user.first_name, family=t.user.last_name
            )
            for t in therapists.values()
        ],
        conditions=conditions,
        appointments=[
            AppointmentData(
                id=f"appointment-{a.pk}",
                status=a.status,
                start=a.start,
                end=a.end,
                practitioner_id=f"practitioner-{a.therapist_id}",
                location_id=f"location-{a.location_id}",
            )
            for a in appointments
            if a.status in APPOINTMENT_STATUS
        ],
        notes=[
            NoteData(
                appointment_id=f"appointment-{n.appointment_id}",
                practitioner_id=f"practitioner-{n.therapist_id}",
                location_id=f"location-{n.appointment.location_id}",
                start=n.appointment.start,
                end=n.appointment.end,
                signed_at=n.signed_at,
                regions=list(n.regions),
                techniques=list(n.techniques),
                back_pain_before=n.back_pain_before,
                back_pain_after=n.back_pain_after,
                leg_pain_before=n.leg_pain_before,
                leg_pain_after=n.leg_pain_after,
            )
            for n in notes
            if n.signed_at is not None
        ],
        pain=[
            PainData(
                day=e.day,
                back_pain=e.back_pain,
                leg_pain=e.leg_pain,
                note=e.note,
                tags=list(e.tags),
            )
            for e in outcomes_selectors.entries_of(patient=patient).order_by("day")
        ],
        invoices=[
            InvoiceData(
                id=f"invoice-{i.pk}",
                number=i.number,
                status=INVOICE_STATUS[i.state].value,
                purpose=i.purpose,
                issued_at=i.issued_at,
                currency=i.currency,
                organization_id=f"organization-{i.clinic_id}",
                practitioner_id=f"practitioner-{i.therapist_id}"
                if i.therapist_id in therapists
                else None,
                tax_percent=i.tax_percent,
                subtotal=i.subtotal,
                tax=i.tax,
                total=i.total,
                lines=[
                    InvoiceLineData(line.description, line.code, line.quantity, line.amount)
                    for line in i.lines
                ],
                notes=i.notes,
                payment_terms=f"{i.balance} {i.currency} to pay" if i.balance else "",
            )
            for i in invoices
        ],
        questionnaires=[
            QuestionnaireData(
                instrument=q.instrument,
                resource=q.resource,
                score=q.score,
                band=q.band,
                completed_at=q.completed_at,
            )
            for q in QuestionnaireResponse.objects.filter(patient=patient).order_by(
                "completed_at", "pk"
            )
            if q.instrument in INSTRUMENTS
        ],
        # The patient's own health data, as the diary: every programme, whoever exports.
        care_plans=_care_plans(patient),
        external=[repoint(e.resource, PATIENT_PLACEHOLDER, f"Patient/{pid}") for e in external],
    )


def _care_plans(patient: User) -> list[CarePlanData]:
    """The patient's home exercise programmes, each with its current exercises and the whole
    weeks gone by (the week under way is left for the next export: its figure is not final)."""
    progress = programmes_of(patient=patient)
    this_week = week_of(progress.today)
    found = []
    for plan in progress.plans:
        ended = day_of(patient, plan.ended_at) if plan.ended_at else None
        found.append(
            CarePlanData(
                id=f"careplan-{plan.plan_id}",
                active=plan.active,
                start=plan.first_start,
                end=ended or plan.review_date,
                origin=plan.origin,
                prescriber=plan.prescriber,
                activities=[
                    ActivityData(
                        name=item.name,
                        code=item.slug if item.built_in else "",
                        weekdays=[day for n, day in enumerate(WEEKDAYS) if item.days >> n & 1],
                        times_per_day=item.times_per_day,
                        sets=item.sets,
                        repetitions=item.repetitions,
                        minutes=item.minutes,
                        paused=item.exercise_id in plan.paused,
                    )
                    for item in plan.current
                ],
                weeks=[
                    AdherenceWeekData(w.start, w.planned, w.done)
                    for w in plan.weeks
                    if w.start < this_week or not plan.active
                ],
            )
        )
    return found


@dataclass(frozen=True)
class ExportAccess:
    """Why a viewer may export a patient's record: ``self``; ``care`` (a treating therapist:
    the whole record); ``clinic`` (an admin of clinics the patient attended: the sessions held
    at ``clinic_ids`` and the patient's own health data)."""

    kind: Literal["self", "care", "clinic"]
    clinic_ids: frozenset[int] | None = None


def export_access(*, viewer: User, patient_id: int) -> tuple[User, ExportAccess]:
    """The patient and how the viewer may export their record; NotFound alike for a missing
    patient and for one the viewer does not treat (docs/privacy.md, "Who may export").

    A treating therapist is one ``scheduling.selectors.care.treats`` says treats the patient (an
    intake share alone is not enough: it opens the intake and brief only). A clinic admin runs
    a clinic where the patient has had such an appointment. Site admins are not
    clinicians: like everyone else they get 404. Nothing is audited here; the export is.
    """
    patient = User.objects.filter(pk=patient_id).first()
    if patient is None:
        raise NotFound("patient")
    if viewer.pk == patient.pk:
        return patient, ExportAccess("self")
    if treats(therapist=viewer, patient=patient):
        return patient, ExportAccess("care")
    care = care_appointments(patient=patient)
    if viewer.has_role(Role.CLINIC_ADMIN):
        clinic_ids = frozenset(
            care.filter(location__clinic__admins=viewer).values_list(
                "location__clinic_id", flat=True
            )
        )
        if clinic_ids:
            return patient, ExportAccess("clinic", clinic_ids)
    raise NotFound("patient")


def export_patient(*, patient: User, viewer: User, reason: str = "") -> dict[str, Any]:
    """The patient's record as a FHIR R4 Bundle, audited as ``fhir.export``. The patient
    exports their own; their treating therapists and the admins of clinics they attended export
    it with a stated reason (:func:`export_access`); anyone else gets "not found"."""
    _, access = export_access(viewer=viewer, patient_id=patient.pk)
    reason = reason.strip()
    if access.kind != "self" and not reason:
        raise Invalid(
            "reason_required",
            gettext("State why you are exporting this clinical record."),
            [("reason", "required")],
        )
    # FHIR content is machine data: the same record in whatever language it is asked for (the
    # words of a stored code, an invoice's purpose); only the pages around it are translated.
    with translation.override("en"):
        bundle = build_bundle(_record(patient, access.clinic_ids), base_url=fhir_base())
    record_event(actor=viewer, action="fhir.export", patient=patient, reason=reason[:300])
    return bundle


def _refuse(problems: list[str]) -> Invalid:
    return Invalid(
        "invalid_bundle",
        gettext("The Bundle was not imported: it is not a Sciaticare FHIR R4 record."),
        [("bundle", problem) for problem in problems[:50]],
    )


def _scored(item: ImportedQuestionnaire) -> tuple[dict[str, Any], Score]:
    answers = answers_from_fhir(item.resource)
    result = score(item.instrument, answers)
    resource = response_to_fhir(
        item.instrument, answers, result, questionnaire_version=item.version
    )
    return resource, result


# Questionnaires of an import with their FHIR resource and score.
_Scored = list[tuple[ImportedQuestionnaire, dict[str, Any], Score]]


def _checked_history(data: object, patient: User) -> tuple[ImportedHistory, _Scored]:
    """The history in a Bundle and its questionnaires scored, or Invalid naming every refused
    entry: not valid R4B, codes not ours, or breaking the rules typed data follows ("the
    future" is after the patient's own day)."""
    try:
        check_json_depth(data)  # the checks below recurse: a deep document must not reach them
    except ValueError as exc:
        raise _refuse([f"Bundle: {exc}"]) from None
    problems = structure_problems(data)
    if not problems:
        assert isinstance(data, dict)
        problems = validate_codes(data)
    if problems:
        raise _refuse(problems)
    assert isinstance(data, dict)
    history = parse_bundle(data)
    now = timezone.now()
    today = today_for(patient, now)
    # The rules typed data follows: the intake refuses pain that began in the future, and
    # nothing is answered or logged ahead of time (the diary's own rules are checked by
    # outcomes.services.add_past_entries in import_bundle).
    for condition in history.conditions:
        if out_of_range := day_out_of_range(condition.started_on):
            problems.append(
                f"Condition/condition-{condition.started_on.isoformat()}: {out_of_range}"
            )
        elif condition.started_on > today:
            problems.append(
                f"Condition/condition-{condition.started_on.isoformat()}: "
                + gettext("the pain cannot have begun in the future")
            )
    scored: _Scored = []
    for i, item in enumerate(history.questionnaires):
        where = item.source or f"QuestionnaireResponse {i}"
        if out_of_range := day_out_of_range(item.completed_at.date()):
            problems.append(f"{where}: {out_of_range}")
            continue
        if item.completed_at > now:
            problems.append(
                f"{where}: "
                + gettext("answered in the future (%(when)s)")
                % {"when": item.completed_at.isoformat()}
            )
            continue
        try:
            scored.append((item, *_scored(item)))
        except (ValueError, KeyError) as error:
            problems.append(f"{where}: {error}")
    if problems:
        raise _refuse(problems)
    return history, scored


def import_bundle(*, patient: User, data: object, importer: User) -> ImportSummary:
    """Add the history in a Sciaticare FHIR Bundle to the patient's own record (see the module
    docstring). Refuses, with the reasons, a Bundle that is not valid R4B or whose codes are not
    ours; all or nothing; importing it again adds nothing."""
    if importer.pk != patient.pk:
        raise NotFound("record")
    history, scored = _checked_history(data, patient)
    # A Bundle this instance exported for this same patient: its sessions, places and people
    # are rows held here already, not another system's history (importing them again made a
    # duplicate of each).
    own_record = history.source_base == fhir_base() and history.source_patient_id == patient_id(
        patient
    )

    counts = {"episodes": 0, "pain_entries": 0, "questionnaires": 0, "history": 0, "skipped": 0}
    now = timezone.now()
    with transaction.atomic():
        added, present, warnings = intake_history.add_past_episodes(
            patient=patient,
            episodes=[
                intake_history.PastEpisode(started_on=c.started_on, active=c.active)
                for c in history.conditions
            ],
            now=now,
        )
        counts["episodes"] += added
        counts["skipped"] += present
        try:
            added, present = outcomes_services.add_past_entries(
                patient=patient,
                entries=[
                    outcomes_services.PastEntry(
                        day=day.day,
                        back_pain=day.back_pain,
                        leg_pain=day.leg_pain,
                        note=day.note,
                        tags=list(day.tags),
                        source=day.source,
                    )
                    for day in history.pain
                ],
            )
        except Invalid as refused:
            raise _refuse([f"{where}: {message}" for where, message in refused.errors]) from None
        counts["pain_entries"] += added
        counts["skipped"] += present
        added, present = intake_history.add_past_questionnaires(
            patient=patient,
            responses=[
                intake_history.PastQuestionnaire(
                    instrument=item.instrument,
                    version=item.version,
                    resource=resource,
                    result=result,
                    completed_at=item.completed_at,
                )
                for item, resource, result in scored
            ],
        )
        counts["questionnaires"] += added
        counts["skipped"] += present
        for resource in history.external:
            if own_record:
                counts["skipped"] += 1
                continue
            _, created = ExternalResource.objects.get_or_create(
                patient=patient,
                resource_type=resource["resourceType"],
                resource_id=resource["id"],
                defaults={"resource": resource},
            )
            counts["history" if created else "skipped"] += 1
        record_event(
            actor=importer,
            action="fhir.import",
            patient=patient,
            reason=f"from Patient/{history.source_patient_id}",
        )
    return ImportSummary(
        episodes=counts["episodes"],
        pain_entries=counts["pain_entries"],
        questionnaires=counts["questionnaires"],
        history=counts["history"],
        skipped=counts["skipped"],
        warnings=warnings,
    )
