"""Who cares for a patient, behind a seam: the care relationship is made of appointments, which
belong to scheduling, and scheduling sits above intake in the order of apps
(docs/architecture.md): booking reads the intake's triage, so intake may not import scheduling.

Scheduling installs its selectors (``treats``, ``patients_treated_by``, ``patient_clinic_id``)
from its ``AppConfig.ready()`` with :func:`use_care`; until then nobody treats anybody.
"""

from __future__ import annotations

from typing import Any, Protocol

from sciaticare.accounts.models import User


class CareRelation(Protocol):
    def treats(self, *, therapist: User, patient: User) -> bool: ...

    def patients_treated_by(self, therapist: User) -> Any: ...

    def patient_clinic_id(self, *, patient: User) -> int | None: ...


class NoCareYet:
    """No appointments are known: no therapist treats anybody."""

    def treats(self, *, therapist: User, patient: User) -> bool:
        return False

    def patients_treated_by(self, therapist: User) -> Any:
        return User.objects.none()

    def patient_clinic_id(self, *, patient: User) -> int | None:
        return None


_care: CareRelation = NoCareYet()


def use_care(relation: CareRelation) -> None:
    global _care
    _care = relation


def care() -> CareRelation:
    return _care
