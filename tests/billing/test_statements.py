"""What people read of an invoice: where it stands (the database and Python agree), who may
read which (the patient, the clinic's admins; a therapist the status only; nobody else), each
read by someone else audited, the patient's statement per clinic, receipts, and the documents
for insurers (a US superbill's codes, a UK itemised receipt)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sciaticare.audit.models import AuditEvent
from sciaticare.billing import document_selectors as documents
from sciaticare.billing import invoice_selectors as sel
from sciaticare.billing.invoice_selectors import InvoiceState
from sciaticare.billing.models import Invoice, Purpose
from sciaticare.billing.services import fees, invoices, payments
from sciaticare.core.errors import NotFound
from sciaticare.outcomes.models import ProgressReport
from tests.billing.books import UK, US, books, pay_by_card, pay_cash
from tests.factories import ClinicAdminFactory, PatientFactory, SiteAdminFactory
from tests.stripe import StripeServer

pytestmark = pytest.mark.django_db


def _state(invoice: Invoice) -> InvoiceState | None:
    """The state by Python's rule, and by the database's filter: they must agree."""
    annotated = sel.with_sums(Invoice.objects.filter(pk=invoice.pk)).get()
    python = sel.figures_of(annotated).state
    in_sql = [
        s
        for s in InvoiceState
        if sel.in_state(sel.with_sums(Invoice.objects), s).filter(pk=invoice.pk).exists()
    ]
    assert in_sql == ([python] if python else [])
    return python


def _figures(invoice: Invoice) -> sel.Figures:
    return sel.figures_of(sel.with_sums(Invoice.objects.filter(pk=invoice.pk)).get())


def test_an_invoice_is_open_then_paid_then_open_again_after_a_refund() -> None:
    b = books(UK, price="50.00")  # 20 % VAT: 60.00
    assert _state(b.invoice) is InvoiceState.OPEN
    assert _figures(b.invoice).balance == b.money("60.00")
    cash = pay_cash(b, "40.00")
    assert _figures(b.invoice).balance == b.money("20.00")
    pay_cash(b, "20.00")
    assert _state(b.invoice) is InvoiceState.PAID
    payments.refund(payment=cash, amount=b.money("10.00"), reason="Goodwill", by=b.admin)
    figures = _figures(b.invoice)
    assert (figures.paid, figures.balance) == (b.money("50.00"), b.money("10.00"))
    assert _state(b.invoice) is InvoiceState.OPEN


def test_cents_that_binary_floats_cannot_hold_still_settle_an_invoice() -> None:
    """0.30 paid as 0.10 three times is paid, on SQLite (floats in SQL) as on PostgreSQL."""
    b = books(US, price="0.30")
    for _ in range(3):
        pay_cash(b, "0.10")
    assert _state(b.invoice) is InvoiceState.PAID


def test_a_credit_note_takes_an_invoice_off_and_has_no_state_itself() -> None:
    b = books(UK, price="50.00")
    note = invoices.credit(invoice=b.invoice, reason="Booked twice", by=b.admin)
    assert _state(b.invoice) is InvoiceState.CREDITED
    assert _figures(b.invoice).balance == b.money("0.00")
    assert _state(note) is None
    assert _figures(note).state_words == "Credit note"


def test_a_waived_fee_that_was_paid_is_credited_and_given_back(
    stripe_server: StripeServer,
) -> None:
    b = books(UK, price="50.00")
    pay_by_card(stripe_server, b, "60.00")  # saves the card used for the fee
    fee = fees.charge_fee(appointment=b.appointment, purpose=Purpose.NO_SHOW_FEE, by=None)
    assert fee is not None
    assert _state(fee) is InvoiceState.PAID
    fees.waive(invoice=fee, reason="Hospital visit", by=b.admin)
    figures = _figures(fee)
    assert (figures.state, figures.paid, figures.balance) == (
        InvoiceState.CREDITED,
        b.money("0.00"),
        b.money("0.00"),
    )


def test_who_reads_an_invoice() -> None:
    b = books(US)
    other_admin = ClinicAdminFactory()
    for nobody in (PatientFactory(), other_admin, SiteAdminFactory(), b.appointment.therapist.user):
        with pytest.raises(NotFound):
            sel.invoice_for(viewer=nobody, invoice_id=b.invoice.pk)
    with pytest.raises(NotFound):
        sel.invoice_for(viewer=b.patient, invoice_id=b.invoice.pk + 1000)
    assert sel.invoice_for(viewer=b.patient, invoice_id=b.invoice.pk).invoice == b.invoice
    assert not AuditEvent.objects.filter(action="billing.invoice.view").exists()  # their own
    assert sel.invoice_for(viewer=b.admin, invoice_id=b.invoice.pk).invoice == b.invoice
    event = AuditEvent.objects.get(action="billing.invoice.view")
    assert (event.actor, event.patient, event.object_id) == (
        b.admin,
        b.patient,
        str(b.invoice.pk),
    )


def test_the_list_is_each_callers_own_and_a_therapist_sees_the_status_only() -> None:
    b = books(US)
    elsewhere = books(UK)
    therapist = b.appointment.therapist.user

    def listed(viewer: object, **kwargs: object) -> list[tuple[int, bool]]:
        items, count = sel.invoices_for(viewer=viewer, **kwargs)  # type: ignore[arg-type]
        assert count == len(items)
        return [(i.invoice.pk, i.full) for i in items]

    assert listed(b.patient) == [(b.invoice.pk, True)]
    assert listed(b.admin) == [(b.invoice.pk, True)]
    assert listed(therapist) == [(b.invoice.pk, False)]
    assert listed(SiteAdminFactory()) == []
    assert listed(elsewhere.patient) == [(elsewhere.invoice.pk, True)]
    assert listed(b.patient, state=InvoiceState.PAID) == []
    assert listed(b.patient, state=InvoiceState.OPEN) == [(b.invoice.pk, True)]
    # The admin's and the therapist's lists name the patient: audited, once each.
    events = AuditEvent.objects.filter(action="billing.invoice.list", patient=b.patient)
    assert sorted(e.actor_id for e in events) == sorted([b.admin.pk, therapist.pk])


def test_the_list_pages_newest_first() -> None:
    b = books(UK)
    later = [
        invoices.issue(
            clinic=b.clinic,
            patient=b.patient,
            purpose=Purpose.SESSION,
            lines=[invoices.Line("Massage", b.money("10.00"))],
        )
        for _ in range(3)
    ]
    first, count = sel.invoices_for(viewer=b.patient, page=1, page_size=2)
    second, _ = sel.invoices_for(viewer=b.patient, page=2, page_size=2)
    assert count == 4
    assert [i.invoice for i in first + second] == [*reversed(later), b.invoice]


def test_the_statement_groups_by_clinic_with_what_is_owed_and_every_movement() -> None:
    b = books(UK, price="50.00")
    cash = pay_cash(b, "25.00")
    payments.refund(payment=cash, amount=b.money("5.00"), reason="Short session", by=b.admin)
    (statement,) = sel.statement_of(patient=b.patient)
    assert statement.clinic == b.clinic
    assert statement.owed == [b.money("40.00")]  # 60.00 - (25.00 - 5.00)
    assert [d.invoice for d in statement.documents] == [b.invoice]
    kinds = [(m.refund is not None, m.amount) for m in statement.movements]
    assert kinds == [(True, b.money("5.00")), (False, b.money("25.00"))]
    assert sel.statement_of(patient=PatientFactory()) == []


def test_a_receipt_is_for_a_payment_that_went_through_and_its_readers() -> None:
    b = books(UK)
    cash = pay_cash(b, "10.00")
    receipt = sel.receipt_for(viewer=b.patient, payment_id=cash.pk)
    assert (receipt.amount, receipt.seller["name"]) == (b.money("10.00"), "Riverside Massage Ltd")
    assert sel.receipt_for(viewer=b.admin, payment_id=cash.pk).number == f"R{cash.pk:06d}"
    with pytest.raises(NotFound):
        sel.receipt_for(viewer=PatientFactory(), payment_id=cash.pk)
    with pytest.raises(NotFound):
        sel.receipt_for(viewer=b.appointment.therapist.user, payment_id=cash.pk)


def test_a_paid_us_session_gives_a_superbill_with_its_codes() -> None:
    b = books(US, price="90.00", regions=["left_calf", "left_buttock", "left_lower_back"])
    ProgressReport.objects.create(
        patient=b.patient, requested_by=b.patient, date_of_birth="1971-04-09"
    )
    with pytest.raises(NotFound):  # not paid yet
        documents.insurer_document(viewer=b.patient, invoice_id=b.invoice.pk)
    pay_cash(b, "90.00")
    doc = documents.insurer_document(viewer=b.patient, invoice_id=b.invoice.pk)
    assert (doc.kind, doc.cpt, doc.units, doc.minutes, doc.diagnosis) == (
        "superbill",
        "97124",
        4,  # 60 minutes: four 15-minute units
        60,
        "M54.32",  # left leg only
    )
    assert str(doc.date_of_birth) == "1971-04-09"
    assert doc.licence is not None
    assert doc.licence.number.startswith("LMT-")
    assert doc.seller["npi"] == "1234567893"


@pytest.mark.parametrize(
    ("regions", "code"),
    [
        (["right_calf"], "M54.31"),
        (["left_calf", "right_calf"], "M54.30"),
        (["left_lower_back"], "M54.30"),
    ],
)
def test_the_superbill_diagnosis_follows_the_intakes_side(regions: list[str], code: str) -> None:
    b = books(US, regions=regions)
    pay_cash(b, "90.00")
    assert documents.insurer_document(viewer=b.admin, invoice_id=b.invoice.pk).diagnosis == code


def test_a_paid_uk_session_gives_an_itemised_receipt_and_other_countries_none() -> None:
    b = books(UK, price="50.00")
    pay_cash(b, "60.00")
    doc = documents.insurer_document(viewer=b.patient, invoice_id=b.invoice.pk)
    assert (doc.kind, doc.cpt, doc.diagnosis, doc.units) == ("itemised_receipt", "", "", 0)
    assert doc.seller["insurer_provider_number"] == "BUPA-77421"
    elsewhere = books({**UK, "country": "IE", "currency": "EUR"}, price="50.00")
    pay_cash(elsewhere, "60.00")
    with pytest.raises(NotFound):
        documents.insurer_document(viewer=elsewhere.patient, invoice_id=elsewhere.invoice.pk)


def test_a_fee_gives_no_document_for_an_insurer(stripe_server: StripeServer) -> None:
    b = books(US)
    pay_by_card(stripe_server, b, "90.00")
    fee = fees.charge_fee(appointment=b.appointment, purpose=Purpose.NO_SHOW_FEE, by=None)
    assert fee is not None
    assert fee.total == Decimal("30.00")
    with pytest.raises(NotFound):
        documents.insurer_document(viewer=b.patient, invoice_id=fee.pk)
