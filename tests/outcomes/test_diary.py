"""The pain diary: one entry a day, editable that day only; API and page; who may see it."""

import json
import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from sciaticare.core.errors import Invalid
from sciaticare.outcomes import services
from sciaticare.outcomes.models import PainEntry
from tests.factories import PatientFactory, TherapistFactory

pytestmark = pytest.mark.django_db


def test_logging_twice_a_day_updates_the_one_entry():
    patient = PatientFactory()

    _, created = services.log_pain(patient=patient, back_pain=6, leg_pain=7, tags=["bad_night"])
    entry, created_again = services.log_pain(patient=patient, back_pain=4, leg_pain=5)

    assert (created, created_again) == (True, False)
    assert PainEntry.objects.filter(patient=patient).count() == 1
    assert (entry.back_pain, entry.leg_pain, entry.tags) == (4, 5, [])


def test_a_change_keeps_when_the_entry_was_made_and_stores_what_it_answers():
    patient = PatientFactory()
    first, _ = services.log_pain(patient=patient, back_pain=6, leg_pain=7, note=" stiff ")
    made = PainEntry.objects.get(pk=first.pk)
    PainEntry.objects.filter(pk=first.pk).update(client_id=uuid.uuid4())  # a synced write

    changed, _ = services.log_pain(patient=patient, back_pain=3, leg_pain=2, tags=["flare_up"])

    stored = PainEntry.objects.get(pk=first.pk)
    assert changed.pk == first.pk
    assert (stored.back_pain, stored.leg_pain, stored.note, stored.tags) == (3, 2, "", ["flare_up"])
    assert (changed.back_pain, changed.leg_pain, changed.note, changed.tags) == (
        3,
        2,
        "",
        ["flare_up"],
    )
    assert (first.note, made.note) == ("stiff", "stiff")
    assert stored.created_at == made.created_at == first.created_at == changed.created_at
    assert stored.updated_at == changed.updated_at >= made.updated_at
    assert stored.client_id is None  # now the server's write: written_at is its save time


@pytest.mark.parametrize("later", ["created_at", "updated_at", "client_made_at"])
def test_a_change_is_never_before_the_write_it_replaces(later):
    """A change that waited for another write's lock after reading the clock: it is stamped no
    earlier than that write (here the other write is a minute ahead of the clock)."""
    patient = PatientFactory()
    first, _ = services.log_pain(patient=patient, back_pain=6, leg_pain=7)
    ahead = timezone.now() + timedelta(minutes=1)
    PainEntry.objects.filter(pk=first.pk).update(**{later: ahead})

    changed, created = services.log_pain(patient=patient, back_pain=3, leg_pain=2)

    stored = PainEntry.objects.get(pk=first.pk)
    assert not created
    assert stored.updated_at == changed.updated_at == ahead
    assert stored.written_at == ahead


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a race of writers needs PostgreSQL")
def test_simultaneous_first_entries_of_a_day_make_one_row():
    patient = PatientFactory()
    writers = 6
    barrier = threading.Barrier(writers)
    results: list[bool] = []
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            _, created = services.log_pain(patient=patient, back_pain=n, leg_pain=n)
            results.append(created)
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    assert sorted(results) == [False] * (writers - 1) + [True]
    assert PainEntry.objects.filter(patient=patient).count() == 1


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"back_pain": 11, "leg_pain": 2}, "back_pain"),
        ({"back_pain": 2, "leg_pain": -1}, "leg_pain"),
        ({"back_pain": 2, "leg_pain": 2, "tags": ["party"]}, "tags"),
        ({"back_pain": 2, "leg_pain": 2, "day": "yesterday"}, "date"),
    ],
)
def test_bad_entries_are_refused_naming_the_field(values, field):
    if values.get("day") == "yesterday":
        values["day"] = timezone.localdate() - timedelta(days=1)

    with pytest.raises(Invalid) as refused:
        services.log_pain(patient=PatientFactory(), **values)

    assert field in [f for f, _ in refused.value.errors]


def test_earlier_days_are_read_only():
    patient = PatientFactory()
    PainEntry.objects.create(
        patient=patient, day=timezone.localdate() - timedelta(days=1), back_pain=5, leg_pain=5
    )

    with pytest.raises(Invalid):
        services.log_pain(
            patient=patient, back_pain=1, leg_pain=1, day=timezone.localdate() - timedelta(days=1)
        )
    assert PainEntry.objects.get(patient=patient).back_pain == 5


def _post(client, body):
    return client.post("/api/v1/diary", json.dumps(body), content_type="application/json")


def test_api_post_201_then_200_and_get(client):
    patient = PatientFactory()
    client.force_login(patient)

    first = _post(
        client, {"back_pain": 6, "leg_pain": 7, "tags": ["after_massage"], "note": "stiff"}
    )
    second = _post(client, {"back_pain": 5, "leg_pain": 6})
    listed = client.get("/api/v1/diary").json()

    assert (first.status_code, second.status_code) == (201, 200)
    assert listed == [
        {
            "date": timezone.localdate().isoformat(),
            "back_pain": 5,
            "leg_pain": 6,
            "note": "",
            "tags": [],
        }
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"back_pain": 11, "leg_pain": 1},
        {"back_pain": 1},
        {"back_pain": 1, "leg_pain": 1, "tags": ["x"]},
        {"back_pain": 1, "leg_pain": 1, "date": "2020-01-01"},
        {"back_pain": "high", "leg_pain": 1},
        {"back_pain": 1, "leg_pain": 1, "mood": 3},
    ],
)
def test_api_bad_input_is_422(client, body):
    client.force_login(PatientFactory())

    response = _post(client, body)

    assert response.status_code == 422
    assert response.json()["errors"]


def test_api_diary_is_the_callers_own_and_for_patients_only(client):
    someone = PatientFactory()
    services.log_pain(patient=someone, back_pain=3, leg_pain=3, note="private note")
    client.force_login(PatientFactory())
    assert client.get("/api/v1/diary").json() == []

    client.force_login(TherapistFactory())
    assert client.get("/api/v1/diary").status_code == 403
    client.logout()
    assert client.get("/api/v1/diary").status_code == 401


def test_the_diary_page_logs_and_draws_the_chart(client):
    patient = PatientFactory()
    client.force_login(patient)
    for days_ago, pain in [(3, 7), (2, 6), (1, 5)]:
        PainEntry.objects.create(
            patient=patient,
            day=timezone.localdate() - timedelta(days=days_ago),
            back_pain=pain,
            leg_pain=pain,
        )

    response = client.post(
        reverse("outcomes:diary"), {"back_pain": "4", "leg_pain": "3"}, follow=True
    )

    body = response.content.decode()
    assert "Logged for today." in body
    assert body.count('class="line back"') == 1
    assert '<title id="pain-title">' in body
    assert PainEntry.objects.filter(patient=patient).count() == 4


def test_the_diary_page_is_for_patients(client):
    assert client.get(reverse("outcomes:diary")).status_code == 302
    client.force_login(TherapistFactory())
    assert client.get(reverse("outcomes:diary")).status_code == 403


def test_the_daily_nudge_can_be_switched_on_and_off(client):
    patient = PatientFactory()
    client.force_login(patient)

    client.post(reverse("outcomes:nudge"), {"daily_nudge": "on"})
    assert patient.diary_preference.daily_nudge
    client.post(reverse("outcomes:nudge"), {})
    patient.diary_preference.refresh_from_db()
    assert not patient.diary_preference.daily_nudge


def test_the_diary_page_query_count_does_not_grow_with_history(
    client, django_assert_max_num_queries
):
    patient = PatientFactory()
    client.force_login(patient)
    PainEntry.objects.bulk_create(
        [
            PainEntry(
                patient=patient,
                day=timezone.localdate() - timedelta(days=i),
                back_pain=i % 11,
                leg_pain=(i + 3) % 11,
            )
            for i in range(1, 3 * 365)
        ]
    )

    with django_assert_max_num_queries(10):
        assert client.get(reverse("outcomes:diary")).status_code == 200
