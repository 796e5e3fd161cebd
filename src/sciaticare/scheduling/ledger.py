"""Completed appointments as the directory's session ledger: who may review whom, once per
session (directory/sessions.py describes the seam)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sciaticare.directory.sessions import CompletedSession
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from sciaticare.scheduling.selectors import bookable, care


def _completed(appointment: Appointment) -> CompletedSession:
    return CompletedSession(
        id=appointment.pk,
        patient_id=appointment.patient_id,
        therapist_user_id=appointment.therapist.user_id,
        ended_at=appointment.end,
        started_at=appointment.start,
        time_zone=appointment.location.time_zone,
    )


class AppointmentLedger:
    def completed(self, session_id: int) -> CompletedSession | None:
        found = (
            Appointment.objects.select_related("therapist", "location")
            .filter(pk=session_id, status=AppointmentStatus.COMPLETED)
            .first()
        )
        return _completed(found) if found else None

    def completed_between(
        self, *, patient_id: int, therapist_user_id: int
    ) -> list[CompletedSession]:
        rows = (
            Appointment.objects.select_related("therapist", "location")
            .filter(
                patient_id=patient_id,
                therapist__user_id=therapist_user_id,
                status=AppointmentStatus.COMPLETED,
            )
            .order_by("-end")
        )
        return [_completed(a) for a in rows]

    def closed_to(self, *, patient: Any, therapists: Iterable[Any]) -> set[int]:
        return care.closed_to(patient=patient, therapists=therapists)

    def next_available(
        self, therapist_ids: Sequence[int], *, within: timedelta | None = None
    ) -> dict[int, datetime | None]:
        if within is None:
            return bookable.next_available(therapist_ids)
        return bookable.next_available(therapist_ids, within=within)
