"""Ids in a JSON body are JSON integers, as the API's schema says: `true`, "7" and 7.0 are a
422 naming the field, not read as 1 and 7 (found by the outside test: `true` was therapist 1)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sciaticare.scheduling.models import Appointment
from tests.scheduling.helpers import at, bookable_patient, working_therapist

pytestmark = pytest.mark.django_db


def book(client: Any, **body: Any) -> Any:
    return client.post("/api/v1/appointments", json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("field", ["therapist", "service"])
@pytest.mark.parametrize("spelling", ["text", "true", "float"])
def test_an_id_spelled_otherwise_is_refused(client: Any, field: str, spelling: str) -> None:
    therapist, session, _ = working_therapist()
    client.force_login(bookable_patient())
    ids = {"therapist": therapist.pk, "service": session.pk}
    ids[field] = {"text": str(ids[field]), "true": True, "float": float(ids[field])}[spelling]
    refused = book(client, start=at(3, 10).isoformat(), **ids)
    assert refused.status_code == 422
    assert [error["field"] for error in refused.json()["errors"]] == [field]
    assert not Appointment.objects.exists()


def test_the_same_ids_as_integers_book(client: Any) -> None:
    therapist, session, _ = working_therapist()
    client.force_login(bookable_patient())
    made = book(client, therapist=therapist.pk, service=session.pk, start=at(3, 10).isoformat())
    assert made.status_code == 201
