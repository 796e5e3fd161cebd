"""Intake services on the database: revisions, episodes, triage, clearance, consent, scores."""

import json
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from sciaticare.audit.models import AuditEvent
from sciaticare.core.errors import Conflict, Invalid, NotFound
from sciaticare.intake import selectors, services
from sciaticare.intake.models import Episode, Intake, IntakeShare, QuestionnaireResponse
from sciaticare.intake.scoring.response import answers_from_fhir
from sciaticare.intake.scoring.rules import IncompleteResponse
from tests.factories import ClinicAdminFactory, PatientFactory, TherapistFactory
from tests.intake.factories import clinic_admin, make_intake, odi_questionnaire

pytestmark = pytest.mark.django_db


def test_saving_an_intake_runs_triage_and_stores_the_level():
    patient = PatientFactory()

    intake = make_intake(patient, yes={"fever": True, "anticoagulants": True})

    assert intake.triage_level == "urgent"
    assert intake.triage_reasons == ["fever"]
    assert intake.triage_precautions == ["no_deep_pressure"]
    assert "See a doctor today" in intake.triage_advice
    assert intake.blocks_booking


@pytest.mark.parametrize(
    ("yes", "blocks"),
    [
        ({}, False),
        ({"night_pain": True}, True),
        ({"fever": True}, True),
        ({"both_legs": True}, True),
    ],
    ids=["ok", "soon-uncleared", "urgent", "emergency"],
)
def test_which_levels_block_booking(yes, blocks):
    assert make_intake(PatientFactory(), yes=yes).blocks_booking is blocks


def test_a_soon_intake_opens_booking_once_the_patient_confirms_clearance():
    patient = PatientFactory()
    intake = make_intake(patient, yes={"cancer_history": True})

    services.confirm_doctor_clearance(patient=patient, intake_id=intake.pk)

    intake.refresh_from_db()
    assert intake.doctor_cleared_at is not None
    assert not intake.blocks_booking
    assert AuditEvent.objects.filter(action="intake.doctor_cleared", patient=patient).count() == 1


def test_clearance_is_refused_for_other_levels_and_other_patients():
    patient = PatientFactory()
    ok = make_intake(patient)
    with pytest.raises(Conflict):
        services.confirm_doctor_clearance(patient=patient, intake_id=ok.pk)
    soon = make_intake(PatientFactory(), yes={"weight_loss": True})
    with pytest.raises(NotFound):
        services.confirm_doctor_clearance(patient=patient, intake_id=soon.pk)


def test_an_update_adds_a_revision_and_keeps_the_earlier_one():
    patient = PatientFactory()
    first = make_intake(patient, back_pain=(7, 6, 9))

    second = make_intake(patient, back_pain=(3, 3, 5))

    first.refresh_from_db()
    assert first.back_pain_now == 7
    assert second.episode_id == first.episode_id
    assert selectors.current_intake(patient=patient) == second
    assert Intake.objects.filter(patient=patient).count() == 2


def test_a_new_episode_closes_the_open_one():
    patient = PatientFactory()
    old = make_intake(patient)

    new = make_intake(
        patient, new_episode=True, onset_date=timezone.localdate() - timedelta(days=2)
    )

    old.episode.refresh_from_db()
    assert old.episode.closed_at is not None
    assert new.episode.closed_at is None
    assert new.episode.started_on == timezone.localdate() - timedelta(days=2)
    assert selectors.current_intake(patient=patient) == new


def test_the_database_allows_one_open_episode_per_patient():
    patient = PatientFactory()
    make_intake(patient)

    with pytest.raises(IntegrityError), transaction.atomic():
        Episode.objects.create(patient=patient, started_on=timezone.localdate())


def test_pain_outside_0_to_10_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_intake(PatientFactory(), back_pain=(11, 4, 7))


def test_an_onset_in_the_future_is_refused():
    with pytest.raises(Invalid):
        make_intake(PatientFactory(), onset_date=timezone.localdate() + timedelta(days=1))


def test_onset_weeks_feeds_the_derived_reason():
    intake = make_intake(
        PatientFactory(),
        onset_date=timezone.localdate() - timedelta(weeks=7),
        yes={"not_improving": True},
    )

    assert intake.triage_reasons == ["no_improvement_6_weeks"]


def test_sharing_and_revoking_are_recorded_and_audited():
    patient, therapist = PatientFactory(), TherapistFactory()

    share = services.share_intake(patient=patient, therapist_email=therapist.email.upper())
    assert selectors.may_read_intake(viewer=therapist, patient=patient)
    services.revoke_share(patient=patient, share_id=share.pk)

    assert not selectors.may_read_intake(viewer=therapist, patient=patient)
    assert IntakeShare.objects.get(pk=share.pk).revoked_at is not None
    actions = list(AuditEvent.objects.filter(patient=patient).values_list("action", flat=True))
    assert sorted(actions) == ["consent.grant", "consent.revoke"]


def test_sharing_twice_is_a_conflict_and_sharing_again_after_revoking_works():
    patient, therapist = PatientFactory(), TherapistFactory()
    share = services.share_intake(patient=patient, therapist_email=therapist.email)
    with pytest.raises(Conflict):
        services.share_intake(patient=patient, therapist_email=therapist.email)

    services.revoke_share(patient=patient, share_id=share.pk)
    services.share_intake(patient=patient, therapist_email=therapist.email)

    assert IntakeShare.objects.filter(patient=patient, therapist=therapist).count() == 2


@pytest.mark.parametrize("who", ["patient", "nobody", "clinic-admin", "self"])
def test_a_share_to_an_address_no_therapist_has_is_kept_and_opens_nothing(who):
    patient = PatientFactory()
    person = {
        "patient": PatientFactory(),
        "nobody": None,
        "clinic-admin": ClinicAdminFactory(),
        "self": patient,
    }[who]
    email = person.email if person is not None else "nobody@example.org"

    share = services.share_intake(patient=patient, therapist_email=email.upper())

    assert share.email == email.lower()
    assert share.therapist is None
    if person is not None and person != patient:
        assert not selectors.may_read_intake(viewer=person, patient=patient)


def test_revoking_someone_elses_consent_is_not_found():
    share = services.share_intake(
        patient=PatientFactory(), therapist_email=TherapistFactory().email
    )

    with pytest.raises(NotFound):
        services.revoke_share(patient=PatientFactory(), share_id=share.pk)


def test_the_brief_is_audited_each_time_it_is_read():
    patient, therapist = PatientFactory(), TherapistFactory()
    make_intake(patient)
    services.share_intake(patient=patient, therapist_email=therapist.email)

    selectors.brief_for(viewer=therapist, patient_id=patient.pk)
    selectors.brief_for(viewer=therapist, patient_id=patient.pk)

    assert (
        AuditEvent.objects.filter(
            action="intake.brief.view", actor=therapist, patient=patient
        ).count()
        == 2
    )


def test_record_questionnaire_keeps_a_fhir_response_and_the_score():
    patient = PatientFactory()
    make_intake(patient)

    response = services.record_questionnaire(
        patient=patient, code="peg", answers={"peg-1": 6, "peg-2": 5, "peg-3": 7}, version="1.0"
    )

    assert response.score == 6.0
    assert response.resource["resourceType"] == "QuestionnaireResponse"
    assert response.episode == selectors.current_intake(patient=patient).episode
    assert answers_from_fhir(response.resource) == {"peg-1": 6, "peg-2": 5, "peg-3": 7}


def test_record_questionnaire_refuses_a_partial_response_and_stores_nothing():
    with pytest.raises(IncompleteResponse):
        services.record_questionnaire(
            patient=PatientFactory(), code="rmdq", answers={"rmdq-1": True}, version="1.0"
        )

    assert QuestionnaireResponse.objects.count() == 0


def test_a_clinic_admin_imports_licensed_odi_text_that_fits_the_scoring():
    admin = clinic_admin()

    imported = services.import_questionnaire(
        admin=admin, resource=odi_questionnaire(), licence_statement="Mapi #123"
    )

    assert (imported.code, imported.version) == ("odi", "2.1a")
    assert imported.clinic == admin.administered_clinics.get()
    assert selectors.questionnaire("odi", viewer=admin) == (imported.resource, "2.1a")


@pytest.mark.parametrize(
    ("resource", "code"),
    [
        ({"resourceType": "Patient"}, "invalid_questionnaire"),
        ("not a dict", "invalid_questionnaire"),
        (odi_questionnaire(status="bogus"), "invalid_questionnaire"),
        (odi_questionnaire(id="sf36"), "unknown_instrument"),
        (odi_questionnaire(id="rmdq"), "shipped_instrument"),
        (odi_questionnaire(item=odi_questionnaire()["item"][:9]), "does_not_fit"),
        (odi_questionnaire(version=None), "no_version"),
    ],
    ids=[
        "not-a-questionnaire",
        "not-json-object",
        "bad-status",
        "unknown",
        "shipped",
        "missing-item",
        "no-version",
    ],
)
def test_an_import_that_does_not_fit_is_refused_with_the_reason(resource, code):
    with pytest.raises(Invalid) as refused:
        services.import_questionnaire(
            admin=clinic_admin(), resource=resource, licence_statement="Mapi #123"
        )

    assert refused.value.code == code
    assert refused.value.message


def test_import_questionnaire_command(tmp_path, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    admin = clinic_admin()
    good, bad = tmp_path / "odi.json", tmp_path / "bad.json"
    good.write_text(json.dumps(odi_questionnaire()))
    bad.write_text(json.dumps(odi_questionnaire(id="sf36")))

    call_command("import_questionnaire", str(good), "--by", admin.email, "--licence", "Mapi #123")
    assert "Imported odi 2.1a" in capsys.readouterr().out
    with pytest.raises(CommandError, match="must be one of"):
        call_command(
            "import_questionnaire", str(bad), "--by", admin.email, "--licence", "Mapi #123"
        )
