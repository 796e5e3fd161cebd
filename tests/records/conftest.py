from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from sciaticare.records import services
from sciaticare.records.models import SessionNote
from sciaticare.scheduling.models import Appointment
from tests.directory.factories import ClinicFactory, LocationFactory, TherapistProfileFactory
from tests.factories import ClinicAdminFactory, PatientFactory, SiteAdminFactory
from tests.intake.factories import make_intake

SUBJECTIVE = "Tingling along the outer left calf since the long drive"
ASSESSMENT = "Probable S1 irritation with gluteal guarding"


def past_appointment(
    therapist: Any, patient: Any, *, hours_ago: float = 2, location: Any = None
) -> Appointment:
    location = location or therapist.locations.first()
    start = timezone.now() - timedelta(hours=hours_ago)
    session = therapist.session_types.get(is_standard=True)
    return Appointment.objects.create(
        patient=patient,
        therapist=therapist,
        location=location,
        session_type=session,
        start=start,
        end=start + timedelta(minutes=session.minutes),
        busy_until=start + timedelta(minutes=session.minutes + 15),
    )


def draft_note(world: dict[str, Any], **values: Any) -> SessionNote:
    """The world's appointment's note, started and saved as a draft by its therapist."""
    therapist = world["people"]["therapist"]
    appointment_id = world["appointment"].pk
    services.start_note(therapist_user=therapist, appointment_id=appointment_id)
    defaults = {
        "subjective": SUBJECTIVE,
        "assessment": ASSESSMENT,
        "regions": ["left_calf"],
        "pressure": "light",
    }
    return services.save_draft(
        therapist_user=therapist, appointment_id=appointment_id, values={**defaults, **values}
    )


def signed_note(world: dict[str, Any]) -> SessionNote:
    """The world's appointment's note, drafted and signed."""
    draft_note(world)
    return services.sign_note(
        therapist_user=world["people"]["therapist"], appointment_id=world["appointment"].pk
    )


@pytest.fixture
def clinic_world(db: None) -> dict[str, Any]:
    clinic = ClinicFactory()
    other_clinic = ClinicFactory()
    location = LocationFactory(clinic=clinic)
    therapist = TherapistProfileFactory(location=location)
    patient = PatientFactory(first_name="Odalys", last_name="Fenwick")
    make_intake(patient, yes={"anticoagulants": True})
    admin, other_admin = ClinicAdminFactory(), ClinicAdminFactory()
    clinic.admins.add(admin)
    other_clinic.admins.add(other_admin)
    return {
        "clinic": clinic,
        "location": location,
        "therapist": therapist,
        "appointment": past_appointment(therapist, patient, location=location),
        "people": {
            "anonymous": None,
            "patient": patient,
            "other_patient": PatientFactory(),
            "therapist": therapist.user,
            "other_therapist": TherapistProfileFactory().user,
            "clinic_admin": admin,
            "other_clinic_admin": other_admin,
            "site_admin": SiteAdminFactory(),
        },
    }
