"""Who a therapist's programme is written for and where: the patient they treat (scheduling's
one rule), the session whose note it is written from, and the clinic whose choice of exercises
applies. NotFound, alike, for anything else."""

from __future__ import annotations

from sciaticare.accounts.models import Role, User
from sciaticare.core.errors import NotFound
from sciaticare.scheduling.models import Appointment
from sciaticare.scheduling.selectors.care import CARE_STATUSES, care_appointments, treats


def care_clinic_id(*, therapist: User, patient: User, appointment: Appointment | None) -> int:
    """The clinic whose scope of practice applies to a therapist's programme for a patient: the
    appointment's, else that of the therapist's latest session with the patient. NotFound when
    they have none (they do not treat the patient)."""
    if appointment is not None:
        return appointment.location.clinic_id
    latest = (
        care_appointments(patient=patient)
        .filter(therapist__user=therapist)
        .order_by("-start")
        .values_list("location__clinic_id", flat=True)
        .first()
    )
    if latest is None:
        raise NotFound("patient")
    return latest


def care_appointment(*, therapist: User, patient: User, appointment_id: int) -> Appointment:
    """A session of this therapist's with this patient that makes care (booked, attended or
    missed): the note a programme is written from. NotFound otherwise."""
    found = (
        Appointment.objects.select_related("location")
        .filter(
            pk=appointment_id,
            patient=patient,
            therapist__user=therapist,
            status__in=CARE_STATUSES,
        )
        .first()
    )
    if found is None:
        raise NotFound("appointment")
    return found


def treated_patient(*, therapist: User, patient_id: int) -> User:
    """The patient, when this therapist treats them; NotFound for anyone else."""
    patient = User.objects.filter(pk=patient_id).first()
    if (
        patient is None
        or not therapist.has_role(Role.THERAPIST)
        or not treats(therapist=therapist, patient=patient)
    ):
        raise NotFound("patient")
    return patient
