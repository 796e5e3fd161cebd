"""The offline diary's write (docs/offline.md): idempotent by the client's id, the later write of
a day wins, bad input is a 4xx naming the field, only the patient's own diary, audited."""

import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from sciaticare.audit.models import AuditEvent
from sciaticare.core.errors import Conflict, Invalid
from sciaticare.outcomes import services
from sciaticare.outcomes.models import PainEntry
from sciaticare.outcomes.services import SyncResult, sync_entry
from tests.factories import PatientFactory, TherapistFactory

pytestmark = pytest.mark.django_db

# Midday in UTC (the site's zone in tests): the day is the same an hour either side.
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
DAY = NOW.date()


def _sync(patient, client_id, *, made_at=NOW, day=DAY, back=6, leg=7, **extra):
    return sync_entry(
        patient=patient,
        client_id=client_id,
        made_at=made_at,
        day=day,
        back_pain=back,
        leg_pain=leg,
        now=extra.pop("now", NOW),
        **extra,
    )


def test_a_retry_stores_nothing_new_and_answers_what_the_day_holds():
    patient = PatientFactory()
    cid = uuid.uuid4()

    first, created = _sync(patient, cid, note="  stiff  ", tags=["bad_night", "bad_night"])
    again, retried = _sync(patient, cid, back=1, leg=1)

    assert (created, retried) == (SyncResult.CREATED, SyncResult.ALREADY_STORED)
    assert first.pk == again.pk
    stored = PainEntry.objects.get(patient=patient)
    assert (stored.day, stored.back_pain, stored.leg_pain) == (DAY, 6, 7)
    assert (stored.note, stored.tags, stored.client_id) == ("stiff", ["bad_night"], cid)
    assert AuditEvent.objects.filter(patient=patient, action="diary.create").count() == 1
    assert not AuditEvent.objects.filter(patient=patient, action="diary.update").exists()


def test_two_devices_the_later_write_wins_whatever_order_they_arrive_in():
    patient = PatientFactory()
    phone, laptop = uuid.uuid4(), uuid.uuid4()
    morning, evening = NOW - timedelta(hours=3), NOW - timedelta(hours=1)

    _sync(patient, laptop, made_at=evening, back=2, leg=3)
    entry, result = _sync(patient, phone, made_at=morning, back=8, leg=9)

    assert result is SyncResult.KEPT
    assert (entry.back_pain, entry.client_id) == (2, laptop)

    # In the other order, the evening's write replaces the morning's.
    other = PatientFactory()
    _sync(other, phone, made_at=morning, back=8, leg=9)
    entry, result = _sync(other, laptop, made_at=evening, back=2, leg=3)
    assert result is SyncResult.UPDATED
    assert (entry.back_pain, entry.leg_pain, entry.client_made_at) == (2, 3, evening)
    assert PainEntry.objects.filter(patient=other).count() == 1
    assert AuditEvent.objects.filter(patient=other, action="diary.update").count() == 1

    # A retry of the replaced write changes nothing either.
    entry, result = _sync(other, phone, made_at=morning, back=8, leg=9)
    assert result is SyncResult.KEPT
    assert entry.back_pain == 2


def test_a_tie_keeps_the_stored_write():
    patient = PatientFactory()
    _sync(patient, uuid.uuid4(), back=4)
    entry, result = _sync(patient, uuid.uuid4(), back=9)
    assert (result, entry.back_pain) == (SyncResult.KEPT, 4)


def test_a_page_save_and_a_queued_write_are_ordered_by_when_each_was_made():
    patient = PatientFactory()
    today = timezone.localdate()
    saved, _ = services.log_pain(patient=patient, back_pain=5, leg_pain=5)
    now = timezone.now()

    # Queued before the page save: the page's write stays.
    entry, result = _sync(
        patient, uuid.uuid4(), made_at=saved.updated_at - timedelta(seconds=1), day=today, now=now
    )
    assert (result, entry.back_pain) == (SyncResult.KEPT, 5)
    # Made after it: it replaces it; a page save after that replaces the synced write.
    entry, result = _sync(patient, (cid := uuid.uuid4()), made_at=now, day=today, back=1, now=now)
    assert (result, entry.back_pain) == (SyncResult.UPDATED, 1)
    saved, _ = services.log_pain(patient=patient, back_pain=3, leg_pain=3)
    assert (saved.client_id, saved.client_made_at) == (None, None)
    entry, result = _sync(patient, cid, made_at=now, day=today, back=1, now=now)
    assert (result, entry.back_pain) == (SyncResult.KEPT, 3)


def test_an_entry_made_late_at_night_syncs_the_next_morning_on_its_own_day():
    patient = PatientFactory()
    night = datetime(2026, 3, 9, 23, 50, tzinfo=UTC)

    entry, result = _sync(patient, uuid.uuid4(), made_at=night, day=night.date())

    assert (result, entry.day) == (SyncResult.CREATED, night.date())


@pytest.mark.parametrize(
    ("zone", "made_at", "day"),
    [
        # 11:30 UTC on 10 March is 00:30 on the 11th in Auckland (UTC+13)…
        ("Pacific/Auckland", datetime(2026, 3, 10, 11, 30, tzinfo=UTC), "2026-03-11"),
        # …and 05:00 UTC is 22:00 on the 9th in Los Angeles (UTC-7 since 8 March).
        ("America/Los_Angeles", datetime(2026, 3, 10, 5, 0, tzinfo=UTC), "2026-03-09"),
    ],
)
def test_the_day_is_the_patients_own_day_when_they_made_the_entry(zone, made_at, day):
    patient = PatientFactory(time_zone=zone)

    with pytest.raises(Invalid) as refused:
        _sync(patient, uuid.uuid4(), made_at=made_at, day=made_at.date())
    entry, result = _sync(patient, uuid.uuid4(), made_at=made_at, day=date.fromisoformat(day))

    assert [f for f, _ in refused.value.errors] == ["date"]
    assert (result, entry.day.isoformat()) == (SyncResult.CREATED, day)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"back": 11}, "back_pain"),
        ({"leg": -1}, "leg_pain"),
        ({"tags": ["party"]}, "tags"),
        ({"note": "x" * 501}, "note"),
        ({"made_at": NOW + timedelta(hours=1)}, "made_at"),
        ({"made_at": NOW - timedelta(days=8)}, "made_at"),
        ({"day": DAY - timedelta(days=1)}, "date"),
        ({"day": DAY + timedelta(days=1)}, "date"),
    ],
)
def test_bad_writes_are_refused_naming_the_field(change, field):
    patient = PatientFactory()

    with pytest.raises(Invalid) as refused:
        _sync(patient, uuid.uuid4(), **change)

    assert field in [f for f, _ in refused.value.errors]
    assert not PainEntry.objects.filter(patient=patient).exists()


def test_one_client_id_never_names_two_days():
    patient = PatientFactory()
    cid = uuid.uuid4()
    _sync(patient, cid, made_at=NOW - timedelta(days=1), day=DAY - timedelta(days=1))

    with pytest.raises(Conflict) as refused:
        _sync(patient, cid)

    assert refused.value.errors[0][0] == "client_id"
    assert PainEntry.objects.filter(patient=patient).count() == 1


def test_the_same_client_id_is_each_patients_own():
    cid = uuid.uuid4()
    first, second = PatientFactory(), PatientFactory()
    _sync(first, cid)
    _, result = _sync(second, cid)
    assert result is SyncResult.CREATED


# --- The API: PUT /api/v1/diary/entries/{client_id} ----------------------------------------


def _put(client, client_id, body):
    return client.put(
        f"/api/v1/diary/entries/{client_id}", json.dumps(body), content_type="application/json"
    )


def _body(**change):
    # A minute ago by the clock, on that minute's day: the same day whenever the test runs.
    made_at = timezone.now() - timedelta(minutes=1)
    body = {
        "date": timezone.localdate(made_at).isoformat(),
        "made_at": made_at.isoformat(),
        "back_pain": 6,
        "leg_pain": 7,
        "note": "sofa",
        "tags": ["bad_night"],
    }
    return {**body, **change}


def test_api_201_then_200_already_stored_and_one_row(client):
    patient = PatientFactory()
    client.force_login(patient)
    cid = uuid.uuid4()
    body = _body()

    first = _put(client, cid, body)
    second = _put(client, cid, body)

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["result"] == "created"
    assert second.json() == {
        "client_id": str(cid),
        "result": "already_stored",
        "entry": {
            "date": body["date"],
            "back_pain": 6,
            "leg_pain": 7,
            "note": "sofa",
            "tags": ["bad_night"],
        },
    }
    assert PainEntry.objects.filter(patient=patient).count() == 1


def test_api_answers_kept_with_the_entry_the_server_keeps(client):
    patient = PatientFactory()
    client.force_login(patient)
    _put(client, uuid.uuid4(), _body(back_pain=2))
    older = _body(back_pain=9, made_at=(timezone.now() - timedelta(minutes=30)).isoformat())
    older["date"] = timezone.localdate(timezone.now() - timedelta(minutes=30)).isoformat()

    answer = _put(client, uuid.uuid4(), older)

    if older["date"] != _body()["date"]:  # the half hour crossed midnight: a day of its own
        assert answer.json()["result"] == "created"
        return
    assert answer.status_code == 200
    assert answer.json()["result"] == "kept"
    assert answer.json()["entry"]["back_pain"] == 2


@pytest.mark.parametrize(
    ("path", "change", "field"),
    [
        ("not-a-uuid", {}, "client_id"),
        (None, {"back_pain": 11}, "back_pain"),
        (None, {"back_pain": True}, "back_pain"),
        (None, {"date": "yesterday"}, "date"),
        (None, {"made_at": "2026-03-10T12:00:00"}, "made_at"),  # no offset
        (None, {"made_at": "9999-12-31T23:59:59+14:00"}, "made_at"),
        (None, {"made_at": "2000-01-01T00:00:00+00:00"}, "made_at"),
        (None, {"tags": ["party"]}, "tags.0"),
        (None, {"note": "x" * 501}, "note"),
        (None, {"note": "sofa\u0000"}, "note"),  # PostgreSQL cannot store a NUL: 500 before
        (None, {"extra": 1}, "extra"),
    ],
)
def test_api_bad_input_is_a_422_naming_the_field(client, path, change, field):
    patient = PatientFactory()
    client.force_login(patient)
    body = _body(**change)
    if "date" in change and change["date"] == "yesterday":
        body["date"] = (timezone.localdate() - timedelta(days=1)).isoformat()
        field = "date"

    answer = _put(client, path or uuid.uuid4(), body)

    assert answer.status_code == 422, answer.content
    assert field in [e["field"] for e in answer.json()["errors"]]
    assert not PainEntry.objects.filter(patient=patient).exists()


def test_api_a_client_id_of_another_day_is_a_409(client):
    patient = PatientFactory()
    client.force_login(patient)
    cid = uuid.uuid4()
    yesterday = timezone.now() - timedelta(days=1)
    PainEntry.objects.create(
        patient=patient,
        day=timezone.localdate(yesterday),
        back_pain=3,
        leg_pain=3,
        client_id=cid,
        client_made_at=yesterday,
    )

    answer = _put(client, cid, _body())

    assert answer.status_code == 409
    assert answer.json()["code"] == "client_id_taken"


def test_api_only_the_patients_own_diary(client):
    someone = PatientFactory()
    cid = uuid.uuid4()
    client.force_login(someone)
    _put(client, cid, _body(note="private note"))

    # Another patient sending the same id writes their own diary, and sees nothing of the first.
    client.force_login(other := PatientFactory())
    answer = _put(client, cid, _body(back_pain=1))
    assert answer.status_code == 201
    assert "private note" not in answer.content.decode()
    assert PainEntry.objects.get(patient=someone).back_pain == 6
    assert PainEntry.objects.get(patient=other).back_pain == 1

    client.force_login(TherapistFactory())
    assert _put(client, uuid.uuid4(), _body()).status_code == 403
    client.logout()
    assert _put(client, uuid.uuid4(), _body()).status_code == 401
