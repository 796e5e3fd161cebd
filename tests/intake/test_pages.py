"""Intake pages: filling the form, questionnaires, clearance, sharing, importing."""

import json
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from sciaticare.intake import services
from sciaticare.intake.models import (
    Intake,
    IntakeShare,
    QuestionnaireDefinition,
    QuestionnaireResponse,
)
from sciaticare.intake.triage.questions import QUESTIONS
from tests.factories import PatientFactory, TherapistFactory
from tests.intake.factories import clinic_admin, make_intake, odi_questionnaire, patient_of

pytestmark = pytest.mark.django_db


def _form(**changes):
    data = {
        "age": "44",
        "onset_date": (timezone.localdate() - timedelta(weeks=2)).isoformat(),
        "regions": ["left_buttock", "left_back_of_thigh"],
        "qualities": ["shooting"],
        "back_pain_now": "4",
        "back_pain_average": "4",
        "back_pain_worst": "6",
        "leg_pain_now": "6",
        "leg_pain_average": "5",
        "leg_pain_worst": "8",
        "worse_with": ["sitting"],
        "goals": "Garden again",
    }
    data.update({f"q_{q.code}": "no" for q in QUESTIONS})
    data.update(changes)
    return data


def test_a_patient_fills_the_intake_and_sees_the_result(client):
    patient = PatientFactory()
    client.force_login(patient)

    response = client.post(reverse("intake:form"), _form(q_pregnant="yes"), follow=True)

    intake = Intake.objects.get(patient=patient)
    assert intake.regions == ["left_buttock", "left_back_of_thigh"]
    assert intake.triage_precautions == ["check_with_midwife"]
    assert b"Massage is a reasonable option" in response.content


def test_an_unanswered_safety_question_is_refused_and_nothing_is_saved(client):
    patient = PatientFactory()
    client.force_login(patient)
    data = _form()
    del data["q_saddle_numbness"]

    response = client.post(reverse("intake:form"), data)

    assert response.status_code == 422
    assert b"Please answer yes or no." in response.content
    assert not Intake.objects.filter(patient=patient).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("back_pain_now", "11"), ("age", "0"), ("onset_date", "2999-01-01"), ("regions", ["elbow"])],
)
def test_bad_values_are_refused_with_a_422(client, field, value):
    client.force_login(PatientFactory())

    assert client.post(reverse("intake:form"), _form(**{field: value})).status_code == 422
    assert Intake.objects.count() == 0


def test_the_update_form_is_prefilled_from_the_last_intake(client):
    patient = PatientFactory()
    make_intake(patient, goals="Swim 20 lengths")
    client.force_login(patient)

    body = client.get(reverse("intake:form")).content.decode()

    assert "Swim 20 lengths" in body
    assert re.search(r'value="right_calf"[^>]*checked', body)
    assert not re.search(r'value="left_calf"[^>]*checked', body)


def test_the_clearance_form_records_the_confirmation(client):
    patient = PatientFactory()
    intake = make_intake(patient, yes={"night_pain": True})
    client.force_login(patient)

    client.post(reverse("intake:clearance", args=[intake.pk]), {"confirm": "yes"})

    intake.refresh_from_db()
    assert intake.doctor_cleared_at is not None


def test_sharing_from_the_page(client):
    patient, therapist = PatientFactory(), TherapistFactory()
    client.force_login(patient)

    client.post(reverse("intake:share"), {"therapist_email": therapist.email})
    response = client.post(
        reverse("intake:share"), {"therapist_email": "nobody@example.org"}, follow=True
    )

    assert IntakeShare.objects.filter(patient=patient, therapist=therapist).exists()
    # The answer is the same whether or not a therapist has the address (no probing).
    assert b"If a therapist with the address nobody@example.org uses Sciaticare" in response.content
    assert therapist.display_name.encode() not in response.content


def test_a_questionnaire_page_scores_and_keeps_the_response(client):
    patient = PatientFactory()
    client.force_login(patient)

    response = client.post(
        reverse("intake:questionnaire", args=["peg"]), {"peg-1": "6", "peg-2": "5", "peg-3": "7"}
    )

    assert response.status_code == 302
    assert QuestionnaireResponse.objects.get(patient=patient).score == 6.0


def test_a_partial_questionnaire_marks_the_missing_items(client):
    client.force_login(PatientFactory())

    response = client.post(reverse("intake:questionnaire", args=["peg"]), {"peg-1": "6"})

    assert response.status_code == 422
    assert response.content.count(b"Please answer this.") == 2
    assert QuestionnaireResponse.objects.count() == 0


def test_licensed_questionnaires_are_not_offered_until_imported(client):
    client.force_login(PatientFactory())

    assert client.get(reverse("intake:questionnaire", args=["odi"])).status_code == 404


def test_import_page_accepts_a_fitting_file_and_refuses_others(client):
    admin = clinic_admin()
    client.force_login(admin)
    url = reverse("intake:import_questionnaire")

    bad = client.post(
        url, {"resource": SimpleUploadedFile("x.json", b"{oops"), "licence_statement": "Mapi #1"}
    )
    assert bad.status_code == 422
    assert b"not JSON" in bad.content
    good = SimpleUploadedFile("odi.json", json.dumps(odi_questionnaire()).encode())
    client.post(url, {"resource": good, "licence_statement": "Mapi #1"})

    assert QuestionnaireDefinition.objects.filter(code="odi").exists()
    patient = patient_of(admin.administered_clinics.get())
    client.force_login(patient)
    assert client.get(reverse("intake:questionnaire", args=["odi"])).status_code == 200


def test_an_odi_with_one_section_answered_is_not_scored_and_names_the_rest(client):
    admin = clinic_admin()
    services.import_questionnaire(
        admin=admin, resource=odi_questionnaire(), licence_statement="Mapi #1"
    )
    client.force_login(patient_of(admin.administered_clinics.get()))

    response = client.post(reverse("intake:questionnaire", args=["odi"]), {"odi-3": "5"})

    assert response.status_code == 422
    body = response.content.decode()
    assert "at least 8 of its 10 sections are answered (answered: 1)" in body
    assert "Unanswered sections: 1, 2, 4, 5, 6, 7, 8, 9, 10." in body
    assert response.content.count(b"Please answer this.") == 9
    assert QuestionnaireResponse.objects.count() == 0
