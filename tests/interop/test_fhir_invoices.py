"""A patient's money in their FHIR export: every issued invoice as an R4 `Invoice` that
validates (fhir.resources.R4B), its amounts exact decimals with their currency, its status from
where it stands (paid: balanced; owed: issued; credited: cancelled), refunds and credit notes
as notes; nobody else's invoices, ever."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from sciaticare.billing.models import Purpose
from sciaticare.billing.money import Money
from sciaticare.billing.services import fees, invoices
from sciaticare.interop import services
from sciaticare.interop.fhir.checks import validate_codes
from sciaticare.interop.fhir.export import bundle_json
from sciaticare.scheduling.models import AppointmentStatus
from tests.billing.books import UK, Books, books, pay_cash
from tests.factories import AppointmentFactory, PatientFactory

pytestmark = pytest.mark.django_db


def _fee(b: Books, purpose: Purpose, days_ago: int, amount: str) -> Any:
    """A fee for another session of the same patient with the same therapist."""
    start = b.appointment.start - timedelta(days=days_ago)
    appointment = AppointmentFactory(
        patient=b.patient,
        therapist=b.appointment.therapist,
        start=start,
        status=AppointmentStatus.NO_SHOW,
    )
    return invoices.issue(
        clinic=b.clinic,
        patient=b.patient,
        purpose=purpose,
        appointment=appointment,
        lines=[invoices.Line(purpose.label, Money.of(amount, "GBP"))],
        by=b.admin,
        now=start + timedelta(hours=2),
    )


def _money_history() -> Books:
    """A UK clinic (20 % VAT): a £60.00 session paid in cash (£72.00), a £30.00 missed-session
    fee still owed (£36.00), and a £20.00 late-cancellation fee paid and then waived."""
    b = books(UK, price="60.00")
    pay_cash(b, "72.00")
    _fee(b, Purpose.NO_SHOW_FEE, 7, "30.00")
    late = _fee(b, Purpose.LATE_CANCEL_FEE, 14, "20.00")
    pay_cash(b, "24.00", invoice=late)
    fees.waive(invoice=late, reason="Hospital visit, letter seen", by=b.admin)
    return b


def _invoices(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Invoice"]
    return {r["type"]["text"]: r for r in found}


def _gbp(value: str) -> dict[str, Any]:
    return {"value": Decimal(value), "currency": "GBP"}


def test_paid_owed_and_waived_invoices_are_valid_r4_invoices_with_exact_amounts() -> None:
    b = _money_history()

    bundle = services.export_patient(patient=b.patient, viewer=b.patient)

    get_fhir_model_class("Bundle").model_validate(bundle)
    assert validate_codes(bundle) == []
    found = _invoices(bundle)
    for resource in found.values():
        get_fhir_model_class("Invoice").model_validate(resource)
    assert {kind: r["status"] for kind, r in found.items()} == {
        "Session": "balanced",
        "Missed session fee": "issued",
        "Late cancellation fee": "cancelled",
    }
    session = found["Session"]
    assert session["subject"] == {"reference": f"Patient/patient-{b.patient.pk}"}
    assert (session["totalNet"], session["totalGross"]) == (_gbp("60.00"), _gbp("72.00"))
    assert session["identifier"] == [{"value": b.invoice.number}]
    (line,) = session["lineItem"]
    assert line["chargeItemCodeableConcept"] == {"text": "Sciatica relief massage, 60 min"}
    assert line["priceComponent"] == [
        {"type": "base", "factor": 1, "amount": _gbp("60.00")},
        {"type": "tax", "factor": Decimal("0.2"), "amount": _gbp("12.00")},
    ]
    assert "paymentTerms" not in session
    assert "note" not in session
    assert found["Missed session fee"]["paymentTerms"] == "36.00 GBP to pay"
    notes = [n["text"] for n in found["Late cancellation fee"]["note"]]
    assert [n.split(" on ")[0] for n in notes] == [
        "Refunded 24.00 GBP",
        f"Credit note {b.invoice.number[:-6]}{int(b.invoice.number[-6:]) + 3:06d} for 24.00 GBP",
    ]
    assert all(n.endswith("Hospital visit, letter seen") for n in notes)
    # Who and which clinic: resources of the same Bundle.
    ids = {(e["resource"]["resourceType"], e["resource"]["id"]) for e in bundle["entry"]}
    therapist = ("Practitioner", f"practitioner-{b.appointment.therapist_id}")
    clinic = ("Organization", f"organization-{b.clinic.pk}")
    assert {therapist, clinic} <= ids
    assert session["participant"] == [{"actor": {"reference": "/".join(therapist)}}]
    assert session["issuer"] == {"reference": "/".join(clinic)}


def test_the_json_carries_the_amounts_as_exact_decimal_numbers(client: Any) -> None:
    b = _money_history()
    client.force_login(b.patient)

    text = client.get("/api/v1/patients/me/fhir").content.decode()

    assert '"totalGross": {"value": 72.00, "currency": "GBP"}' in text
    parsed = json.loads(text, parse_float=Decimal)
    gross = {
        e["resource"]["type"]["text"]: e["resource"]["totalGross"]["value"]
        for e in parsed["entry"]
        if e["resource"]["resourceType"] == "Invoice"
    }
    assert gross == {
        "Session": Decimal("72.00"),
        "Missed session fee": Decimal("36.00"),
        "Late cancellation fee": Decimal("24.00"),
    }
    # No text can pass for an amount: only Decimals lose their quotes.
    assert bundle_json({"note": "decimal12 3.00"}) == '{"note": "decimal12 3.00"}'


def test_a_patient_without_invoices_gets_none_and_nobody_gets_anothers() -> None:
    b = _money_history()
    other = books(UK, price="45.00")
    stranger = PatientFactory()

    mine = services.export_patient(patient=b.patient, viewer=b.patient)
    theirs = services.export_patient(patient=other.patient, viewer=other.patient)
    nothing = services.export_patient(patient=stranger, viewer=stranger)

    assert len(_invoices(mine)) == 3
    assert other.invoice.number not in json.dumps(mine, default=str)
    assert [r["identifier"] for r in _invoices(theirs).values()] == [
        [{"value": other.invoice.number}]
    ]
    assert b.invoice.number not in json.dumps(theirs, default=str)
    assert _invoices(nothing) == {}


def test_an_export_with_invoices_imports_and_keeps_them() -> None:
    b = _money_history()
    text = bundle_json(services.export_patient(patient=b.patient, viewer=b.patient))
    newcomer = PatientFactory()

    services.import_bundle(patient=newcomer, data=json.loads(text), importer=newcomer)
    again = services.export_patient(patient=newcomer, viewer=newcomer)

    assert validate_codes(again) == []
    assert sorted(_invoices(again)) == ["Late cancellation fee", "Missed session fee", "Session"]
