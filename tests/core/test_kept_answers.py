"""The public API's profile and slot answers kept by the process (core/kept_answers.py): a
second ask within the seconds reads nothing from the database and gets the same bytes; a
change this process makes shows at once; a signed-in caller, a refusal and an answer with a
header of its own are never kept; and a kept answer ages out."""

import time as wall
from datetime import UTC, datetime, time

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sciaticare.core import kept_answers
from sciaticare.directory.models import Review, SessionType
from sciaticare.directory.services import profile as profile_services
from sciaticare.scheduling.api import BUSY_TIMES_UNKNOWN_HEADER
from sciaticare.scheduling.models import TimeOff, WorkingHours
from tests.factories import AppointmentFactory, PatientFactory
from tests.scheduling.helpers import working_therapist

pytestmark = pytest.mark.django_db

# A Monday, 08:00 in London (UTC in winter): the day's hours are still to come.
MORNING = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


@pytest.fixture
def kept(settings, monkeypatch):
    settings.PUBLIC_PROFILE_SECONDS = 60
    settings.NEXT_FREE_SECONDS = 5
    monkeypatch.setattr(timezone, "now", lambda: MORNING)


@pytest.fixture
def therapist():
    profile, _, _ = working_therapist(first_name="Ada")
    return profile


def _profile(client, therapist):
    return client.get(f"/api/v1/therapists/{therapist.pk}")


def _slots(client, therapist):
    return client.get(f"/api/v1/therapists/{therapist.pk}/slots")


def _queries(ask, client, therapist):
    with CaptureQueriesContext(connection) as done:
        assert ask(client, therapist).status_code == 200
    return len(done)


def _starts(answer):
    return [slot["start"] for slot in answer.json()]


@pytest.mark.parametrize("ask", [_profile, _slots], ids=["profile", "slots"])
def test_a_second_ask_within_the_seconds_reads_nothing_and_is_the_same(
    kept, client, therapist, ask, django_assert_num_queries
):
    first = ask(client, therapist)

    with django_assert_num_queries(0):
        again = ask(client, therapist)

    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"] == "application/json; charset=utf-8"


@pytest.mark.parametrize("ask", [_profile, _slots], ids=["profile", "slots"])
def test_nothing_is_kept_when_the_seconds_are_zero(settings, client, therapist, ask):
    settings.PUBLIC_PROFILE_SECONDS = 0
    settings.NEXT_FREE_SECONDS = 0
    ask(client, therapist)

    assert _queries(ask, client, therapist) > 0


def test_the_kept_profile_is_what_a_fresh_one_says(kept, settings, client, therapist):
    kept_one = _profile(client, therapist).json()
    settings.PUBLIC_PROFILE_SECONDS = 0

    assert _profile(client, therapist).json() == kept_one
    assert kept_one["name"].startswith("Ada")


def test_a_profile_changed_in_this_process_shows_at_once(kept, client, therapist):
    assert _profile(client, therapist).json()["reviews"] == []

    therapist.bio = "Now working Saturdays."
    therapist.save()
    assert _profile(client, therapist).json()["bio"] == "Now working Saturdays."

    Review.objects.create(therapist=therapist, patient=PatientFactory(), rating=5, text="Kind.")
    assert [r["text"] for r in _profile(client, therapist).json()["reviews"]] == ["Kind."]


def test_a_change_written_with_an_update_shows_at_once(kept, client, therapist):
    # Choosing the standard session writes with .update(), which sends no signal: the
    # directory's refresh of the therapist's search rows forgets the kept answer.
    other = SessionType.objects.create(
        therapist=therapist, name="Short", minutes=30, price="30.00", currency="GBP"
    )
    assert _standard(_profile(client, therapist)) != other.pk

    profile_services.set_standard_session(actor=therapist.user, session=other)

    assert _standard(_profile(client, therapist)) == other.pk


def _standard(answer):
    return next(s["id"] for s in answer.json()["session_types"] if s["is_standard"])


def test_a_deactivated_therapist_is_not_found_at_once(kept, client, therapist):
    assert _profile(client, therapist).status_code == 200
    assert _slots(client, therapist).status_code == 200

    therapist.user.is_active = False
    therapist.user.save(update_fields=["is_active"])

    assert _profile(client, therapist).status_code == 404
    assert _slots(client, therapist).status_code == 404


def test_a_time_booked_in_this_process_leaves_the_slot_list_at_once(kept, client, therapist):
    first = _starts(_slots(client, therapist))
    assert first[0] == "2026-12-07T10:00:00+00:00"  # 2 h notice

    AppointmentFactory(therapist=therapist, start=MORNING.replace(hour=10))

    assert "2026-12-07T10:00:00+00:00" not in _starts(_slots(client, therapist))


@pytest.mark.parametrize("change", ["hours", "time off"])
def test_hours_or_time_off_changed_in_this_process_show_at_once(kept, client, therapist, change):
    assert "2026-12-07T15:00:00+00:00" in _starts(_slots(client, therapist))

    if change == "hours":
        WorkingHours.objects.filter(therapist=therapist).update(end=time(12))
        WorkingHours.objects.filter(therapist=therapist).first().save()  # a save, as a form does
    else:
        TimeOff.objects.create(
            therapist=therapist, start=MORNING.replace(hour=12), end=MORNING.replace(hour=23)
        )

    assert "2026-12-07T15:00:00+00:00" not in _starts(_slots(client, therapist))


@pytest.mark.parametrize("ask", [_profile, _slots], ids=["profile", "slots"])
def test_a_signed_in_caller_is_always_answered_afresh(kept, client, therapist, ask):
    client.force_login(PatientFactory())
    ask(client, therapist)

    assert _queries(ask, client, therapist) > 2  # more than the session and its user


def test_a_caller_sending_a_token_is_always_answered_afresh(kept, client, therapist):
    # The public routes check no token, but the caller may just have booked with it.
    _slots(client, therapist)

    with CaptureQueriesContext(connection) as done:
        client.get(
            f"/api/v1/therapists/{therapist.pk}/slots", headers={"authorization": "Bearer x"}
        )

    assert len(done) > 0


def test_spellings_of_the_same_question_share_one_answer(kept, client, therapist):
    path = f"/api/v1/therapists/{therapist.pk}/slots"
    client.get(path, {"start": "2026-12-08T00:00:00Z", "end": "2026-12-09T00:00:00Z"})

    with CaptureQueriesContext(connection) as done:
        again = client.get(
            path, {"end": "2026-12-09T00:00:00+00:00", "start": "2026-12-08T00:00:00+00:00"}
        )

    assert len(done) == 0
    assert _starts(again)[0] == "2026-12-08T09:00:00+00:00"


def test_another_window_is_another_answer(kept, client, therapist):
    path = f"/api/v1/therapists/{therapist.pk}/slots"
    first = client.get(path, {"start": "2026-12-08T00:00:00Z", "end": "2026-12-09T00:00:00Z"})
    other = client.get(path, {"start": "2026-12-09T00:00:00Z", "end": "2026-12-10T00:00:00Z"})

    assert _starts(first)[0] == "2026-12-08T09:00:00+00:00"
    assert _starts(other)[0] == "2026-12-09T09:00:00+00:00"


def test_a_question_with_a_parameter_it_does_not_take_is_not_kept(kept, client, therapist):
    # Otherwise each junk value would be one more entry (and a key past the cache's length).
    client.get(f"/api/v1/therapists/{therapist.pk}", {"z": "a" * 3500})
    client.get(f"/api/v1/therapists/{therapist.pk}/slots", {"z": "1"})

    assert not caches["answers"]._cache  # noqa: SLF001


def test_an_answer_larger_than_kept_answers_take_is_not_kept(kept, client, therapist):
    answer = client.get(
        f"/api/v1/therapists/{therapist.pk}/slots",
        {"start": "2026-12-08T00:00:00Z", "end": "2027-02-07T00:00:00Z"},
    )

    assert len(answer.content) > kept_answers.LARGEST_KEPT  # 60 days of 15-minute starts
    assert not caches["answers"]._cache  # noqa: SLF001


def test_a_refusal_is_not_kept(kept, client, therapist):
    missing = therapist.pk + 1000
    assert client.get(f"/api/v1/therapists/{missing}").status_code == 404
    assert client.get(f"/api/v1/therapists/{missing}/slots").status_code == 404
    assert not caches["answers"]._cache  # noqa: SLF001


def test_a_slot_list_with_busy_times_unknown_is_not_kept(kept, client, therapist, monkeypatch):
    from sciaticare.scheduling.selectors import calendars

    loaded = calendars.load_calendars

    def unknown(*args, **kwargs):
        found = loaded(*args, **kwargs)
        for calendar in found.values():
            calendar.busy_unknown, calendar.busy_unknown_since = True, MORNING
        return found

    monkeypatch.setattr("sciaticare.scheduling.api.load_calendars", unknown)
    answer = _slots(client, therapist)

    assert answer[BUSY_TIMES_UNKNOWN_HEADER]
    assert not caches["answers"]._cache  # noqa: SLF001


def test_a_kept_answer_ages_out(kept, settings, client, therapist):
    settings.PUBLIC_PROFILE_SECONDS = 0.2
    _profile(client, therapist)
    wall.sleep(0.3)

    assert _queries(_profile, client, therapist) > 0
