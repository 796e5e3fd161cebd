"""The audit log is append-only: no code path, admin page or SQL statement changes it."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from sciaticare.audit import context
from sciaticare.audit.middleware import RequestContextMiddleware
from sciaticare.audit.models import AppendOnlyError, AuditEvent
from sciaticare.audit.services import record_event
from tests.factories import PatientFactory, SiteAdminFactory, TherapistFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return record_event(actor=TherapistFactory(), action="intake.view", patient=PatientFactory())


def test_record_event_keeps_who_what_whose_and_where(rf: RequestFactory):
    therapist, patient = TherapistFactory(), PatientFactory()
    seen = {}

    def view(request):
        seen["event"] = record_event(
            actor=therapist, action="intake.view", patient=patient, obj=patient
        )
        from django.http import HttpResponse

        return HttpResponse()

    response = RequestContextMiddleware(view)(rf.get("/", REMOTE_ADDR="203.0.113.9"))

    event = seen["event"]
    assert (event.actor, event.patient, event.action) == (therapist, patient, "intake.view")
    assert (event.object_type, event.object_id) == ("accounts.user", str(patient.pk))
    assert event.ip == "203.0.113.9"
    assert event.request_id == response["X-Request-ID"]
    assert context.current.get() is None


def test_model_save_of_an_existing_event_is_refused(event):
    event.action = "nothing.happened"

    with pytest.raises(AppendOnlyError):
        event.save()


def test_delete_is_refused_on_the_row_and_the_queryset(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    assert AuditEvent.objects.filter(pk=event.pk, action="intake.view").exists()


def test_the_database_refuses_a_raw_update(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "intake.view"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite refuses deletes in the model only"
)
def test_postgresql_refuses_a_raw_delete(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_admin_offers_no_way_to_add_change_or_delete(client, event):
    client.force_login(SiteAdminFactory())

    assert (
        client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200
    )  # read-only view
    assert (
        client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"action": "x"}).status_code
        == 403
    )
    assert client.get(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == "intake.view"
