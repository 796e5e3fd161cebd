"""earliest_slots (the search's "next available") against the full slot list."""

from __future__ import annotations

from datetime import UTC, time, timedelta

import pytest
from django.utils import timezone

from sciaticare.directory.models import SessionType
from sciaticare.scheduling.selectors.bookable import (
    earliest_slots,
    free_slots,
    next_available,
    standard_sessions,
)
from sciaticare.scheduling.selectors.calendars import load_calendars
from tests.scheduling.helpers import (
    at,
    bookable_patient,
    place_appointment,
    working_therapist,
)

pytestmark = pytest.mark.django_db
WINDOW = timedelta(days=14)


def test_earliest_is_the_first_free_standard_slot_of_each_therapist():
    now = timezone.now()
    patient = bookable_patient()
    london, london_session, london_place = working_therapist(start=time(9), end=time(12))
    # A longer non-standard session must not change the answer: the standard one counts.
    SessionType.objects.create(therapist=london, name="Long", minutes=120, price=90)
    sydney, _, _ = working_therapist(time_zone="Australia/Sydney", start=time(7), end=time(8))
    full, full_session, full_place = working_therapist(start=time(10), end=time(11))
    for days in range(1, 4):
        place_appointment(
            patient=patient,
            therapist=london,
            session=london_session,
            location=london_place,
            start=at(days, 9),
        )
    for days in range(16):
        place_appointment(
            patient=patient,
            therapist=full,
            session=full_session,
            location=full_place,
            start=at(days, 10),
        )
    ids = [london.pk, sydney.pk, full.pk]

    earliest = earliest_slots(ids, within=WINDOW, now=now)

    calendars = load_calendars(ids, start=now, end=now + WINDOW)
    sessions = standard_sessions(ids)
    for tid in ids:
        every = free_slots(calendars[tid], sessions[tid], start=now, end=now + WINDOW, now=now)
        assert earliest[tid] == (every[0] if every else None)
    assert earliest[full.pk] is None
    assert earliest[london.pk] is not None
    assert earliest[sydney.pk] is not None
    assert next_available(ids, within=WINDOW, now=now) == {
        tid: slot.start if slot else None for tid, slot in earliest.items()
    }


def test_a_therapist_without_a_standard_session_has_no_earliest_slot():
    therapist, session, _ = working_therapist()
    SessionType.objects.filter(pk=session.pk).update(is_standard=False)
    assert earliest_slots([therapist.pk], within=WINDOW) == {therapist.pk: None}


def test_calendars_read_twice_are_equal():
    """The busy spans come from a cache shared between calls: a second read must match."""
    now = timezone.now()
    patient = bookable_patient()
    therapist, session, place = working_therapist()
    place_appointment(
        patient=patient, therapist=therapist, session=session, location=place, start=at(1, 10)
    )
    first = load_calendars([therapist.pk], start=now, end=now + WINDOW)
    second = load_calendars([therapist.pk], start=now, end=now + WINDOW)
    assert first[therapist.pk].busy == second[therapist.pk].busy
    assert [b.start for b in first[therapist.pk].busy] == [at(1, 10).astimezone(UTC)]
