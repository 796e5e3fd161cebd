"""Intake test data: a valid intake for a patient, with overrides, and an ODI Questionnaire to
import."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from sciaticare.intake import services
from sciaticare.intake.scoring.questionnaire import MAX_VALUE_URL, MIN_VALUE_URL
from sciaticare.intake.triage.questions import REQUIRED_CODES

NO = dict.fromkeys(REQUIRED_CODES, False)


def intake_data(**overrides: Any) -> services.IntakeData:
    answers = {**NO, **overrides.pop("yes", {})}
    values: dict[str, Any] = {
        "age": 40,
        "onset_date": timezone.localdate() - timedelta(weeks=3),
        "answers": answers,
        "regions": ["right_buttock", "right_calf"],
        "qualities": ["shooting"],
        "back_pain": (5, 4, 7),
        "leg_pain": (6, 5, 8),
        "worse_with": ["sitting"],
        "goals": "Walk the dog without stopping",
        "medications": "Ibuprofen",
    }
    values.update(overrides)
    return services.IntakeData(**values)


def make_intake(patient: Any, **overrides: Any) -> Any:
    new_episode = overrides.pop("new_episode", False)
    return services.submit_intake(
        patient=patient, data=intake_data(**overrides), new_episode=new_episode
    )


def clinic_admin(**overrides: Any) -> Any:
    """A clinic admin who runs one clinic (``admin.administered_clinics.get()``)."""
    from tests.directory.factories import ClinicFactory
    from tests.factories import ClinicAdminFactory

    admin = ClinicAdminFactory(**overrides)
    ClinicFactory(admins=[admin])
    return admin


def patient_of(clinic: Any, *, days_ago: float = 3) -> Any:
    """A patient whose last appointment was at one of ``clinic``'s locations."""
    from tests.directory.factories import LocationFactory, TherapistProfileFactory
    from tests.factories import PatientFactory
    from tests.records.conftest import past_appointment

    patient = PatientFactory()
    location = LocationFactory(clinic=clinic)
    therapist = TherapistProfileFactory(location=location)
    past_appointment(therapist, patient, hours_ago=24 * days_ago, location=location)
    return patient


def odi_questionnaire(**changes: Any) -> dict[str, Any]:
    """An ODI Questionnaire a clinic could import: ten items that fit the scoring, the licensed
    text stood in for; `changes` replace its top-level fields."""
    items = [
        {
            "linkId": f"odi-{i}",
            "text": f"Section {i} (licensed text)",
            "type": "integer",
            "extension": [
                {"url": MIN_VALUE_URL, "valueInteger": 0},
                {"url": MAX_VALUE_URL, "valueInteger": 5},
            ],
        }
        for i in range(1, 11)
    ]
    resource = {
        "resourceType": "Questionnaire",
        "id": "odi",
        "status": "active",
        "version": "2.1a",
        "item": items,
    }
    resource.update(changes)
    return resource
