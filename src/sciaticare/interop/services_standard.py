"""Standard FHIR in (issue 18, point 3): a Bundle another system made (an EHR, a SMART app)
adds the patient's pain scores, questionnaire responses and sciatica episodes to their record,
resource by resource, and says what it skipped and why (docs/integrations.md, "Standard FHIR
in"). What is read, and how, is ``interop.fhir.standard``; Sciaticare's own Bundles go through
``services.import_bundle``, whole or not at all.

Imported data follows the rules typed data does, through the same checks: a diary day through
``outcomes.services.entry_problems`` and ``add_past_entries`` (never a future day, never over a
day the patient logged), answers scored by the instrument's own rule (``intake.scoring``),
nothing dated in the future or outside the years the record holds. A resource breaking one is
skipped with the reason; the rest is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from sciaticare.accounts.models import User
from sciaticare.accounts.selectors import today_for, zone_name
from sciaticare.audit.services import record_event
from sciaticare.core.bounds import check_json_depth, day_out_of_range
from sciaticare.core.errors import Invalid, NotFound
from sciaticare.intake import services_import as intake_history
from sciaticare.intake.scoring.response import answers_from_fhir, response_to_fhir
from sciaticare.intake.scoring.rules import Score, score
from sciaticare.interop import selectors, services
from sciaticare.interop.fhir.imported import ImportedQuestionnaire, ImportSummary, Skipped
from sciaticare.interop.fhir.standard import (
    BundleRefused,
    made_by_sciaticare,
    read_standard_bundle,
)
from sciaticare.interop.fhir.standard_resources import (
    AnswersFound,
    DiaryDay,
    EpisodeFound,
    side_record,
)
from sciaticare.interop.models import ExternalResource, ImportedResource
from sciaticare.outcomes import services as outcomes_services


def _refuse(problems: list[str]) -> Invalid:
    return Invalid(
        "invalid_bundle",
        gettext("The Bundle was not imported: %(why)s.") % {"why": problems[0]},
        [("bundle", problem) for problem in problems[:50]],
    )


def _scored(item: ImportedQuestionnaire) -> tuple[dict[str, Any], Score]:
    answers = answers_from_fhir(item.resource)
    result = score(item.instrument, answers)
    resource = response_to_fhir(
        item.instrument, answers, result, questionnaire_version=item.version
    )
    return resource, result


def _diary_problems(day: DiaryDay, today: date) -> list[str]:
    problems = [
        f"{name}: {message}"
        for name, message in outcomes_services.entry_problems(
            back_pain=day.back_pain, leg_pain=day.leg_pain, tags=()
        )
    ]
    if out_of_range := day_out_of_range(day.day):
        problems.append(out_of_range)
    elif day.day > today:
        problems.append(gettext("%(day)s is in the future") % {"day": day.day.isoformat()})
    return problems


@dataclass
class _Import:
    """One import under way: what it added, skipped and warned of, and the keys to record."""

    patient: User
    now: datetime
    today: date
    skipped: list[Skipped]
    counts: dict[str, int] = field(
        default_factory=lambda: {"episodes": 0, "pain_entries": 0, "questionnaires": 0}
    )
    warnings: list[str] = field(default_factory=list)
    kept: list[ImportedResource] = field(default_factory=list)

    def keep(self, kind: str, *keys: str) -> None:
        self.kept += [
            ImportedResource(
                patient=self.patient, resource_type=kind, key=key, imported_at=self.now
            )
            for key in keys
        ]


def _add_episode(run: _Import, episode: EpisodeFound) -> None:
    if out_of_range := day_out_of_range(episode.started_on):
        run.skipped.append(Skipped(episode.where, out_of_range))
        return
    if episode.started_on > run.today:
        run.skipped.append(
            Skipped(episode.where, gettext("the pain cannot have begun in the future"))
        )
        return
    added, _, warnings = intake_history.add_past_episodes(
        patient=run.patient,
        episodes=[intake_history.PastEpisode(started_on=episode.started_on, active=episode.active)],
        now=run.now,
    )
    if not added:
        run.skipped.append(
            Skipped(
                episode.where,
                gettext("an episode that began on %(day)s is already in your record")
                % {"day": episode.started_on.isoformat()},
            )
        )
        return
    run.counts["episodes"] += 1
    run.warnings += warnings
    run.keep("Condition", episode.key)
    if episode.side:
        record = side_record(episode.started_on, episode.side)
        ExternalResource.objects.get_or_create(
            patient=run.patient,
            resource_type="Condition",
            resource_id=record["id"],
            defaults={"resource": record},
        )


def _add_day(run: _Import, day: DiaryDay) -> None:
    if problems := _diary_problems(day, run.today):
        run.skipped += [Skipped(where, "; ".join(problems)) for where in day.sources]
        return
    added, _ = outcomes_services.add_past_entries(
        patient=run.patient,
        entries=[
            outcomes_services.PastEntry(
                day=day.day, back_pain=day.back_pain, leg_pain=day.leg_pain, source=day.sources[0]
            )
        ],
        now=run.now,
    )
    if not added:
        already = gettext(
            "your diary already has %(day)s (a day you logged is never overwritten)"
        ) % {"day": day.day.isoformat()}
        run.skipped += [Skipped(where, already) for where in day.sources]
        return
    run.counts["pain_entries"] += 1
    run.keep("Observation", *sorted(day.keys))


def _add_answers(run: _Import, answer: AnswersFound) -> None:
    item = answer.questionnaire
    if out_of_range := day_out_of_range(item.completed_at.date()):
        run.skipped.append(Skipped(answer.where, out_of_range))
        return
    if item.completed_at > run.now:
        run.skipped.append(
            Skipped(
                answer.where,
                gettext("answered in the future (%(when)s)")
                % {"when": item.completed_at.isoformat()},
            )
        )
        return
    try:
        resource, result = _scored(item)
    except (ValueError, KeyError) as error:
        run.skipped.append(Skipped(answer.where, str(error)))
        return
    added, _ = intake_history.add_past_questionnaires(
        patient=run.patient,
        responses=[
            intake_history.PastQuestionnaire(
                instrument=item.instrument,
                version=item.version,
                resource=resource,
                result=result,
                completed_at=item.completed_at,
            )
        ],
    )
    if not added:
        run.skipped.append(
            Skipped(
                answer.where,
                gettext("your record already has this %(instrument)s answered then")
                % {"instrument": item.instrument},
            )
        )
        return
    run.counts["questionnaires"] += 1
    run.keep("QuestionnaireResponse", answer.key)


def import_standard_bundle(*, patient: User, data: object, importer: User) -> ImportSummary:
    """Add what a Bundle from another system holds to the patient's own record (see the module
    docstring); the summary lists each skipped resource with why. Invalid (422) only for a
    Bundle that cannot be read at all (``interop.fhir.standard.BundleRefused``). Importing it
    again adds nothing: each resource imported is recorded by its key."""
    if importer.pk != patient.pk:
        raise NotFound("record")
    try:
        check_json_depth(data)  # the reading below recurses
    except ValueError as exc:
        raise _refuse([str(exc)]) from None
    try:
        found = read_standard_bundle(
            data, zone=zone_name(patient), imported=selectors.imported_keys(patient=patient)
        )
    except BundleRefused as refused:
        raise _refuse(refused.problems) from None
    now = timezone.now()
    run = _Import(patient=patient, now=now, today=today_for(patient, now), skipped=found.skipped)
    with transaction.atomic():
        for episode in sorted(found.episodes, key=lambda e: e.started_on):
            _add_episode(run, episode)
        for day in found.days:
            _add_day(run, day)
        for answer in found.answers:
            _add_answers(run, answer)
        # A concurrent import of the same Bundle recorded them first: nothing to add.
        ImportedResource.objects.bulk_create(run.kept, ignore_conflicts=True)
        record_event(
            actor=importer,
            action="fhir.import",
            patient=patient,
            reason=(
                f"from another system: {sum(run.counts.values())} added, {len(run.skipped)} skipped"
            ),
        )
    return ImportSummary(
        **run.counts,
        skipped=len(run.skipped),
        warnings=run.warnings,
        skipped_resources=run.skipped,
    )


def import_fhir_bundle(*, patient: User, data: object, importer: User) -> ImportSummary:
    """The one way in for a Bundle, for the API and the "Your data" page alike: a Sciaticare
    record goes through ``services.import_bundle`` (whole or not at all), any other Bundle
    through ``import_standard_bundle`` (resource by resource). Both audit the import."""
    if made_by_sciaticare(data):
        return services.import_bundle(patient=patient, data=data, importer=importer)
    return import_standard_bundle(patient=patient, data=data, importer=importer)
