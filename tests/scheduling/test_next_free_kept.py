"""Search pages keep each therapist's next free session for a few seconds in the process
(bookable.recent): a second search reads no calendar, a booked time shows at once in the same
process, and the answer is computed again once it is older than NEXT_FREE_SECONDS."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sciaticare.scheduling.models import WorkingHours
from sciaticare.scheduling.selectors import bookable
from tests.directory.factories import LocationFactory, TherapistProfileFactory
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

# A Monday, 08:00 in London (UTC in winter): the day's hours are still to come.
MORNING = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


@pytest.fixture
def clocks(monkeypatch, settings):
    """The wall clock stopped at MORNING; the process's own clock moved by hand."""
    settings.NEXT_FREE_SECONDS = 5
    monkeypatch.setattr(timezone, "now", lambda: MORNING)
    moment = {"now": 1000.0}
    monkeypatch.setattr(bookable.time, "monotonic", lambda: moment["now"])
    return moment


def _working():
    location = LocationFactory()
    therapist = TherapistProfileFactory(location=location)
    for weekday in range(7):
        WorkingHours.objects.create(
            therapist=therapist, location=location, weekday=weekday, start=time(9), end=time(17)
        )
    return therapist


def test_a_second_search_within_the_seconds_reads_no_calendar(clocks, django_assert_num_queries):
    therapists = [_working(), _working()]
    ids = [t.pk for t in therapists]
    first = bookable.next_available(ids)

    with django_assert_num_queries(0):
        again = bookable.next_available(ids)

    assert again == first
    assert first[ids[0]] == MORNING.replace(hour=10)  # 2 h notice: 10:00 is the first


def test_a_time_booked_in_this_process_shows_at_once(clocks):
    therapist = _working()
    assert bookable.next_available([therapist.pk])[therapist.pk] == MORNING.replace(hour=10)

    AppointmentFactory(therapist=therapist, start=MORNING.replace(hour=10))

    assert bookable.next_available([therapist.pk])[therapist.pk] > MORNING.replace(hour=10)


def test_answers_older_than_the_seconds_are_computed_again(clocks, django_assert_num_queries):
    therapist = _working()
    bookable.next_available([therapist.pk])
    # Hours changed elsewhere (no appointment saved here): seen once the answer has aged.
    WorkingHours.objects.filter(therapist=therapist).update(start=time(14))

    clocks["now"] += 4.9
    assert bookable.next_available([therapist.pk])[therapist.pk] == MORNING.replace(hour=10)
    clocks["now"] += 0.2
    assert bookable.next_available([therapist.pk])[therapist.pk] == MORNING.replace(hour=14)


@pytest.mark.parametrize(
    "call",
    [
        {"within": timedelta(days=7)},  # the search's "free within N days": always computed
        {"now": MORNING},  # a given clock: always computed
    ],
)
def test_other_windows_and_clocks_are_never_kept(clocks, call):
    therapist = _working()
    bookable.next_available([therapist.pk], **call)

    with CaptureQueriesContext(connection) as again:
        bookable.next_available([therapist.pk], **call)

    assert len(again) > 0


def test_off_when_the_seconds_are_zero(clocks, settings):
    settings.NEXT_FREE_SECONDS = 0
    therapist = _working()
    bookable.next_available([therapist.pk])
    WorkingHours.objects.filter(therapist=therapist).update(start=time(14))

    assert bookable.next_available([therapist.pk])[therapist.pk] == MORNING.replace(hour=14)
