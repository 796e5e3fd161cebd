"""The flare-up button goes straight to the confirm step for the session the plan's rule
suggests, and says so when that is the preferred therapist later than the earliest session
across the plan ("your preferred therapist, 1 day later"), with the earliest one tap away.
Issue 13, point 18: it showed Sunday 6 December as the earliest while a backup had Saturday
5 December at 08:00. Issue 20, point 4: dashboard → (re-check) → confirm → booked. The clock is
frozen on Friday 4 December 2026, 07:00 in London."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sciaticare.intake.models import Intake
from sciaticare.scheduling.models import Appointment, AppointmentStatus, WorkingHours
from tests.billing.factories import clinic_policy
from tests.directory.factories import LocationFactory, TherapistProfileFactory
from tests.factories import TherapistFactory
from tests.scheduling.helpers import bookable_patient, make_plan, place_appointment

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 4, 7, 0, tzinfo=UTC)  # a Friday; London is on GMT
SAT, SUN, TUE = 5, 6, 1  # Python weekdays, as WorkingHours counts them
FLARE_UP = reverse("scheduling:flare_up")


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


def _therapist(name: str, weekday: int, hour: int):
    """Works one weekday only, from `hour` for two hours, in London."""
    location = LocationFactory(time_zone="Europe/London")
    profile = TherapistProfileFactory(
        location=location, user=TherapistFactory(first_name=name, last_name="Test")
    )
    WorkingHours.objects.create(
        therapist=profile, location=location, weekday=weekday, start=time(hour), end=time(hour + 2)
    )
    return profile


def _busy_elsewhere(patient, start):
    """A session of the patient's with a therapist outside her plan, at `start`."""
    other = _therapist("Other", start.weekday(), start.hour)
    place_appointment(
        patient=patient,
        therapist=other,
        session=other.session_types.get(is_standard=True),
        location=WorkingHours.objects.get(therapist=other).location,
        start=start,
    )


def _patient(frozen, *therapists):
    """A patient whose intake is an hour old (no re-check due), with these therapists as plan."""
    patient = bookable_patient()
    Intake.objects.filter(patient=patient).update(created_at=frozen - timedelta(hours=1))
    make_plan(patient, *therapists)
    return patient


def _booking_form(body: str) -> tuple[str, str]:
    """The confirm step's form: where it posts, and the start it books."""
    action = re.search(r'<form method="post" action="(/book/\d+/)"', body).group(1)
    start = re.search(r'name="start" value="([^"]+)"', body).group(1)
    return action, start


@pytest.mark.parametrize(
    ("preferred", "backup", "confirmed", "suggestion"),
    [
        # The reported case: the backup's Saturday is the earliest; Sunday is the suggestion.
        (
            (SUN, 10),
            (SAT, 8),
            ("Preferred Test", "Sunday 6 December 2026, 10:00"),
            "We suggest your preferred therapist, 1 day later. The earliest session across "
            "your plan is with Backup Test: Saturday 5 December, 08:00 GMT.",
        ),
        (
            (SAT, 11),
            (SAT, 8),
            ("Preferred Test", "Saturday 5 December 2026, 11:00"),
            "We suggest your preferred therapist, later the same day. The earliest session "
            "across your plan is with Backup Test: Saturday 5 December, 08:00 GMT.",
        ),
        # More than two days later: the backup is both the earliest and the suggestion.
        ((TUE, 9), (SAT, 8), ("Backup Test", "Saturday 5 December 2026, 08:00"), None),
        # The preferred therapist is the earliest: nothing else to say.
        ((SAT, 8), (SUN, 10), ("Preferred Test", "Saturday 5 December 2026, 08:00"), None),
    ],
)
def test_the_button_opens_the_confirm_step_and_a_later_suggestion_says_so(
    client, frozen, preferred, backup, confirmed, suggestion
):
    patient = _patient(frozen, _therapist("Preferred", *preferred), _therapist("Backup", *backup))
    client.force_login(patient)

    answer = client.get(FLARE_UP)

    body = answer.content.decode()
    assert answer.status_code == 200
    assert "Confirm your booking" in body
    name, when = confirmed
    details = body[body.index("Your session") :]
    assert name in details
    assert when in details
    if suggestion:
        assert suggestion in " ".join(body.split())
        assert f'href="{FLARE_UP}?pick=earliest"' in body
    else:
        assert "We suggest" not in body
        assert "?pick=earliest" not in body
    assert not Appointment.objects.exists()  # a GET books nothing


def test_the_earliest_instead_is_one_tap_and_says_who_is_later(client, frozen):
    preferred, backup = _therapist("Preferred", SUN, 10), _therapist("Backup", SAT, 8)
    client.force_login(_patient(frozen, preferred, backup))

    body = client.get(FLARE_UP, {"pick": "earliest"}).content.decode()

    assert _booking_form(body) == (f"/book/{backup.pk}/", "2026-12-05T08:00:00+00:00")
    assert (
        "This is the earliest session across your plan. Your preferred therapist, Preferred "
        "Test, is free 1 day later: Sunday 6 December, 10:00 GMT."
    ) in " ".join(body.split())
    assert f'href="{FLARE_UP}"' in body


def test_confirming_books_the_session_shown(client, frozen):
    preferred = _therapist("Preferred", SAT, 8)
    patient = _patient(frozen, preferred)
    client.force_login(patient)
    action, start = _booking_form(client.get(FLARE_UP).content.decode())

    booked = client.post(action, {"start": start, "confirm": "yes", "back": "flare_up"})

    appointment = Appointment.objects.get(patient=patient)
    assert booked["Location"] == reverse("scheduling:appointment", args=[appointment.pk])
    assert appointment.therapist == preferred
    assert appointment.status == AppointmentStatus.BOOKED


def test_back_from_the_flare_up_confirm_step_is_the_dashboard(client, frozen):
    client.force_login(_patient(frozen, _therapist("Preferred", SAT, 8)))

    body = client.get(FLARE_UP).content.decode()

    assert re.search(r'<a class="button secondary" href="/dashboard/">Back</a>', body)


def test_a_deposit_is_kept_the_confirm_step_names_it_and_the_time_is_held(
    client, frozen, stripe_server
):
    therapist = _therapist("Preferred", SAT, 8)
    clinic_policy(WorkingHours.objects.get(therapist=therapist).location.clinic)
    patient = _patient(frozen, therapist)
    client.force_login(patient)

    body = client.get(FLARE_UP).content.decode()
    action, start = _booking_form(body)
    held = client.post(action, {"start": start, "confirm": "yes", "back": "flare_up"})

    assert "Confirm and pay the £10.00 deposit" in body
    appointment = Appointment.objects.get(patient=patient)
    assert appointment.status == AppointmentStatus.HELD
    assert held["Location"] == f"/billing/deposit/{appointment.pk}/"


def test_when_the_suggestion_cannot_be_booked_the_other_is_offered(client, frozen):
    """She already has a session (with someone outside the plan) at the preferred time: the
    confirm step offers the earliest instead of failing."""
    preferred, backup = _therapist("Preferred", SUN, 10), _therapist("Backup", SAT, 8)
    patient = _patient(frozen, preferred, backup)
    _busy_elsewhere(patient, datetime(2026, 12, 6, 10, 0, tzinfo=UTC))
    client.force_login(patient)

    body = client.get(FLARE_UP).content.decode()

    assert _booking_form(body)[0] == f"/book/{backup.pk}/"
    assert "Here is the next best option." in body
    assert "We suggest" not in body  # the suggestion is not offered again


def test_when_nothing_can_be_booked_the_plan_is_shown_with_the_problem(client, frozen):
    preferred = _therapist("Preferred", SAT, 8)
    patient = _patient(frozen, preferred)
    _busy_elsewhere(patient, datetime(2026, 12, 5, 8, 0, tzinfo=UTC))  # her only option's time
    client.force_login(patient)

    answer = client.get(FLARE_UP)

    body = answer.content.decode()
    assert answer.status_code == 200
    assert "Having a flare-up" in body
    assert 'role="alert"' in body
    assert "Your plan" in body
    assert f'href="/book/{preferred.pk}/"' in body


def test_a_deactivated_therapist_in_the_plan_is_passed_over(client, frozen):
    preferred, backup = _therapist("Preferred", SAT, 8), _therapist("Backup", SUN, 10)
    patient = _patient(frozen, preferred, backup)
    preferred.user.is_active = False
    preferred.user.save(update_fields=["is_active"])
    client.force_login(patient)

    body = client.get(FLARE_UP).content.decode()

    assert "Preferred Test" not in body
    assert _booking_form(body)[0] == f"/book/{backup.pk}/"


def test_an_intake_over_four_weeks_old_is_filled_in_again_first(client, frozen):
    patient = _patient(frozen, _therapist("Preferred", SAT, 8))
    Intake.objects.filter(patient=patient).update(created_at=frozen - timedelta(weeks=4, hours=1))
    client.force_login(patient)

    answer = client.get(FLARE_UP)

    assert answer.status_code == 302
    assert answer["Location"] == reverse("intake:form")
    page = client.get(answer["Location"]).content.decode()
    assert "more than four weeks old" in page


def test_the_button_is_a_get_a_post_is_refused_and_books_nothing(client, frozen):
    client.force_login(_patient(frozen, _therapist("Preferred", SAT, 8)))

    assert client.post(FLARE_UP, {"pick": "suggested"}).status_code == 405
    assert not Appointment.objects.exists()


def test_the_dashboard_leads_with_the_button_for_a_patient_with_a_plan(client, frozen):
    with_plan = _patient(frozen, _therapist("Preferred", SAT, 8))
    without = bookable_patient()

    client.force_login(with_plan)
    body = client.get(reverse("web:dashboard")).content.decode()
    client.force_login(without)
    other = client.get(reverse("web:dashboard")).content.decode()

    button = body.index(f'<a class="button danger" href="{FLARE_UP}"')
    assert button < body.index('<div class="grid">')  # above every card
    assert "m having a flare-up</a>" in body
    assert f'href="{FLARE_UP}"' not in other
