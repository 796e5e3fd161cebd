"""Therapists' and clinics' outcome pages, the stored figures and the public profile: who may
see them, the 10-patient threshold, the audit trail, the daily refresh."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from sciaticare.audit.models import AuditEvent
from sciaticare.outcomes import practice_selectors
from sciaticare.outcomes.models import ClinicOutcome, TherapistOutcome
from sciaticare.outcomes.practice_services import refresh_outcomes
from sciaticare.web.context_processors import navigation_for
from tests.directory.factories import ClinicFactory, LocationFactory, TherapistProfileFactory
from tests.factories import ClinicAdminFactory, PatientFactory, SiteAdminFactory
from tests.outcomes.practice_world import START, Clock, responding_patient, signed_session

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def _world(patients: int):
    clinic, other_clinic = ClinicFactory(), ClinicFactory()
    location = LocationFactory(clinic=clinic)
    therapist = TherapistProfileFactory(location=location)
    admin, other_admin = ClinicAdminFactory(), ClinicAdminFactory()
    clinic.admins.add(admin)
    other_clinic.admins.add(other_admin)
    clock = Clock()
    treated = [PatientFactory() for _ in range(patients)]
    for n, patient in enumerate(treated):
        responding_patient(therapist, location, patient, clock, offset=n)
    return {
        "clinic": clinic,
        "therapist": therapist,
        "people": {
            "anonymous": None,
            "patient": treated[0] if treated else PatientFactory(),
            "therapist": therapist.user,
            "other_therapist": TherapistProfileFactory().user,
            "clinic_admin": admin,
            "other_clinic_admin": other_admin,
            "site_admin": SiteAdminFactory(),
        },
    }


@pytest.mark.parametrize(
    ("page", "allowed"),
    [
        ("therapist", {"therapist", "clinic_admin", "site_admin"}),
        ("clinic", {"clinic_admin", "site_admin"}),
    ],
)
@pytest.mark.parametrize(
    "role",
    [
        "anonymous",
        "patient",
        "therapist",
        "other_therapist",
        "clinic_admin",
        "other_clinic_admin",
        "site_admin",
    ],
)
def test_outcome_pages_by_role(client, page, allowed, role):
    world = _world(2)
    url = (
        reverse("outcomes:therapist_outcomes", args=[world["therapist"].pk])
        if page == "therapist"
        else reverse("outcomes:clinic_outcomes", args=[world["clinic"].pk])
    )
    person = world["people"][role]
    if person is not None:
        client.force_login(person)

    response = client.get(url)

    if role == "anonymous":
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    elif role in allowed:
        assert response.status_code == 200
        assert AuditEvent.objects.filter(action="outcomes.practice.view", actor=person).exists()
    else:
        assert response.status_code == 404
        assert not AuditEvent.objects.filter(action="outcomes.practice.view").exists()


@pytest.mark.parametrize("role", ["patient", "clinic_admin", "site_admin"])
def test_my_outcomes_is_for_therapists_only(client, role):
    world = _world(0)
    client.force_login(world["people"][role])

    assert client.get(reverse("outcomes:my_outcomes")).status_code == 404


def test_a_therapist_is_sent_to_their_own_report(client):
    world = _world(0)
    client.force_login(world["people"]["therapist"])

    response = client.get(reverse("outcomes:my_outcomes"))

    assert response["Location"] == reverse(
        "outcomes:therapist_outcomes", args=[world["therapist"].pk]
    )


@pytest.mark.parametrize("role", ["patient", "therapist"])
def test_the_clinic_list_refuses_people_who_run_no_clinic(client, role):
    world = _world(0)
    client.force_login(world["people"][role])

    assert client.get(reverse("outcomes:clinic_outcomes_list")).status_code == 404


def test_a_clinic_admin_of_one_clinic_goes_straight_to_its_report(client):
    world = _world(0)
    client.force_login(world["people"]["clinic_admin"])

    response = client.get(reverse("outcomes:clinic_outcomes_list"))

    assert response["Location"] == reverse("outcomes:clinic_outcomes", args=[world["clinic"].pk])


def test_nine_patients_show_counts_but_no_figures(client):
    world = _world(9)
    client.force_login(world["people"]["clinic_admin"])

    page = client.get(reverse("outcomes:clinic_outcomes", args=[world["clinic"].pk]))

    report = page.context["report"]
    assert report.total.patients == 9
    assert (report.total.relief.value, report.total.responders.value) == (None, None)
    assert report.total.questionnaire_change.value is None
    assert "Shown once at least 10 patients have data" in page.text
    assert "shown from 10 patients" not in page.text
    assert "2.0-point drop" not in page.text


def test_ten_patients_show_every_figure_with_its_count(client):
    world = _world(10)
    client.force_login(world["people"]["therapist"])

    page = client.get(reverse("outcomes:therapist_outcomes", args=[world["therapist"].pk]))

    outcomes = page.context["report"].outcomes
    # Worse site: leg 7 → 4 is a 3-point drop; diary 7 → 3 responds; RMDQ 12 → 6.
    assert (outcomes.patients, outcomes.relief.value, outcomes.relief.patients) == (10, 3.0, 10)
    assert (outcomes.responders.value, outcomes.responders.patients) == (100.0, 10)
    assert outcomes.questionnaire_change.value == 6.0
    assert "3.0-point drop in pain" in page.text


def test_a_clinic_report_counts_only_its_own_sessions(client):
    world = _world(10)
    elsewhere = LocationFactory()
    world["therapist"].clinics.add(elsewhere.clinic)
    clock = Clock()
    for n in range(3):
        signed_session(
            therapist=world["therapist"],
            patient=PatientFactory(),
            location=elsewhere,
            start=clock.free(world["therapist"], START + timedelta(days=200 + n)),
        )

    report = practice_selectors.clinic_report(
        viewer=world["people"]["clinic_admin"], clinic_id=world["clinic"].pk
    )
    own = practice_selectors.therapist_report(
        viewer=world["people"]["therapist"], profile_id=world["therapist"].pk
    )

    assert report.total.patients == 10
    assert [(t.pk, o.patients) for t, o in report.therapists] == [(world["therapist"].pk, 10)]
    assert own.outcomes.patients == 13


def test_refresh_stores_figures_and_the_public_profile_shows_them_from_ten(client):
    world = _world(10)
    small = _world(9)

    written = refresh_outcomes()

    stored = TherapistOutcome.objects.get(therapist=world["therapist"])
    assert (stored.patients, stored.relief_median, stored.responder_percent) == (10, 3.0, 100.0)
    hidden = TherapistOutcome.objects.get(therapist=small["therapist"])
    assert (hidden.patients, hidden.relief_median, hidden.relief_patients) == (9, None, 9)
    assert ClinicOutcome.objects.get(clinic=world["clinic"], therapist=None).patients == 10
    assert written == TherapistOutcome.objects.count() + ClinicOutcome.objects.count()

    shown = client.get(reverse("directory:profile", args=[world["therapist"].pk]))
    not_shown = client.get(reverse("directory:profile", args=[small["therapist"].pk]))
    assert "What patients report" in shown.text
    assert "A median 3.0-point drop in pain" in shown.text
    assert "What patients report" not in not_shown.text


def test_a_figure_below_the_threshold_cannot_be_stored():
    therapist = TherapistProfileFactory()

    with pytest.raises(IntegrityError):
        TherapistOutcome.objects.create(
            therapist=therapist,
            patients=9,
            relief_median=2.0,
            relief_patients=9,
            responder_patients=0,
            questionnaire_patients=0,
            computed_at=timezone.now(),
        )


def test_the_command_and_the_daily_task_refresh(settings):
    world = _world(10)
    settings.TASKS = IMMEDIATE

    call_command("refresh_outcomes")
    assert TherapistOutcome.objects.filter(therapist=world["therapist"]).exists()
    TherapistOutcome.objects.all().delete()
    call_command("refresh_outcomes", "--enqueue")
    assert TherapistOutcome.objects.filter(therapist=world["therapist"]).exists()


def test_outcome_terms_give_ranking_the_shown_medians_and_the_overall_mean():
    big, small = _world(10), _world(9)
    refresh_outcomes()

    terms = practice_selectors.outcome_terms([big["therapist"].pk, small["therapist"].pk])

    assert terms.by_therapist == {big["therapist"].pk: (3.0, 10)}
    assert terms.overall_relief == 3.0


def test_navigation_links_to_outcomes_by_role():
    world = _world(0)
    therapist_links = dict(navigation_for(world["people"]["therapist"]))
    admin_links = dict(navigation_for(world["people"]["clinic_admin"]))
    patient_links = dict(navigation_for(world["people"]["patient"]))

    assert therapist_links["My outcomes"] == reverse("outcomes:my_outcomes")
    assert admin_links["Clinic outcomes"] == reverse("outcomes:clinic_outcomes_list")
    assert "My outcomes" not in patient_links
    assert "Clinic outcomes" not in patient_links
