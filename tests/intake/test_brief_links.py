"""A "brief" link is shown only where a brief can be opened: a client with no intake yet is
listed with "No intake shared yet" (the dashboard's Today rows, the Clients page), and their
brief's address says so instead of "Page not found". The access rule is unchanged (a stranger
still gets 404) and reading a brief is still audited. Checked with factories and with the demo
data, where most patients have no intake."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time

import pytest
from django.core.management import call_command
from django.utils import timezone

from sciaticare.accounts.models import User
from sciaticare.audit.models import AuditEvent
from sciaticare.intake import services as intake_services
from tests.factories import PatientFactory
from tests.intake.factories import make_intake
from tests.scheduling.helpers import LONDON, place_appointment, working_therapist

pytestmark = pytest.mark.django_db

MORNING = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)  # a Saturday; London is on UTC
BRIEF = re.compile(r'href="(/intake/clients/\d+/)"')


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: MORNING)


@pytest.fixture
def world(frozen):
    therapist, session, location = working_therapist()
    with_intake = PatientFactory(first_name="Maya")
    make_intake(with_intake)
    without = PatientFactory(first_name="Daria", last_name="Roberts")
    for hour, patient in ((9, with_intake), (11, without)):
        place_appointment(
            patient=patient,
            therapist=therapist,
            session=session,
            location=location,
            start=datetime.combine(MORNING.date(), time(hour), tzinfo=LONDON),
        )
    return therapist.user, with_intake, without


def test_only_a_client_with_an_intake_gets_a_brief_link(world, client):
    therapist, with_intake, _ = world
    client.force_login(therapist)
    for page in ("/dashboard/", "/intake/clients/"):
        body = client.get(page).content.decode()
        assert BRIEF.findall(body) == [f"/intake/clients/{with_intake.pk}/"], page
        assert "No intake shared yet" in body, page


def test_a_clients_brief_without_an_intake_says_so_not_404(world, client):
    therapist, _, without = world
    client.force_login(therapist)

    response = client.get(f"/intake/clients/{without.pk}/")

    assert response.status_code == 200
    assert "No intake shared yet" in response.content.decode()
    assert "Daria Roberts" in response.content.decode()
    # Once she fills one in, the link and the brief appear (and the read is audited).
    make_intake(without)
    assert f"/intake/clients/{without.pk}/" in client.get("/dashboard/").content.decode()
    assert client.get(f"/intake/clients/{without.pk}/").status_code == 200
    assert AuditEvent.objects.filter(
        action="intake.brief.view", actor=therapist, patient=without
    ).exists()


def test_a_stranger_still_gets_page_not_found(world, client):
    _, with_intake, without = world
    stranger, _, _ = working_therapist()
    client.force_login(stranger.user)
    for patient in (with_intake, without):
        assert client.get(f"/intake/clients/{patient.pk}/").status_code == 404


def test_a_share_without_a_current_intake_is_listed_without_a_link(world, client):
    therapist, _, _ = world
    sharer = PatientFactory(first_name="Sam")
    intake_services.share_intake(patient=sharer, therapist_email=therapist.email)
    client.force_login(therapist)
    body = client.get("/intake/clients/").content.decode()
    assert f"/intake/clients/{sharer.pk}/" not in body
    assert client.get(f"/intake/clients/{sharer.pk}/").status_code == 200


def test_every_brief_link_of_the_demo_therapist_opens(frozen, client, settings):
    settings.STAFF_MFA_REQUIRED = False  # the demo's therapist has an authenticator
    call_command("seed_demo")
    therapist = User.objects.get(email="therapist@example.com")
    client.force_login(therapist)
    links = set()
    for page in ("/dashboard/", "/intake/clients/"):
        response = client.get(page)
        assert response.status_code == 200, page
        links |= set(BRIEF.findall(response.content.decode()))
    assert links  # the demo patient's shared intake
    for link in sorted(links):
        response = client.get(link)
        assert response.status_code == 200, link
        assert "No intake shared yet" not in response.content.decode(), link
