"""Combined red flags and the triage headline as people read them: plain words on the patient's
pages, clinical words in the therapist's brief (docs/clinical.md, "Combinations")."""

import pytest
from django.urls import reverse

from sciaticare.intake import services
from sciaticare.intake.triage.reasons import REASONS
from tests.factories import PatientFactory, TherapistFactory
from tests.intake.factories import make_intake

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def test_an_intake_with_cancer_history_and_foot_drop_is_a_cord_compression_emergency(client):
    patient = PatientFactory()
    intake = make_intake(patient, yes={"cancer_history": True, "foot_drop": True})

    assert intake.triage_level == "emergency"
    assert intake.triage_reasons == [
        "foot_drop",
        "cancer_history",
        "possible_spinal_cord_compression",
    ]
    client.force_login(patient)
    body = _text(client.get(reverse("intake:detail", args=[intake.pk])))
    assert REASONS["possible_spinal_cord_compression"].plain in body
    assert "acute oncology" in body


def test_the_brief_gives_the_combined_reason_in_clinical_words(client):
    patient = PatientFactory()
    make_intake(patient, yes={"cancer_history": True, "weight_loss": True})
    therapist = TherapistFactory()
    services.share_intake(patient=patient, therapist_email=therapist.email)
    client.force_login(therapist)

    body = _text(client.get(reverse("intake:brief", args=[patient.pk])))

    assert "possible spinal metastases" in body
    assert "NICE NG234" in body
    assert REASONS["possible_spinal_metastases"].plain not in body


@pytest.mark.parametrize(
    ("yes", "headline"),
    [
        ({}, "Massage is a reasonable option"),
        ({"pregnant": True}, "Massage is a reasonable option, with precautions"),
        ({"weight_loss": True}, "See a doctor within two weeks, before massage"),
    ],
)
def test_the_headline_says_with_precautions_only_when_there_are_some(yes, headline):
    intake = make_intake(PatientFactory(), yes=yes)

    assert intake.triage_headline == headline


def test_the_intake_page_lists_without_precautions_when_there_are_none(client):
    patient = PatientFactory()
    make_intake(patient)
    client.force_login(patient)

    body = _text(client.get(reverse("intake:home")))

    assert "Massage is a reasonable option" in body
    assert "with precautions" not in body
