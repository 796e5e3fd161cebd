"""core.sql's rows as model instances, and the calendar's locations read through it: the same
values the ORM gives (SQLite's booleans, decimals and times converted alike), None for an outer
join that found no row, and no further query for a location's clinic or rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from sciaticare.core.sql import columns, instances, table
from sciaticare.directory.models import Clinic, Location
from sciaticare.scheduling.models import DEFAULT_POLICY, BookingPolicy
from sciaticare.scheduling.selectors.calendars import load_calendars, policy_of
from tests.directory.factories import LocationFactory
from tests.scheduling.helpers import working_therapist

pytestmark = pytest.mark.django_db

JOINED = f"""
SELECT {columns(Location, "l")}, {columns(Clinic, "c")}, {columns(BookingPolicy, "p")}
  FROM {table(Location)} l
  JOIN {table(Clinic)} c ON c.id = l.clinic_id
  LEFT JOIN {table(BookingPolicy)} p ON p.clinic_id = c.id
 WHERE l.id = %s
"""  # noqa: S608 - names from the models


def values(instance: models.Model) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


@pytest.mark.parametrize(
    ("fields", "with_rules"),
    [
        ({"step_free": True, "parking": False, "time_zone": "Europe/London"}, True),
        ({"step_free": False, "parking": True, "time_zone": "America/New_York"}, False),
        ({"latitude": -33.8688, "longitude": 151.2093, "time_zone": "Australia/Sydney"}, True),
    ],
)
def test_each_model_as_the_orm_reads_it(fields: dict[str, Any], with_rules: bool) -> None:
    location = LocationFactory(**fields)
    if with_rules:
        BookingPolicy.objects.create(clinic=location.clinic, buffer_minutes=0, step_minutes=30)
    (row,) = instances(JOINED, [location.pk], (Location, Clinic, BookingPolicy))
    read_location, read_clinic, read_rules = row
    assert read_location is not None
    assert read_clinic is not None
    assert values(read_location) == values(Location.objects.get(pk=location.pk))
    assert values(read_clinic) == values(Clinic.objects.get(pk=location.clinic_id))
    if with_rules:
        assert read_rules is not None
        assert values(read_rules) == values(BookingPolicy.objects.get(clinic=location.clinic))
    else:
        assert read_rules is None  # the outer join found none
    read_clinic.save()  # read from the database: an update, not a second clinic
    assert Clinic.objects.count() == 1


def test_no_row_no_instance() -> None:
    assert instances(JOINED, [0], (Location, Clinic, BookingPolicy)) == []


def test_a_calendar_s_locations_come_with_their_clinic_and_rules() -> None:
    own_rules, _, located = working_therapist()
    BookingPolicy.objects.create(clinic=located.clinic, buffer_minutes=5, step_minutes=20)
    defaults, _, _ = working_therapist()
    start = datetime(2026, 12, 7, tzinfo=UTC)
    calendars = load_calendars(
        [own_rules.pk, defaults.pk], start=start, end=start + timedelta(days=7), now=start
    )
    with CaptureQueriesContext(connection) as queries:
        (mine,) = (place[0] for place in calendars[own_rules.pk].places.values())
        (theirs,) = (place[0] for place in calendars[defaults.pk].places.values())
        assert (policy_of(mine).buffer_minutes, policy_of(mine).step_minutes) == (5, 20)
        assert policy_of(theirs) is DEFAULT_POLICY
        assert mine.clinic.name == located.clinic.name
    assert len(queries) == 0
