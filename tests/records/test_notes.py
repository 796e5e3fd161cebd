"""Session notes: drafts, prefill, pressure warnings, signing locks every path, amendments."""

import pytest
from django.contrib.admin.sites import site as admin_site
from django.db import DatabaseError, IntegrityError, connection, transaction

from sciaticare.audit.models import AuditEvent
from sciaticare.core.errors import Conflict, Invalid, NotFound
from sciaticare.records import selectors, services
from sciaticare.records.models import Amendment, NoteLocked, SessionNote
from sciaticare.scheduling.models import AppointmentChange
from sciaticare.scheduling.services.attendance import mark_attendance
from tests.records.conftest import ASSESSMENT, SUBJECTIVE, draft_note, signed_note

pytestmark = pytest.mark.django_db


def test_a_new_note_is_prefilled_from_the_intake(clinic_world):
    note = services.start_note(
        therapist_user=clinic_world["people"]["therapist"],
        appointment_id=clinic_world["appointment"].pk,
    )

    assert "From the intake of" in note.subjective
    assert "Walk the dog" in note.subjective
    assert note.minutes == 60


def test_only_the_appointments_therapist_writes_the_note(clinic_world):
    for who in ("other_therapist", "patient", "clinic_admin"):
        with pytest.raises(NotFound):
            services.start_note(
                therapist_user=clinic_world["people"][who],
                appointment_id=clinic_world["appointment"].pk,
            )


def test_unknown_fields_and_bad_codes_are_refused(clinic_world):
    with pytest.raises(Invalid):
        draft_note(clinic_world, signed_at="2026-01-01")
    with pytest.raises(Invalid):
        draft_note(clinic_world, regions=["elbow"])
    with pytest.raises(Invalid):
        draft_note(clinic_world, techniques=["reiki"])


def test_pain_out_of_range_is_refused_before_the_database(clinic_world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        draft_note(clinic_world, back_pain_before=11)


def test_firm_pressure_against_anticoagulants_needs_acknowledgement(clinic_world):
    therapist, appointment_id = clinic_world["people"]["therapist"], clinic_world["appointment"].pk
    note = draft_note(clinic_world, pressure="firm")
    assert services.warnings_for(note)

    with pytest.raises(Invalid) as refused:
        services.sign_note(therapist_user=therapist, appointment_id=appointment_id)
    assert refused.value.code == "pressure_not_acknowledged"

    services.save_draft(
        therapist_user=therapist,
        appointment_id=appointment_id,
        values={"pressure_warning_acknowledged": True},
    )
    assert services.sign_note(therapist_user=therapist, appointment_id=appointment_id).is_signed


def test_changing_the_pressure_clears_the_acknowledgement(clinic_world):
    note = draft_note(clinic_world, pressure="moderate", pressure_warning_acknowledged=True)
    assert note.pressure_warning_acknowledged

    note = services.save_draft(
        therapist_user=clinic_world["people"]["therapist"],
        appointment_id=clinic_world["appointment"].pk,
        values={"pressure": "firm"},
    )
    assert not note.pressure_warning_acknowledged


def test_signing_records_who_and_when_and_completes_the_session(clinic_world):
    note = signed_note(clinic_world)

    assert note.signed_by == clinic_world["people"]["therapist"]
    clinic_world["appointment"].refresh_from_db()
    assert clinic_world["appointment"].status == "completed"


def test_signing_completes_the_session_through_scheduling_with_its_change_row_and_audit(
    clinic_world,
):
    therapist = clinic_world["people"]["therapist"]
    appointment = clinic_world["appointment"]

    signed_note(clinic_world)

    change = AppointmentChange.objects.get(appointment=appointment)
    assert (change.kind, change.by) == ("completed", therapist)
    completed = AuditEvent.objects.get(action="appointment.completed")
    assert (completed.actor, completed.object_id) == (therapist, str(appointment.pk))


def test_signing_a_session_marked_attended_adds_no_second_completion(clinic_world):
    therapist = clinic_world["people"]["therapist"]
    appointment = clinic_world["appointment"]
    mark_attendance(therapist_user=therapist, appointment_id=appointment.pk, attended=True)

    signed_note(clinic_world)

    assert AppointmentChange.objects.filter(appointment=appointment).count() == 1
    assert AuditEvent.objects.filter(action="appointment.completed").count() == 1


def test_a_signed_note_cannot_change_through_the_service(clinic_world):
    signed_note(clinic_world)

    with pytest.raises(Conflict):
        services.save_draft(
            therapist_user=clinic_world["people"]["therapist"],
            appointment_id=clinic_world["appointment"].pk,
            values={"plan": "x"},
        )
    with pytest.raises(Conflict):
        services.sign_note(
            therapist_user=clinic_world["people"]["therapist"],
            appointment_id=clinic_world["appointment"].pk,
        )


def test_a_signed_note_cannot_change_through_the_model(clinic_world):
    note = signed_note(clinic_world)

    note.plan = "rewritten"
    with pytest.raises(NoteLocked):
        note.save()
    with pytest.raises(NoteLocked):
        note.delete()


def test_a_signed_note_cannot_change_through_a_queryset_or_sql(clinic_world):
    note = signed_note(clinic_world)

    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        SessionNote.objects.filter(pk=note.pk).update(plan="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE records_sessionnote SET assessment = 'x' WHERE id = %s", [note.pk])
    note.refresh_from_db()
    assert note.assessment == ASSESSMENT


def test_the_admin_offers_no_path_to_notes_or_amendments(client, clinic_world):
    note = signed_note(clinic_world)
    client.force_login(clinic_world["people"]["site_admin"])

    assert SessionNote not in admin_site._registry
    assert Amendment not in admin_site._registry
    assert client.get(f"/admin/records/sessionnote/{note.pk}/change/").status_code == 404


def test_amendments_keep_order_and_authorship_and_the_original_stays(clinic_world):
    signed_note(clinic_world)
    therapist, appointment_id = clinic_world["people"]["therapist"], clinic_world["appointment"].pk

    services.add_amendment(
        author=therapist, appointment_id=appointment_id, reason="Typo", text="Right calf, not left."
    )
    services.add_amendment(
        author=therapist,
        appointment_id=appointment_id,
        reason="Addendum",
        text="Client called: better.",
    )

    note = SessionNote.objects.get(appointment_id=appointment_id)
    assert [a.reason for a in note.amendments.all()] == ["Typo", "Addendum"]
    assert {a.author for a in note.amendments.all()} == {therapist}
    assert note.subjective == SUBJECTIVE
    amendment = note.amendments.first()
    amendment.text = "changed"
    with pytest.raises(NoteLocked):
        amendment.save()


def test_amendments_need_a_signed_note_a_reason_and_the_author(clinic_world):
    therapist, appointment_id = clinic_world["people"]["therapist"], clinic_world["appointment"].pk
    draft_note(clinic_world)
    with pytest.raises(Conflict):
        services.add_amendment(
            author=therapist, appointment_id=appointment_id, reason="r", text="t"
        )
    services.sign_note(therapist_user=therapist, appointment_id=appointment_id)
    with pytest.raises(Invalid):
        services.add_amendment(
            author=therapist, appointment_id=appointment_id, reason=" ", text="t"
        )
    with pytest.raises(NotFound):
        services.add_amendment(
            author=clinic_world["people"]["other_therapist"],
            appointment_id=appointment_id,
            reason="r",
            text="t",
        )


def test_every_read_by_someone_else_is_audited_with_the_reason(clinic_world):
    signed_note(clinic_world)
    admin = clinic_world["people"]["clinic_admin"]

    with pytest.raises(Invalid):
        selectors.read_note(viewer=admin, appointment_id=clinic_world["appointment"].pk)
    selectors.read_note(
        viewer=admin, appointment_id=clinic_world["appointment"].pk, reason="Complaint review #12"
    )

    event = AuditEvent.objects.get(action="note.view", actor=admin)
    assert event.reason == "Complaint review #12"
    assert event.patient == clinic_world["people"]["patient"]


def test_overdue_lists_sessions_unsigned_after_72_hours(clinic_world):
    from tests.records.conftest import past_appointment

    old = past_appointment(
        clinic_world["therapist"], clinic_world["people"]["patient"], hours_ago=80
    )
    recent = clinic_world["appointment"]

    overdue = list(selectors.overdue_for(therapist_user=clinic_world["people"]["therapist"]))

    assert old in overdue
    assert recent not in overdue


def test_templates_prefill_a_draft_without_client_data(client, clinic_world):
    therapist, appointment_id = clinic_world["people"]["therapist"], clinic_world["appointment"].pk
    draft_note(
        clinic_world, objective="Hypertonic piriformis", techniques=["swedish"], back_pain_before=7
    )
    client.force_login(therapist)

    client.post(
        f"/notes/{appointment_id}/template/", {"action": "save", "name": "Piriformis release"}
    )
    template = therapist.therapist_profile.note_templates.get(name="Piriformis release")
    assert template.values["objective"] == "Hypertonic piriformis"
    assert "back_pain_before" not in template.values
    assert "subjective" not in template.values

    from tests.records.conftest import past_appointment

    other = past_appointment(
        clinic_world["therapist"], clinic_world["people"]["patient"], hours_ago=30
    )
    client.post(f"/notes/{other.pk}/template/", {"action": "apply", "template": template.pk})
    note = SessionNote.objects.get(appointment=other)
    assert note.objective == "Hypertonic piriformis"
    assert note.techniques == ["swedish"]
    assert note.back_pain_before is None


def test_someone_elses_template_cannot_be_applied(client, clinic_world):
    from tests.directory.factories import TherapistProfileFactory

    stranger = TherapistProfileFactory()
    foreign = services.save_template(
        therapist_user=stranger.user, name="Mine", values={"plan": "x"}
    )
    client.force_login(clinic_world["people"]["therapist"])

    response = client.post(
        f"/notes/{clinic_world['appointment'].pk}/template/",
        {"action": "apply", "template": foreign.pk},
    )

    assert response.status_code == 404


def test_a_new_advice_line_joins_the_therapists_library(client, clinic_world):
    from sciaticare.records.models import HomeCareAdvice

    therapist, appointment_id = clinic_world["people"]["therapist"], clinic_world["appointment"].pk
    services.start_note(therapist_user=therapist, appointment_id=appointment_id)
    client.force_login(therapist)

    client.post(
        f"/notes/{appointment_id}/autosave/",
        {"adverse_event": "none", "new_home_care": "Swim twice a week."},
    )

    assert HomeCareAdvice.objects.filter(
        therapist=clinic_world["therapist"], text="Swim twice a week."
    ).exists()
    assert "Swim twice a week." in SessionNote.objects.get(appointment_id=appointment_id).home_care


def test_the_prefill_includes_the_last_weeks_pain_diary(clinic_world):
    from sciaticare.outcomes import services as outcomes_services

    outcomes_services.log_pain(patient=clinic_world["people"]["patient"], back_pain=6, leg_pain=4)

    note = services.start_note(
        therapist_user=clinic_world["people"]["therapist"],
        appointment_id=clinic_world["appointment"].pk,
    )

    assert "Pain diary, last 7 days (1 entry): median back 6/10, leg 4/10." in note.subjective


# --- Exercises are given in the home exercise programme, not as advice lines ----------------


def test_the_home_care_list_offers_no_exercise_and_keeps_the_other_advice(client, clinic_world):
    from sciaticare.records.models import BUILT_IN_HOME_CARE, RETIRED_HOME_CARE

    client.force_login(clinic_world["people"]["therapist"])

    body = client.get(f"/notes/{clinic_world['appointment'].pk}/").content.decode()

    for line in RETIRED_HOME_CARE:
        assert line not in body
    assert "Knee-to-chest" not in body
    assert "piriformis" not in body
    for line in BUILT_IN_HOME_CARE:
        assert f'value="{line}"' in body
    assert "Save the draft and open the home exercise programme" in body


def test_a_note_that_chose_a_retired_exercise_line_keeps_it(client, clinic_world):
    from sciaticare.records.models import RETIRED_HOME_CARE

    draft_note(clinic_world, home_care=[RETIRED_HOME_CARE[0]])
    client.force_login(clinic_world["people"]["therapist"])

    body = client.get(f"/notes/{clinic_world['appointment'].pk}/").content.decode()

    assert f'value="{RETIRED_HOME_CARE[0]}"' in body  # still shown, ticked, for this note
    note = SessionNote.objects.get(appointment_id=clinic_world["appointment"].pk)
    assert note.home_care == [RETIRED_HOME_CARE[0]]


def test_the_programme_button_saves_the_draft_then_opens_the_programme(client, clinic_world):
    therapist, appointment_id = clinic_world["people"]["therapist"], clinic_world["appointment"].pk
    client.force_login(therapist)

    response = client.post(
        f"/notes/{appointment_id}/autosave/",
        {"adverse_event": "none", "subjective": "Typed just now", "then": "programme"},
    )

    patient_id = clinic_world["people"]["patient"].pk
    assert response.status_code == 302
    assert (
        response.url == f"/exercises/patients/{patient_id}/programme/?appointment={appointment_id}"
    )
    assert SessionNote.objects.get(appointment_id=appointment_id).subjective == "Typed just now"


def test_sign_saves_what_was_typed_then_opens_the_sign_page(client, clinic_world):
    therapist, appointment_id = clinic_world["people"]["therapist"], clinic_world["appointment"].pk
    client.force_login(therapist)

    response = client.post(
        f"/notes/{appointment_id}/autosave/",
        {"adverse_event": "none", "subjective": "Typed after the last autosave", "then": "sign"},
    )

    assert response.status_code == 302
    assert response.url == f"/notes/{appointment_id}/sign/"
    note = SessionNote.objects.get(appointment_id=appointment_id)
    assert note.subjective == "Typed after the last autosave"
    assert not note.is_signed  # the sign page still asks


def test_a_refused_save_does_not_open_the_sign_page(client, clinic_world):
    therapist, appointment_id = clinic_world["people"]["therapist"], clinic_world["appointment"].pk
    client.force_login(therapist)

    response = client.post(
        f"/notes/{appointment_id}/autosave/",
        {"adverse_event": "none", "subjective": "x", "minutes": "-5", "then": "sign"},
    )

    assert response.status_code == 302
    assert response.url == f"/notes/{appointment_id}/"


def test_a_refused_save_stays_on_the_note_and_does_not_open_the_programme(client, clinic_world):
    therapist, appointment_id = clinic_world["people"]["therapist"], clinic_world["appointment"].pk
    client.force_login(therapist)

    response = client.post(
        f"/notes/{appointment_id}/autosave/",
        {"adverse_event": "none", "subjective": "x" * 100_000, "then": "programme"},
    )

    assert response.status_code == 302
    assert response.url == f"/notes/{appointment_id}/"
