"""A signed-in patient's intake shapes the ranking: prenatal when pregnant, gentle techniques
when a precaution asks for gentle or no deep pressure."""

import pytest

from sciaticare.directory.fit import fit_for
from sciaticare.intake.selectors import search_fit
from tests.directory.factories import TherapistProfileFactory
from tests.factories import PatientFactory, TherapistFactory
from tests.intake.factories import make_intake

pytestmark = pytest.mark.django_db
MANCHESTER = {"lat": 53.4808, "lon": -2.2426, "radius_km": 25}


@pytest.mark.parametrize(
    ("yes", "pregnant", "gentle"),
    [
        ({}, False, False),
        ({"pregnant": True}, True, False),
        ({"anticoagulants": True}, False, True),
        ({"osteoporosis_or_steroids": True}, False, True),
    ],
)
def test_search_fit_comes_from_the_current_intake(yes, pregnant, gentle):
    patient = PatientFactory()
    make_intake(patient, yes=yes)

    fit = search_fit(user=patient)

    assert (fit.pregnant, fit.gentle_pressure) == (pregnant, gentle)


def test_no_intake_or_not_a_patient_means_no_fit():
    assert search_fit(user=PatientFactory()).pregnant is False
    assert search_fit(user=TherapistFactory()).gentle_pressure is False


def test_a_pregnant_patient_sees_the_prenatal_reason_first_in_line(client):
    prenatal = TherapistProfileFactory(offers_prenatal=True)
    TherapistProfileFactory()
    patient = PatientFactory()
    make_intake(patient, yes={"pregnant": True})
    client.force_login(patient)

    items = client.get("/api/v1/therapists", MANCHESTER).json()["items"]

    assert items[0]["id"] == prenatal.pk
    assert "offers prenatal massage" in items[0]["match_reasons"]


def test_search_asks_intake_through_the_seam_intake_installs():
    """The directory sits below intake and may not import it: intake installs its fit source."""
    patient = PatientFactory()
    make_intake(patient, yes={"pregnant": True, "anticoagulants": True})

    assert fit_for(patient) == search_fit(user=patient)
    assert fit_for(patient).pregnant
