"""A clinic's takings for its admins: money taken and given back over a range of days (by day,
therapist and method, `takings.py`), the payments, refunds and fees of the range, what is
still owed, and the rows of the accountant's CSV; and the payment, invoice or fee an admin is
about to record against, refund or waive.

Only the admins of the clinic (a site admin runs no clinic's money); anyone else gets the same
NotFound as a missing clinic. Days are the clinic's own (the time zone of its first location).
Each read names patients, so each is audited once per patient shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, pgettext, pgettext_lazy

from sciaticare.accounts.models import User
from sciaticare.billing import takings
from sciaticare.billing.invoice_selectors import (
    Figures,
    InvoiceState,
    admin_clinic_ids,
    audit_reads,
    figures_of,
    in_state,
    with_sums,
)
from sciaticare.billing.models import Invoice, InvoiceKind, Payment, PaymentStatus, Purpose, Refund
from sciaticare.billing.money import Money
from sciaticare.core.errors import Invalid, NotFound
from sciaticare.core.spreadsheet import Cell
from sciaticare.directory.models import Clinic

#: Every purpose but a session is a fee (a late cancellation's, a missed session's).
FEES = frozenset(p for p in Purpose if p != Purpose.SESSION)
#: The longest range one page or export covers: a year (and a day, for a leap year).
LONGEST_RANGE = timedelta(days=366)
#: Outstanding invoices listed on the page, oldest first; the count says how many more.
OUTSTANDING_SHOWN = 100

#: The accountant's CSV: its columns, named in the reader's language (`csv_header`), as are the
#: words in its cells; dates (ISO 8601), amounts (plain decimals) and currency codes are
#: written alike in every language, so that a spreadsheet reads every file the same way.
_COLUMNS = {
    "date": pgettext_lazy("takings CSV column", "date"),
    "kind": pgettext_lazy("takings CSV column", "kind"),
    "invoice": pgettext_lazy("takings CSV column", "invoice"),
    "patient": pgettext_lazy("takings CSV column", "patient"),
    "therapist": pgettext_lazy("takings CSV column", "therapist"),
    "for": pgettext_lazy("takings CSV column", "for"),
    "method": pgettext_lazy("takings CSV column", "method"),
    "amount": pgettext_lazy("takings CSV column", "amount"),
    "currency": pgettext_lazy("takings CSV column", "currency"),
    "reason": pgettext_lazy("takings CSV column", "reason"),
}
CSV_HEADER = tuple(_COLUMNS)


def csv_header() -> tuple[str, ...]:
    """The CSV's header row in the reader's language ("date", "fecha")."""
    return tuple(str(words) for words in _COLUMNS.values())


def clinics_for_takings(*, viewer: User) -> list[Clinic]:
    return list(Clinic.objects.filter(pk__in=admin_clinic_ids(viewer)).order_by("name", "pk"))


def clinic_for_takings(*, viewer: User, clinic_id: int) -> Clinic:
    if clinic_id not in admin_clinic_ids(viewer):
        raise NotFound("clinic")
    return Clinic.objects.get(pk=clinic_id)


def clinic_zone(clinic: Clinic) -> ZoneInfo:
    """The clinic's clock: its first location's time zone (UTC without a location)."""
    first = clinic.locations.order_by("pk").values_list("time_zone", flat=True).first()
    return ZoneInfo(first or "UTC")


def default_range(clinic: Clinic, *, now: datetime) -> tuple[date, date]:
    """This month so far, in the clinic's days."""
    today = now.astimezone(clinic_zone(clinic)).date()
    return today.replace(day=1), today


def check_range(start: date, end: date) -> None:
    if end < start:
        raise Invalid(
            "bad_range",
            gettext("The range ends before it starts."),
            [("end", gettext("before start"))],
        )
    if end - start >= LONGEST_RANGE:
        raise Invalid(
            "range_too_long",
            gettext("Ask for a year at most."),
            [("end", gettext("at most a year"))],
        )


@dataclass(frozen=True)
class TakingsReport:
    clinic: Clinic
    start: date
    end: date
    takings: takings.Takings
    payments: list[Payment]  # that went through in the range, newest first
    refunds: list[Refund]  # given in the range, newest first
    fees: list[tuple[Invoice, Figures]]  # invoiced in the range, newest first
    outstanding: list[tuple[Invoice, Figures]]  # still owed, whenever issued; oldest first
    outstanding_count: int


def _bounds(clinic: Clinic, start: date, end: date) -> tuple[datetime, datetime]:
    zone = clinic_zone(clinic)
    return (
        datetime.combine(start, time(), tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time(), tzinfo=zone),
    )


def _payments(clinic: Clinic, start: date, end: date) -> QuerySet[Payment]:
    since, until = _bounds(clinic, start, end)
    return (
        Payment.objects.filter(
            clinic=clinic,
            status=PaymentStatus.SUCCEEDED,
            succeeded_at__gte=since,
            succeeded_at__lt=until,
        )
        .select_related("patient", "invoice", "appointment__therapist__user")
        .annotate(
            # Given back or on its way (a refund the processor has not answered yet).
            given_back=Coalesce(
                Subquery(
                    Refund.objects.filter(payment=OuterRef("pk"))
                    .exclude(status=PaymentStatus.FAILED)
                    .order_by()
                    .values("payment")
                    .annotate(s=Sum("amount"))
                    .values("s"),
                    output_field=DecimalField(max_digits=12, decimal_places=2),
                ),
                Value(Decimal(0), output_field=DecimalField(max_digits=12, decimal_places=2)),
            )
        )
        .order_by("-succeeded_at", "-pk")
    )


def _refunds(clinic: Clinic, start: date, end: date) -> QuerySet[Refund]:
    since, until = _bounds(clinic, start, end)
    return (
        Refund.objects.filter(
            payment__clinic=clinic,
            status=PaymentStatus.SUCCEEDED,
            created_at__gte=since,
            created_at__lt=until,
        )
        .select_related(
            "payment__patient", "payment__invoice", "payment__appointment__therapist__user"
        )
        .order_by("-created_at", "-pk")
    )


def _therapist(payment: Payment) -> str:
    appointment = payment.appointment
    return appointment.therapist.user.display_name if appointment else ""


def _is_fee(payment: Payment) -> bool:
    """Fee money: a fee's own charge, or a deposit counted against a fee's invoice (a late
    cancellation's fee kept from the deposit), so that the fee given back is counted too."""
    invoice = payment.invoice
    return payment.purpose in FEES or (invoice is not None and invoice.purpose in FEES)


def _movements(
    zone: ZoneInfo, payments: list[Payment], refunds: list[Refund]
) -> list[takings.Movement]:
    moved = [
        takings.Movement(
            day=(p.succeeded_at or p.created_at).astimezone(zone).date(),
            therapist=_therapist(p),
            method=p.get_method_display(),
            currency=p.currency,
            taken=p.amount,
            fee=_is_fee(p),
        )
        for p in payments
    ]
    moved += [
        takings.Movement(
            day=r.created_at.astimezone(zone).date(),
            therapist=_therapist(r.payment),
            method=r.payment.get_method_display(),
            currency=r.payment.currency,
            refunded=r.amount,
            fee=_is_fee(r.payment),
        )
        for r in refunds
    ]
    return moved


def takings_of(*, viewer: User, clinic_id: int, start: date, end: date) -> TakingsReport:
    clinic = clinic_for_takings(viewer=viewer, clinic_id=clinic_id)
    check_range(start, end)
    payments = list(_payments(clinic, start, end))
    refunds = list(_refunds(clinic, start, end))
    since, until = _bounds(clinic, start, end)
    fees = list(
        with_sums(
            Invoice.objects.filter(
                clinic=clinic,
                kind=InvoiceKind.INVOICE,
                purpose__in=list(FEES),
                issued_at__gte=since,
                issued_at__lt=until,
            )
        )
        .select_related("patient")
        .order_by("-issued_at", "-pk")
    )
    open_invoices = in_state(with_sums(Invoice.objects.filter(clinic=clinic)), InvoiceState.OPEN)
    outstanding = list(
        open_invoices.select_related("patient").order_by("issued_at", "pk")[:OUTSTANDING_SHOWN]
    )
    shown = [
        *(p.patient for p in payments),
        *(r.payment.patient for r in refunds),
        *(i.patient for i in [*fees, *outstanding]),
    ]
    audit_reads(viewer, "billing.takings.view", shown, clinic)
    return TakingsReport(
        clinic=clinic,
        start=start,
        end=end,
        takings=takings.summarise(_movements(clinic_zone(clinic), payments, refunds)),
        payments=payments,
        refunds=refunds,
        fees=[(i, figures_of(i)) for i in fees],
        outstanding=[(i, figures_of(i)) for i in outstanding],
        outstanding_count=open_invoices.count(),
    )


def _purpose(payment: Payment) -> str:
    return str(Purpose(payment.purpose).label)


def takings_rows(*, viewer: User, clinic_id: int, start: date, end: date) -> list[tuple[Cell, ...]]:
    """The accountant's CSV: one row per payment taken and per refund given in the range,
    oldest first; amounts as plain decimal text beside their currency."""
    clinic = clinic_for_takings(viewer=viewer, clinic_id=clinic_id)
    check_range(start, end)
    zone = clinic_zone(clinic)
    payments = list(_payments(clinic, start, end))
    refunds = list(_refunds(clinic, start, end))
    rows: list[tuple[datetime, int, tuple[Cell, ...]]] = []
    for p in payments:
        at = p.succeeded_at or p.created_at
        rows.append(
            (
                at,
                0,
                (
                    at.astimezone(zone).date(),
                    pgettext("takings CSV kind", "payment"),
                    p.invoice.number if p.invoice else "",
                    p.patient.display_name,
                    _therapist(p),
                    _purpose(p),
                    p.get_method_display(),
                    str(Money.of(p.amount, p.currency).amount),
                    p.currency,
                    "",
                ),
            )
        )
    for r in refunds:
        p = r.payment
        rows.append(
            (
                r.created_at,
                1,
                (
                    r.created_at.astimezone(zone).date(),
                    pgettext("takings CSV kind", "refund"),
                    p.invoice.number if p.invoice else "",
                    p.patient.display_name,
                    _therapist(p),
                    _purpose(p),
                    p.get_method_display(),
                    str(Money.of(r.amount, p.currency).amount),
                    p.currency,
                    r.reason_words,
                ),
            )
        )
    audit_reads(
        viewer,
        "billing.takings.export",
        [*(p.patient for p in payments), *(r.payment.patient for r in refunds)],
        clinic,
    )
    return [row for _, _, row in sorted(rows, key=lambda r: (r[0], r[1]))]


# --- What an admin acts on ----------------------------------------------------------------


def payment_to_refund(*, viewer: User, payment_id: int) -> Payment:
    """A payment of the viewer's clinic that went through (what is left of it to give back is
    the refund service's to say: `payments.refunded`)."""
    payment = (
        Payment.objects.filter(
            pk=payment_id,
            clinic_id__in=admin_clinic_ids(viewer),
            status=PaymentStatus.SUCCEEDED,
        )
        .select_related("patient", "invoice", "clinic")
        .first()
    )
    if payment is None:
        raise NotFound("payment")
    audit_reads(viewer, "billing.payment.view", [payment.patient], payment)
    return payment


def _admins_invoice(viewer: User, invoice_id: int) -> tuple[Invoice, Figures]:
    invoice = (
        with_sums(Invoice.objects.filter(pk=invoice_id, clinic_id__in=admin_clinic_ids(viewer)))
        .select_related("patient", "clinic")
        .first()
    )
    if invoice is None:
        raise NotFound("invoice")
    # The record-payment and waive steps show the patient's invoice: a read like any other.
    audit_reads(viewer, "billing.invoice.view", [invoice.patient], invoice)
    return invoice, figures_of(invoice)


def invoice_to_settle(*, viewer: User, invoice_id: int) -> tuple[Invoice, Figures]:
    """An invoice of the viewer's clinic that still owes something."""
    invoice, figures = _admins_invoice(viewer, invoice_id)
    if figures.state is not InvoiceState.OPEN:
        raise NotFound("invoice")
    return invoice, figures


def fee_to_waive(*, viewer: User, invoice_id: int) -> tuple[Invoice, Figures]:
    """A fee of the viewer's clinic that credit notes have not yet taken off."""
    invoice, figures = _admins_invoice(viewer, invoice_id)
    if invoice.purpose not in FEES or figures.state not in (
        InvoiceState.OPEN,
        InvoiceState.PAID,
    ):
        raise NotFound("fee")
    return invoice, figures
