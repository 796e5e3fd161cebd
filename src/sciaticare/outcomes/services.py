"""Every write of the outcomes app: pain entries, the nudge preference and report requests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from sciaticare.accounts.models import User
from sciaticare.audit.services import record_event
from sciaticare.errors import Invalid
from sciaticare.outcomes.models import (
    DiaryPreference,
    PainEntry,
    ProgressReport,
    ReportStatus,
    Tag,
)
from sciaticare.outcomes.tasks import build_report


def log_pain(
    *,
    patient: User,
    back_pain: int,
    leg_pain: int,
    note: str = "",
    tags: Iterable[str] = (),
    day: date | None = None,
) -> tuple[PainEntry, bool]:
    """Today's entry, created or changed (one per day; earlier days are read-only).

    Returns the entry and whether it was created.
    """
    today = timezone.localdate()
    day = day or today
    errors = [
        (name, "must be a whole number from 0 to 10")
        for name, v in (("back_pain", back_pain), ("leg_pain", leg_pain))
        if not (isinstance(v, int) and 0 <= v <= 10)
    ]
    unknown = [t for t in tags if t not in Tag.values]
    if unknown:
        errors.append(("tags", f"unknown tags: {', '.join(unknown)}; use {', '.join(Tag.values)}"))
    if day != today:
        errors.append(("date", "entries can be made or changed only on their own day"))
    if errors:
        raise Invalid("invalid_entry", "The entry was not saved.", errors)
    values = {
        "back_pain": back_pain,
        "leg_pain": leg_pain,
        "note": note.strip()[:500],
        "tags": list(dict.fromkeys(tags)),
    }
    try:
        with transaction.atomic():
            entry, created = PainEntry.objects.select_for_update().get_or_create(
                patient=patient, day=day, defaults=values
            )
            if not created:
                for name, value in values.items():
                    setattr(entry, name, value)
                entry.updated_at = timezone.now()
                entry.save()
            record_event(
                actor=patient,
                action="diary.create" if created else "diary.update",
                patient=patient,
                obj=entry,
            )
    except IntegrityError:  # a concurrent first entry of the day: take the other one's row
        return log_pain(
            patient=patient, back_pain=back_pain, leg_pain=leg_pain, note=note, tags=tags, day=day
        )
    return entry, created


def set_daily_nudge(*, patient: User, on: bool) -> DiaryPreference:
    preference, _ = DiaryPreference.objects.update_or_create(
        patient=patient, defaults={"daily_nudge": on}
    )
    return preference


def request_report(*, patient: User) -> ProgressReport:
    """A new progress report for the patient, built by the ``build_report`` task.

    While one is still being made, asking again returns that one rather than queueing another.
    The task is enqueued once the row is committed, so a worker always finds it.
    """
    pending = ProgressReport.objects.filter(patient=patient, status=ReportStatus.PENDING).first()
    if pending is not None:
        return pending
    try:
        with transaction.atomic():
            progress = ProgressReport.objects.create(patient=patient, requested_by=patient)
            record_event(actor=patient, action="report.request", patient=patient, obj=progress)
            transaction.on_commit(lambda: build_report.enqueue(progress.pk))
    except IntegrityError:  # a concurrent request won (one pending report per patient)
        return ProgressReport.objects.get(patient=patient, status=ReportStatus.PENDING)
    return progress
