"""Invoice numbers stay gapless and unique when many clients issue at once (PostgreSQL, where
writers really run side by side; SQLite lets one writer in at a time)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from sciaticare.billing.models import Invoice, Purpose
from sciaticare.billing.money import Money
from sciaticare.billing.services import invoices
from tests.billing.factories import appointment_with_policy

CLIENTS = 8
EACH = 10


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a race of writers needs PostgreSQL")
def test_parallel_issuers_get_gapless_unique_numbers() -> None:
    appointment = appointment_with_policy()
    clinic, patient = appointment.location.clinic, appointment.patient
    barrier = threading.Barrier(CLIENTS)
    failures: list[BaseException] = []

    def issuer() -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(EACH):
                invoices.issue(
                    clinic=clinic,
                    patient=patient,
                    purpose=Purpose.SESSION,
                    lines=[invoices.Line("Massage", Money.of("55.00", "GBP"))],
                )
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issuer) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    sequences = sorted(Invoice.objects.filter(clinic=clinic).values_list("sequence", flat=True))
    assert sequences == list(range(1, CLIENTS * EACH + 1))
