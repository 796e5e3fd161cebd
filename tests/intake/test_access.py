"""Who may open each intake page, and refusals that leak nothing (docs/security.md)."""

import pytest
from django.urls import reverse

from sciaticare.intake import services
from tests.factories import ClinicAdminFactory, PatientFactory, SiteAdminFactory, TherapistFactory
from tests.intake.factories import make_intake

pytestmark = pytest.mark.django_db

SECRET_GOAL = "Dance at my sister's wedding in May"


@pytest.fixture
def world():
    patient = PatientFactory(first_name="Rowena", last_name="Quill")
    intake = make_intake(patient, goals=SECRET_GOAL)
    therapist = TherapistFactory()
    share = services.share_intake(patient=patient, therapist_email=therapist.email)
    revoked_therapist = TherapistFactory()
    old = services.share_intake(patient=patient, therapist_email=revoked_therapist.email)
    services.revoke_share(patient=patient, share_id=old.pk)
    return {
        "intake": intake,
        "share": share,
        "people": {
            "anonymous": None,
            "patient": patient,
            "other_patient": PatientFactory(),
            "therapist": therapist,
            "other_therapist": TherapistFactory(),
            "revoked_therapist": revoked_therapist,
            "clinic_admin": ClinicAdminFactory(),
            "site_admin": SiteAdminFactory(),
        },
    }


def _url(name, world):
    patient = world["people"]["patient"]
    return {
        "home": reverse("intake:home"),
        "form": reverse("intake:form"),
        "detail": reverse("intake:detail", args=[world["intake"].pk]),
        "revoke": reverse("intake:revoke", args=[world["share"].pk]),
        "questionnaire": reverse("intake:questionnaire", args=["peg"]),
        "import": reverse("intake:import_questionnaire"),
        "clients": reverse("intake:clients"),
        "brief": reverse("intake:brief", args=[patient.pk]),
    }[name]


# page → who gets what (200 allowed; 302 to sign in; 403 wrong role; 404 not theirs).
MATRIX = {
    "home": {
        "anonymous": 302,
        "patient": 200,
        "other_patient": 200,
        "therapist": 403,
        "clinic_admin": 403,
    },
    "form": {
        "anonymous": 302,
        "patient": 200,
        "other_patient": 200,
        "therapist": 403,
        "site_admin": 403,
    },
    "detail": {
        "anonymous": 302,
        "patient": 200,
        "other_patient": 404,
        "therapist": 403,
        "site_admin": 403,
    },
    "revoke": {"anonymous": 302, "patient": 200, "other_patient": 404, "therapist": 403},
    "questionnaire": {"anonymous": 302, "patient": 200, "therapist": 403},
    "import": {
        "anonymous": 302,
        "patient": 403,
        "therapist": 403,
        "clinic_admin": 200,
        "site_admin": 200,
    },
    "clients": {"anonymous": 302, "patient": 403, "therapist": 200, "clinic_admin": 403},
    "brief": {
        "anonymous": 302,
        "patient": 403,
        "other_patient": 403,
        "therapist": 200,
        "other_therapist": 404,
        "revoked_therapist": 404,
        "clinic_admin": 403,
        "site_admin": 403,
    },
}
CASES = [(page, who, status) for page, row in MATRIX.items() for who, status in row.items()]


@pytest.mark.parametrize(("page", "who", "status"), CASES, ids=[f"{p}-{w}" for p, w, _ in CASES])
def test_intake_pages_authorization(client, world, page, who, status):
    person = world["people"][who]
    if person is not None:
        client.force_login(person)

    response = client.get(_url(page, world))

    assert response.status_code == status
    if status != 200:
        body = response.content.decode()
        assert SECRET_GOAL not in body
        assert "Rowena" not in body
    if status == 302:
        assert response["Location"].startswith(reverse("account_login"))


def test_the_brief_shows_the_shared_intake_to_its_therapist(client, world):
    client.force_login(world["people"]["therapist"])

    body = client.get(_url("brief", world)).content.decode()

    assert SECRET_GOAL.replace("'", "&#x27;") in body
    assert "Rowena" in body


def test_the_clients_list_names_only_who_shared_with_this_therapist(client, world):
    client.force_login(world["people"]["other_therapist"])

    assert "Rowena" not in client.get(_url("clients", world)).content.decode()


def test_revoking_stops_access_at_once(client, world):
    patient, therapist = world["people"]["patient"], world["people"]["therapist"]
    client.force_login(patient)
    client.post(_url("revoke", world))

    client.force_login(therapist)

    assert client.get(_url("brief", world)).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("other_patient", 404), ("therapist", 403), ("anonymous", 302)],
)
def test_nobody_else_can_confirm_clearance_or_revoke(client, world, who, status):
    person = world["people"][who]
    if person is not None:
        client.force_login(person)
    clearance = reverse("intake:clearance", args=[world["intake"].pk])

    assert client.post(clearance, {"confirm": "yes"}).status_code == status
    assert client.post(_url("revoke", world)).status_code == status
    world["share"].refresh_from_db()
    assert world["share"].revoked_at is None


def test_the_brief_page_uses_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    client.force_login(world["people"]["therapist"])
    for code, answers in [("nrs-back", {"nrs-back-1": 5}), ("nrs-leg", {"nrs-leg-1": 6})]:
        services.record_questionnaire(
            patient=world["people"]["patient"], code=code, answers=answers, version="1.0"
        )

    with django_assert_max_num_queries(14):
        assert client.get(_url("brief", world)).status_code == 200
