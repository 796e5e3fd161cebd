"""The flare-up page names the earliest session across the plan as "earliest", and says so
when it suggests the preferred therapist instead ("your preferred therapist, 1 day later").
Issue 13, point 18: it showed Sunday 6 December as the earliest while a backup had Saturday
5 December at 08:00. The clock is frozen on Friday 4 December 2026, 07:00 in London."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sciaticare.intake.models import Intake
from sciaticare.scheduling.models import Appointment, WorkingHours
from tests.directory.factories import LocationFactory, TherapistProfileFactory
from tests.factories import TherapistFactory
from tests.scheduling.helpers import bookable_patient, make_plan

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 4, 7, 0, tzinfo=UTC)  # a Friday; London is on GMT
SAT, SUN, TUE = 5, 6, 1  # Python weekdays, as WorkingHours counts them


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


@pytest.mark.parametrize(
    ("preferred", "backup", "earliest", "suggested"),
    [
        # The reported case: the backup's Saturday is the earliest; Sunday is the suggestion.
        (
            (SUN, 10),
            (SAT, 8),
            "Backup Test</strong>: Saturday 5 December, 08:00 GMT",
            "your preferred therapist, 1 day later",
        ),
        (
            (SAT, 11),
            (SAT, 8),
            "Backup Test</strong>: Saturday 5 December, 08:00 GMT",
            "your preferred therapist, later the same day",
        ),
        # More than two days later: the backup is both the earliest and the suggestion.
        ((TUE, 9), (SAT, 8), "Backup Test</strong>: Saturday 5 December, 08:00 GMT", None),
        # The preferred therapist is the earliest: nothing else to say.
        (
            (SAT, 8),
            (SUN, 10),
            "Preferred Test</strong> (your preferred therapist): Saturday 5 December, 08:00 GMT",
            None,
        ),
    ],
)
def test_the_earliest_is_the_earliest_and_a_later_suggestion_says_so(
    client, frozen, preferred, backup, earliest, suggested
):
    patient = bookable_patient()
    Intake.objects.filter(patient=patient).update(created_at=frozen - timedelta(hours=1))
    make_plan(patient, _therapist("Preferred", *preferred), _therapist("Backup", *backup))
    client.force_login(patient)

    body = client.get(reverse("scheduling:flare_up")).content.decode()

    section = body[body.index("The earliest session across your plan") :]
    assert section.index(earliest) < section.index("Your plan")
    if suggested:
        assert suggested in body
        assert "Book the earliest session" in body
    else:
        assert "your preferred therapist," not in body
        assert "Book this session" in body


def test_either_choice_goes_to_the_confirm_step_for_that_session(client, frozen):
    patient = bookable_patient()
    Intake.objects.filter(patient=patient).update(created_at=frozen - timedelta(hours=1))
    preferred, backup = _therapist("Preferred", SUN, 10), _therapist("Backup", SAT, 8)
    make_plan(patient, preferred, backup)
    client.force_login(patient)

    earliest = client.post(reverse("scheduling:flare_up"), {"pick": "earliest"}).content.decode()
    suggested = client.post(reverse("scheduling:flare_up"), {"pick": "suggested"}).content.decode()

    assert "Backup Test" in earliest
    assert "Saturday 5 December 2026, 08:00" in earliest
    assert "Preferred Test" in suggested
    assert "Sunday 6 December 2026, 10:00" in suggested
    assert re.search(rf'action="/book/{backup.pk}/"', earliest)
    assert not Appointment.objects.exists()


def test_a_deactivated_therapist_in_the_plan_is_passed_over(client, frozen):
    patient = bookable_patient()
    Intake.objects.filter(patient=patient).update(created_at=frozen - timedelta(hours=1))
    preferred, backup = _therapist("Preferred", SAT, 8), _therapist("Backup", SUN, 10)
    make_plan(patient, preferred, backup)
    preferred.user.is_active = False
    preferred.user.save(update_fields=["is_active"])
    client.force_login(patient)

    page = client.get(reverse("scheduling:flare_up")).content.decode()
    confirm = client.post(reverse("scheduling:flare_up"), {"pick": "suggested"}).content.decode()

    assert "Preferred Test" not in page
    assert "Backup Test</strong>: Sunday 6 December, 10:00 GMT" in page
    assert re.search(rf'action="/book/{backup.pk}/"', confirm)
