"""Deleting an account: asked with the password again and an explicit confirmation, carried out
after a 14-day cooling-off unless cancelled; clinical records kept, the rest erased."""

from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from sciaticare.accounts import services as accounts_services
from sciaticare.accounts.models import ApiToken, User
from sciaticare.audit.models import AuditEvent
from sciaticare.core.generated import FileStatus
from sciaticare.directory.models import FlareUpPlanEntry, Review, TherapistProfile
from sciaticare.intake import services as intake_services
from sciaticare.intake.models import Episode, Intake, IntakeShare, QuestionnaireResponse
from sciaticare.interop.models import DataExport, ExternalResource
from sciaticare.outcomes import services as outcomes_services
from sciaticare.outcomes.models import DiaryPreference, PainEntry, ProgressReport
from sciaticare.privacy import erasure, services
from sciaticare.privacy.models import DeletionRequest
from sciaticare.records.models import SessionNote
from sciaticare.scheduling.models import (
    Appointment,
    AppointmentStatus,
    CalendarFeed,
    WaitlistEntry,
)
from sciaticare.scheduling.services import calendar_feeds
from tests.directory.factories import ReviewFactory, TherapistProfileFactory
from tests.factories import (
    PASSWORD,
    ClinicAdminFactory,
    PatientFactory,
    SiteAdminFactory,
    TherapistFactory,
)
from tests.interop.test_export_import import history

pytestmark = pytest.mark.django_db
DELETE = reverse("privacy:delete")
CANCEL = reverse("privacy:cancel_deletion")
DAY = timedelta(days=1)


def _sign_in(client, user) -> Any:
    """Through the login form, so allauth records a fresh authentication."""
    return client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True
    )


def _reauthenticated(client, user) -> None:
    """Signed in, and the password given again just now (allauth counts only a
    re-authentication, not the sign-in itself, as recent)."""
    client.force_login(user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})


# --- Asking -----------------------------------------------------------------------------------


def test_asking_needs_the_password_again_then_goes_through(client):
    patient = PatientFactory()
    client.force_login(patient)  # signed in long ago: no recent authentication

    asked = client.post(DELETE, {"confirm": "on"})

    assert asked.status_code == 302
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    assert not DeletionRequest.objects.exists()

    client.post(asked["Location"], {"password": PASSWORD}, follow=True)
    # allauth replays the suspended request once the password is given.
    found = DeletionRequest.objects.get(user=patient)
    assert found.due_at - found.requested_at == timedelta(days=14)


def test_asking_needs_the_explicit_confirmation(client):
    patient = PatientFactory()
    _reauthenticated(client, patient)

    refused = client.post(DELETE, {})

    assert refused.status_code == 422
    assert "Tick the box to confirm" in refused.content.decode()
    assert not DeletionRequest.objects.exists()


def test_the_page_names_the_date_what_is_kept_and_for_how_long(client):
    client.force_login(PatientFactory())

    page = client.get(DELETE).content.decode()

    due = timezone.localtime(timezone.now() + timedelta(days=14))
    assert f"{due:%-d %B %Y}" in page
    assert "8 years after your last session" in page
    assert "Records Management Code of Practice" in page
    assert "pain diary" in page
    assert "session notes" in page


def test_asking_sends_an_email_with_the_date_and_no_clinical_detail(client):
    patient = history()
    _reauthenticated(client, patient)

    client.post(DELETE, {"confirm": "on"})

    found = DeletionRequest.objects.get(user=patient)
    (message,) = [m for m in mail.outbox if "deleted" in m.subject]
    assert message.to == [patient.email]
    assert f"{timezone.localtime(found.due_at):%-d %B %Y}" in message.body
    assert reverse("interop:your_data") in message.body
    for clinical in ("pain", "session", "intake", "buttock", "triage"):
        assert clinical not in message.body.lower()
    assert AuditEvent.objects.filter(action="account.delete.request", patient=patient).exists()


def test_asking_twice_keeps_one_request():
    patient = PatientFactory()

    first = services.request_deletion(user=patient)
    second = services.request_deletion(user=patient)

    assert first.pk == second.pk
    assert DeletionRequest.objects.count() == 1


@pytest.mark.parametrize(
    "factory", [TherapistFactory, ClinicAdminFactory, SiteAdminFactory], ids=lambda f: f.__name__
)
def test_staff_accounts_are_closed_by_a_site_admin_not_here(client, factory):
    staff = factory()
    _reauthenticated(client, staff)

    page = client.get(DELETE)
    refused = client.post(DELETE, {"confirm": "on"})

    assert "site admin" in page.content.decode()
    assert refused.status_code == 403
    assert not DeletionRequest.objects.exists()
    with pytest.raises(services.DeletionRefused):
        services.request_deletion(user=staff)


def test_a_stranger_is_sent_to_sign_in(client):
    assert client.get(DELETE)["Location"].startswith(reverse("account_login"))
    assert client.post(CANCEL)["Location"].startswith(reverse("account_login"))


# --- Cooling-off, cancelling, signing in ------------------------------------------------------


def test_nothing_happens_before_the_cooling_off_ends():
    patient = PatientFactory()
    found = services.request_deletion(user=patient)

    assert services.carry_out_due_deletions(now=found.due_at - timedelta(minutes=1)) == 0
    patient.refresh_from_db()
    assert patient.is_active

    assert services.carry_out_due_deletions(now=found.due_at) == 1
    patient.refresh_from_db()
    assert not patient.is_active


def test_cancelling_keeps_the_account_and_the_task_leaves_it_alone(client):
    patient = PatientFactory()
    found = services.request_deletion(user=patient)
    client.force_login(patient)

    cancelled = client.post(CANCEL)

    assert cancelled["Location"] == reverse("interop:your_data")
    found.refresh_from_db()
    assert found.cancelled_at is not None
    assert services.carry_out_due_deletions(now=found.due_at + DAY) == 0
    patient.refresh_from_db()
    assert patient.is_active
    assert any("will not be deleted" in m.subject for m in mail.outbox)
    assert AuditEvent.objects.filter(action="account.delete.cancel", patient=patient).exists()
    assert client.post(CANCEL).status_code == 404  # nothing left to cancel
    assert services.request_deletion(user=patient).pk != found.pk  # may ask again later


def test_signing_in_during_the_cooling_off_works_says_when_and_does_not_cancel(client):
    patient = PatientFactory()
    found = services.request_deletion(user=patient)

    signed_in = _sign_in(client, patient)

    assert signed_in.status_code == 200
    assert "_auth_user_id" in client.session
    body = signed_in.content.decode()
    assert f"{timezone.localtime(found.due_at):%-d %B %Y}" in body
    page = client.get(reverse("interop:your_data")).content.decode()
    assert CANCEL in page
    found.refresh_from_db()
    assert found.is_open


def test_the_daily_task_carries_out_only_due_uncancelled_requests():
    due, not_yet, changed_mind = PatientFactory(), PatientFactory(), PatientFactory()
    now = timezone.now()
    services.request_deletion(user=due, now=now - timedelta(days=15))
    services.request_deletion(user=not_yet, now=now - timedelta(days=13))
    services.request_deletion(user=changed_mind, now=now - timedelta(days=20))
    services.cancel_deletion(user=changed_mind)

    assert services.carry_out_due_deletions(now=now) == 1
    assert services.carry_out_due_deletions(now=now) == 0  # done once

    states = {u.pk: u.is_active for u in User.objects.all()}
    assert states == {due.pk: False, not_yet.pk: True, changed_mind.pk: True}
    assert DeletionRequest.objects.get(user=due).carried_out_at == now


def test_the_management_command_runs_the_deletions(capsys):
    patient = PatientFactory()
    services.request_deletion(user=patient, now=timezone.now() - timedelta(days=15))

    call_command("carry_out_deletions")

    assert "1 account(s) deleted" in capsys.readouterr().out
    patient.refresh_from_db()
    assert not patient.is_active


# --- What is erased and what is kept ---------------------------------------------------------


def _everything(patient: User) -> dict[str, Any]:
    """history() plus every other kind of data a patient can leave behind."""
    signed = Appointment.objects.get(patient=patient)
    therapist = signed.therapist
    upcoming = Appointment.objects.create(
        patient=patient,
        therapist=therapist,
        location=signed.location,
        session_type=signed.session_type,
        start=timezone.now() + timedelta(days=3),
        end=timezone.now() + timedelta(days=3, hours=1),
        busy_until=timezone.now() + timedelta(days=3, hours=1, minutes=15),
    )
    accounts_services.create_api_token(user=patient, name="script")
    calendar_feeds.feed_for(owner=patient)
    FlareUpPlanEntry.objects.create(patient=patient, therapist=therapist, rank=0)
    WaitlistEntry.objects.create(
        patient=patient,
        therapist=therapist,
        earliest=timezone.localdate(),
        latest=timezone.localdate() + timedelta(days=7),
    )
    review = ReviewFactory(patient=patient, therapist=therapist, rating=1)
    ProgressReport.objects.create(patient=patient, requested_by=patient)
    DataExport.objects.create(
        patient=patient,
        status=FileStatus.READY,
        content=b"zip",
        finished_at=timezone.now(),
    )
    ExternalResource.objects.create(
        patient=patient, resource_type="Appointment", resource_id="a-1", resource={}
    )
    outcomes_services.set_daily_nudge(patient=patient, on=True)
    sharer = TherapistProfileFactory().user
    intake_services.share_intake(patient=patient, therapist_email=sharer.email)
    return {"upcoming": upcoming, "therapist": therapist, "review": review}


def test_erasing_removes_personal_data_and_keeps_clinical_records():
    patient = history()
    made = _everything(patient)
    kept_before = {
        "episodes": Episode.objects.filter(patient=patient).count(),
        "intakes": Intake.objects.filter(patient=patient).count(),
        "scores": QuestionnaireResponse.objects.filter(patient=patient).count(),
        "notes": SessionNote.objects.filter(patient=patient, signed_at__isnull=False).count(),
        "appointments": Appointment.objects.filter(patient=patient).count(),
    }
    audit_before = set(AuditEvent.objects.filter(patient=patient).values_list("pk", flat=True))
    name = (patient.first_name, patient.last_name)
    email = patient.email
    found = services.request_deletion(user=patient, now=timezone.now() - timedelta(days=14))

    assert services.carry_out_due_deletions() == 1

    patient.refresh_from_db()
    # Erased
    for model, field in [
        (ApiToken, "user"),
        (PainEntry, "patient"),
        (DiaryPreference, "patient"),
        (ProgressReport, "patient"),
        (DataExport, "patient"),
        (ExternalResource, "patient"),
        (CalendarFeed, "owner"),
        (WaitlistEntry, "patient"),
        (FlareUpPlanEntry, "patient"),
        (Review, "patient"),
    ]:
        assert not model.objects.filter(**{field: patient}).exists(), model.__name__
    assert not patient.emailaddress_set.exists()
    assert not patient.is_active
    assert not patient.has_usable_password()
    assert patient.email != email
    assert patient.email.endswith(".invalid")
    assert TherapistProfile.objects.get(pk=made["therapist"].pk).review_count == 0
    # Kept
    assert (patient.first_name, patient.last_name) == name
    assert kept_before == {
        "episodes": Episode.objects.filter(patient=patient).count(),
        "intakes": Intake.objects.filter(patient=patient).count(),
        "scores": QuestionnaireResponse.objects.filter(patient=patient).count(),
        "notes": SessionNote.objects.filter(patient=patient, signed_at__isnull=False).count(),
        "appointments": Appointment.objects.filter(patient=patient).count(),
    }
    assert audit_before <= set(AuditEvent.objects.values_list("pk", flat=True))
    assert all(n.is_seal_intact for n in SessionNote.objects.filter(patient=patient))
    made["upcoming"].refresh_from_db()
    assert made["upcoming"].status == AppointmentStatus.CANCELLED
    assert IntakeShare.objects.filter(patient=patient).exists()
    assert not IntakeShare.objects.filter(patient=patient, revoked_at__isnull=True).exists()
    found.refresh_from_db()
    assert found.carried_out_at is not None
    assert AuditEvent.objects.filter(action="account.delete.done", patient=patient).exists()


def test_after_deletion_nobody_signs_in_and_tokens_stop(client):
    patient = PatientFactory()
    _, raw = accounts_services.create_api_token(user=patient, name="script")
    services.request_deletion(user=patient, now=timezone.now() - timedelta(days=14))
    services.carry_out_due_deletions()

    _sign_in(client, patient)
    assert "_auth_user_id" not in client.session
    assert accounts_services.authenticate_api_token(raw) is None
    assert (
        client.get("/api/v1/diary", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    )


def test_the_email_address_is_free_for_a_new_account():
    patient = PatientFactory()
    email = patient.email
    services.request_deletion(user=patient, now=timezone.now() - timedelta(days=14))
    services.carry_out_due_deletions()

    assert User.objects.create_user(email, PASSWORD).is_active


# Tables whose link to a person is a staff member's own (not a patient's data).
STAFF_ONLY = {"directory.therapistprofile", "admin.logentry"}


def test_every_table_holding_a_persons_data_is_either_erased_or_kept():
    """A new table with a patient, user or owner column must be added to ERASED or KEPT (and,
    if erased, to its app's registered eraser) before this passes."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    owned = {
        model._meta.label_lower
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation
        and field.related_model is user_model
        and field.name in {"patient", "user", "owner"}
    }

    unclassified = owned - set(services.ERASED) - set(services.KEPT) - STAFF_ONLY

    assert unclassified == set()


def test_every_app_holding_erased_tables_registers_its_eraser():
    """Privacy erases through each owner's own writes: an app with a table in ERASED must
    register an eraser (sign-in data is the accounts app's close_account)."""
    sign_in = {"accounts", "account", "mfa"}
    owners = {label.split(".")[0] for label in services.ERASED} - sign_in

    assert owners <= set(erasure.erasers())
