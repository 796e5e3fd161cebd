"""A review's session is a foreign key to the appointment reviewed (issue 14): the database
keeps it pointing at a real appointment, and the migration that made it one cleared the values
that named none."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction

from sciaticare.directory.models import Review
from sciaticare.scheduling.models import Appointment
from tests.directory.factories import FakeLedger, ReviewFactory, TherapistProfileFactory
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "sciaticare.directory.migrations.0005_review_session_is_an_appointment"
)


def test_a_review_names_its_appointment():
    therapist, patient = TherapistProfileFactory(), PatientFactory()
    session = FakeLedger().add(patient=patient, therapist=therapist)
    review = ReviewFactory(patient=patient, therapist=therapist, session_id=session.id)
    review.refresh_from_db()
    assert review.session == Appointment.objects.get(pk=session.id)


def test_the_database_refuses_a_session_that_does_not_exist():
    review = ReviewFactory()
    with transaction.atomic():
        Review.objects.filter(pk=review.pk).update(session_id=987_654_321)
        with pytest.raises(IntegrityError):
            connection.check_constraints(table_names=[Review._meta.db_table])
        transaction.set_rollback(True)


def test_a_review_outlives_its_appointment_without_it():
    therapist, patient = TherapistProfileFactory(), PatientFactory()
    session = FakeLedger().add(patient=patient, therapist=therapist)
    review = ReviewFactory(patient=patient, therapist=therapist, session_id=session.id)
    Appointment.objects.filter(pk=session.id).delete()
    review.refresh_from_db()
    assert review.session_id is None


def test_the_migration_clears_sessions_that_name_no_appointment_of_theirs():
    therapist, patient = TherapistProfileFactory(), PatientFactory()
    ledger = FakeLedger()
    own = ledger.add(patient=patient, therapist=therapist)
    someone_elses = ledger.add(patient=PatientFactory(), therapist=therapist)
    kept = ReviewFactory(patient=patient, therapist=therapist, session_id=own.id)
    wrong_patient = ReviewFactory(patient=patient, therapist=therapist, session_id=someone_elses.id)
    unknown = ReviewFactory(patient=patient, therapist=therapist)
    # What an integer column could hold before it was a key (checked only at commit here).
    Review.objects.filter(pk=unknown.pk).update(session_id=987_654_321)

    migration.forget_unknown_sessions(apps, None)

    found = dict(Review.objects.values_list("pk", "session_id"))
    assert found == {kept.pk: own.id, wrong_patient.pk: None, unknown.pk: None}
