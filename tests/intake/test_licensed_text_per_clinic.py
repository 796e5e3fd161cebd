"""Licensed questionnaire text belongs to the clinic that imported it (issue 13, point 5): its
therapists, admins and patients see it; other clinics keep their own text, or none."""

import pytest
from django.urls import reverse

from sciaticare.core.errors import Invalid
from sciaticare.intake import selectors, services
from tests.directory.factories import ClinicFactory, TherapistProfileFactory
from tests.factories import ClinicAdminFactory, PatientFactory
from tests.intake.factories import clinic_admin, odi_questionnaire, patient_of

pytestmark = pytest.mark.django_db


def _odi_text(label: str) -> dict:
    resource = odi_questionnaire()
    for item in resource["item"]:
        item["text"] = f"{label}: {item['text']}"
    return resource


@pytest.fixture
def two_clinics():
    admin_a, admin_b = clinic_admin(), clinic_admin()
    clinic_a, clinic_b = admin_a.administered_clinics.get(), admin_b.administered_clinics.get()
    services.import_questionnaire(
        admin=admin_a, resource=_odi_text("Clinic A licensed text"), licence_statement="Mapi A"
    )
    return {"a": clinic_a, "b": clinic_b, "admin_a": admin_a, "admin_b": admin_b}


def test_clinic_bs_patient_does_not_see_clinic_as_imported_text(client, two_clinics):
    client.force_login(patient_of(two_clinics["b"]))

    page = client.get(reverse("intake:questionnaire", args=["odi"]))
    home = client.get(reverse("intake:home")).content.decode()

    assert page.status_code == 404
    assert "Clinic A licensed text" not in page.content.decode()
    assert reverse("intake:questionnaire", args=["odi"]) not in home


def test_clinic_as_patient_sees_it(client, two_clinics):
    client.force_login(patient_of(two_clinics["a"]))

    page = client.get(reverse("intake:questionnaire", args=["odi"]))

    assert page.status_code == 200
    assert "Clinic A licensed text" in page.content.decode()


def test_a_patient_with_no_appointment_sees_no_licensed_text(two_clinics):
    assert selectors.questionnaire("odi", viewer=PatientFactory()) is None


def test_each_clinic_sees_its_own_import(two_clinics):
    services.import_questionnaire(
        admin=two_clinics["admin_b"],
        resource=_odi_text("Clinic B licensed text"),
        licence_statement="Mapi B",
    )
    patient_a, patient_b = patient_of(two_clinics["a"]), patient_of(two_clinics["b"])

    text_a = selectors.questionnaire("odi", viewer=patient_a)
    text_b = selectors.questionnaire("odi", viewer=patient_b)

    assert text_a is not None
    assert "Clinic A" in text_a[0]["item"][0]["text"]
    assert text_b is not None
    assert "Clinic B" in text_b[0]["item"][0]["text"]


def test_therapists_see_their_clinics_text_only(two_clinics):
    at_a = TherapistProfileFactory(location__clinic=two_clinics["a"]).user
    at_b = TherapistProfileFactory(location__clinic=two_clinics["b"]).user

    assert selectors.questionnaire("odi", viewer=at_a) is not None
    assert selectors.questionnaire("odi", viewer=at_b) is None
    assert selectors.questionnaire("odi", viewer=two_clinics["admin_b"]) is None


def test_the_next_appointment_decides_the_patients_clinic(two_clinics):
    from tests.records.conftest import past_appointment

    patient = patient_of(two_clinics["a"], days_ago=30)
    therapist_b = TherapistProfileFactory(location__clinic=two_clinics["b"])
    # A booked appointment ahead, at clinic B: that is the clinic now.
    past_appointment(therapist_b, patient, hours_ago=-48)

    assert selectors.questionnaire("odi", viewer=patient) is None


def test_the_import_page_lists_only_the_admins_clinics_imports(client, two_clinics):
    client.force_login(two_clinics["admin_b"])

    body = client.get(reverse("intake:import_questionnaire")).content.decode()

    assert "Mapi A" not in body


def test_an_admin_of_several_clinics_must_choose_and_may_choose_only_theirs(two_clinics):
    admin = ClinicAdminFactory()
    ClinicFactory(admins=[admin])
    ClinicFactory(admins=[admin])

    with pytest.raises(Invalid) as unchosen:
        services.import_questionnaire(
            admin=admin, resource=odi_questionnaire(), licence_statement="Mapi C"
        )
    with pytest.raises(Invalid) as not_theirs:
        services.import_questionnaire(
            admin=admin,
            resource=odi_questionnaire(),
            licence_statement="Mapi C",
            clinic_id=two_clinics["a"].pk,
        )

    assert unchosen.value.code == "clinic_required"
    assert not_theirs.value.code == "clinic_not_yours"
