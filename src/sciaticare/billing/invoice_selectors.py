"""Who may read which invoice, credit note and receipt, and what each shows: the patient's
Payments page, an invoice opened (page, PDF, API), receipts, and the documents for insurers.

One rule for pages, PDFs and the API: the patient reads their own; an admin of the invoice's
clinic reads the clinic's; a therapist sees only the status of the invoices of their own
sessions (in the API's list: no amounts, no payments); nobody else, site admins included.
Missing and forbidden are the same NotFound, so nobody can probe for numbers. Every read by
someone other than the patient is audited (the patient's own reads are not: their access
history shows other people).

What an invoice still owes is computed in the database (`with_sums`), so a list can be
filtered and paginated by it: the total, less what credit notes took off (their totals, tax
included), less what was paid and kept (payments that went through, less their refunds that
went through). Never below zero: an overpayment is refunded, not carried.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from babel.lists import format_list
from django.db.models import (
    DecimalField,
    F,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, gettext_noop, pgettext_lazy

from sciaticare.accounts.models import Role, User
from sciaticare.audit.services import record_event
from sciaticare.billing.models import (
    NO_CARD,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Purpose,
    Refund,
)
from sciaticare.billing.money import Money
from sciaticare.billing.selectors import policy_of, seller
from sciaticare.core.display import locale, money
from sciaticare.core.errors import NotFound
from sciaticare.directory.models import Clinic
from sciaticare.scheduling.selectors.calendars import local

#: SQLite adds decimals as binary floats, so a sum that is truly 0.00 may come out as 1e-15:
#: figures compared in SQL allow this much, far below any currency's smallest unit.
EPSILON = Decimal("0.0001")


class InvoiceState(StrEnum):
    """Where an invoice stands (a credit note has none: it owes nothing and is paid by no one)."""

    OPEN = "open"  # something is still owed
    PAID = "paid"  # nothing is owed
    CREDITED = "credited"  # credit notes took all of it off


STATE_WORDS = {
    InvoiceState.OPEN: pgettext_lazy("invoice state", "To pay"),
    InvoiceState.PAID: pgettext_lazy("invoice state", "Paid"),
    InvoiceState.CREDITED: pgettext_lazy("invoice state", "Credited"),
}


def _sum_of(rows: QuerySet, group: str, field: str) -> Subquery:
    return Subquery(
        rows.order_by().values(group).annotate(s=Sum(field)).values("s"),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


def with_sums(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Each invoice with `paid_sum`, `refunded_sum`, `credited_sum` and `owed` (see the module's
    docstring), in one statement."""
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=12, decimal_places=2))
    succeeded = PaymentStatus.SUCCEEDED
    paid = Payment.objects.filter(invoice=OuterRef("pk"), status=succeeded)
    refunded = Refund.objects.filter(
        payment__invoice=OuterRef("pk"), payment__status=succeeded, status=succeeded
    )
    credits = Invoice.objects.filter(credits=OuterRef("pk"))
    return invoices.annotate(
        paid_sum=Coalesce(_sum_of(paid, "invoice", "amount"), zero),
        refunded_sum=Coalesce(_sum_of(refunded, "payment__invoice", "amount"), zero),
        credited_sum=Coalesce(_sum_of(credits, "credits", "total"), zero),
    ).annotate(owed=F("total") - F("credited_sum") - F("paid_sum") + F("refunded_sum"))


def in_state(invoices: QuerySet[Invoice], state: InvoiceState) -> QuerySet[Invoice]:
    """Invoices of `with_sums` in `state`, by the rule of `Figures.state`."""
    invoices = invoices.filter(kind=InvoiceKind.INVOICE)
    credited = Q(credited_sum__gte=F("total") - EPSILON)
    if state is InvoiceState.CREDITED:
        return invoices.filter(credited)
    owes = Q(owed__gt=EPSILON)
    return invoices.filter(~credited & (owes if state is InvoiceState.OPEN else ~owes))


@dataclass(frozen=True)
class Figures:
    """An invoice's money as people read it (from an invoice of `with_sums`)."""

    total: Money
    credited: Money  # taken off by credit notes, tax included
    paid: Money  # paid and kept: payments that went through, less their refunds
    balance: Money  # still owed
    state: InvoiceState | None

    @property
    def state_words(self) -> str:
        return str(STATE_WORDS[self.state]) if self.state else gettext("Credit note")


def figures_of(invoice: Invoice) -> Figures:
    currency = invoice.currency
    total = Money.of(invoice.total, currency)
    credited = Money.of(invoice.credited_sum, currency)  # type: ignore[attr-defined]
    paid = Money.of(invoice.paid_sum, currency) - Money.of(invoice.refunded_sum, currency)  # type: ignore[attr-defined]
    covered = credited.amount + paid.amount
    balance = (
        Money.zero(currency)
        # A credit note owes nothing: it takes money off the invoice it corrects.
        if covered >= total.amount or invoice.kind != InvoiceKind.INVOICE
        else total - Money.of(covered, currency)
    )
    state = None
    if invoice.kind == InvoiceKind.INVOICE:
        if credited.amount >= total.amount:
            state = InvoiceState.CREDITED
        else:
            state = InvoiceState.PAID if balance.amount == 0 else InvoiceState.OPEN
    return Figures(total, credited, paid, balance, state)


# --- Who may read what --------------------------------------------------------------------


def admin_clinic_ids(user: User) -> set[int]:
    """The clinics whose money the user sees as their admin (a site admin runs none of it)."""
    if not user.is_authenticated or not user.has_role(Role.CLINIC_ADMIN):
        return set()
    return set(Clinic.objects.filter(admins=user).values_list("pk", flat=True))


def _readable(user: User, clinic_ids: set[int]) -> Q:
    """Invoices the user reads in full: their own as a patient, their clinics' as an admin."""
    readable = Q(pk__in=[])
    if user.has_role(Role.PATIENT):
        readable |= Q(patient=user)
    if clinic_ids:
        readable |= Q(clinic_id__in=clinic_ids)
    return readable


def audit_reads(
    viewer: User, action: str, patients: Iterable[User], obj: Model | None = None
) -> None:
    """One audit event per patient whose money `viewer` read (none for their own)."""
    seen: set[int] = set()
    for patient in patients:
        if patient.pk != viewer.pk and patient.pk not in seen:
            seen.add(patient.pk)
            record_event(actor=viewer, action=action, patient=patient, obj=obj)


@dataclass(frozen=True)
class Listed:
    """An invoice or credit note in a list; `full` is False where the viewer sees only its
    status (a therapist, for their session's invoice)."""

    invoice: Invoice
    figures: Figures
    full: bool

    @property
    def insurer_document(self) -> str:
        return insurer_kind(self.invoice, self.figures)


def invoices_for(
    *, viewer: User, state: InvoiceState | None = None, page: int = 1, page_size: int = 20
) -> tuple[list[Listed], int]:
    """One page of the invoices and credit notes the viewer may list, newest first, and how
    many there are: their own, their clinics', and (status only) their sessions'."""
    clinic_ids = admin_clinic_ids(viewer)
    readable = _readable(viewer, clinic_ids)
    listed = readable
    if viewer.has_role(Role.THERAPIST):
        listed |= Q(appointment__therapist__user=viewer)
    found = with_sums(Invoice.objects.filter(listed)).select_related("clinic", "patient")
    if state is not None:
        found = in_state(found, state)
    count = found.count()
    start = (page - 1) * page_size
    rows = list(found.order_by("-issued_at", "-pk")[start : start + page_size])
    full = {i.pk for i in rows if i.patient_id == viewer.pk or i.clinic_id in clinic_ids}
    audit_reads(viewer, "billing.invoice.list", (i.patient for i in rows))
    return [Listed(i, figures_of(i), i.pk in full) for i in rows], count


@dataclass(frozen=True)
class InvoiceDetail:
    """An invoice or credit note opened: its lines, the payments against it and their refunds,
    the credit notes that correct it (or, for a credit note, what it corrects)."""

    invoice: Invoice
    figures: Figures
    lines: list[InvoiceLine]
    payments: list[Payment]  # each with its refunds prefetched (`payment.refunds.all()`)
    credit_notes: list[Invoice]
    insurer_document: str  # "superbill", "itemised_receipt" or "" (see `insurer_kind`)
    session_start: datetime | None  # in the location's time zone

    @property
    def succeeded(self) -> list[Payment]:
        """The payments that went through (a declined attempt is on the page, not on paper)."""
        return [p for p in self.payments if p.status == PaymentStatus.SUCCEEDED]

    @property
    def refunds(self) -> list[Refund]:
        return sorted(
            (r for p in self.payments for r in p.refunds.all()),
            key=lambda r: (r.created_at, r.pk),
            reverse=True,
        )


def _invoice(viewer: User, invoice_id: int) -> Invoice:
    """The invoice if the viewer reads it in full (patient, clinic admin), else NotFound."""
    found = (
        with_sums(Invoice.objects.filter(_readable(viewer, admin_clinic_ids(viewer))))
        .select_related(
            "clinic", "patient", "credits", "appointment__location", "appointment__therapist__user"
        )
        .filter(pk=invoice_id)
        .first()
    )
    if found is None:
        raise NotFound("invoice")
    return found


def invoice_for(*, viewer: User, invoice_id: int) -> InvoiceDetail:
    """An invoice or credit note the viewer may open; audited when it is not their own."""
    invoice = _invoice(viewer, invoice_id)
    figures = figures_of(invoice)
    payments = list(
        invoice.payments.prefetch_related(
            Prefetch("refunds", queryset=Refund.objects.order_by("-created_at", "-pk"))
        ).order_by("-created_at", "-pk")
    )
    appointment = invoice.appointment
    audit_reads(viewer, "billing.invoice.view", [invoice.patient], invoice)
    return InvoiceDetail(
        invoice=invoice,
        figures=figures,
        lines=list(invoice.lines.all()),
        payments=payments,
        credit_notes=list(with_sums(invoice.credit_notes.order_by("issued_at", "pk"))),
        insurer_document=insurer_kind(invoice, figures),
        session_start=local(appointment.start, appointment.location) if appointment else None,
    )


# --- The patient's Payments page ----------------------------------------------------------


#: Why a fee's charge was not taken, as the patient reads it (the processor's words stay for
#: the clinic).
NOT_TAKEN_NO_CARD = gettext_noop("Not taken: no card at the clinic")
NOT_TAKEN = gettext_noop("Not taken: card declined")


@dataclass(frozen=True)
class Movement:
    """A payment or a refund on the Payments page (`refund` is None for a payment); `owed` is
    what the invoice of a failed fee's charge still asks for."""

    at: datetime
    payment: Payment
    refund: Refund | None
    owed: Money | None = None

    @property
    def amount(self) -> Money:
        row = self.refund or self.payment
        return Money.of(row.amount, self.payment.currency)

    @property
    def is_deposit(self) -> bool:
        """A card payment for a session taken before its invoice (then counted against it)."""
        p = self.payment
        return (
            p.purpose == Purpose.SESSION
            and p.method == PaymentMethod.CARD_ONLINE
            and p.appointment_id is not None
            and (p.invoice is None or p.created_at < p.invoice.issued_at)
        )

    @property
    def what(self) -> str:
        return gettext("Deposit") if self.is_deposit else str(Purpose(self.payment.purpose).label)

    @property
    def status_words(self) -> str:
        if self.refund is not None:
            return self.refund.status_words
        if self.payment.status == PaymentStatus.FAILED:
            return gettext(NOT_TAKEN_NO_CARD if self.payment.failure == NO_CARD else NOT_TAKEN)
        return self.payment.get_status_display()


@dataclass(frozen=True)
class ClinicStatement:
    """What a patient has to do with one clinic's money: what they owe (one amount per
    currency), its invoices and credit notes, and its payments and refunds, newest first."""

    clinic: Clinic
    owed: list[Money]
    documents: list[Listed]
    movements: list[Movement]

    @property
    def owed_words(self) -> str:
        """What is owed as the reader's language lists it: "£20.00 and €5.00"."""
        return format_list([money(m.amount, m.currency) for m in self.owed], locale=locale())


def statement_of(*, patient: User) -> list[ClinicStatement]:
    """The patient's money at every clinic they have any with, the clinic of the newest first."""
    documents = list(
        with_sums(Invoice.objects.filter(patient=patient))
        .select_related("clinic")
        .order_by("-issued_at", "-pk")
    )
    payments = list(
        Payment.objects.filter(patient=patient)
        .exclude(status=PaymentStatus.PENDING, attempted_at__isnull=True)  # never tried
        # A deposit that failed or was let go left no booking and owes nothing: one row per
        # abandoned hold would only alarm (kept for the clinic and the audit).
        .exclude(status=PaymentStatus.FAILED, invoice__isnull=True)
        .select_related("clinic", "appointment", "invoice")
        .prefetch_related("refunds")
        .order_by("-created_at", "-pk")
    )
    clinics: dict[int, Clinic] = {}
    for document in documents:
        clinics.setdefault(document.clinic_id, document.clinic)
    for payment in payments:
        clinics.setdefault(payment.clinic_id, payment.clinic)
    statements = []
    for clinic_id, clinic in clinics.items():
        listed = [Listed(i, figures_of(i), True) for i in documents if i.clinic_id == clinic_id]
        owed: dict[str, Money] = {}
        for item in listed:
            if item.figures.balance.amount > 0:
                currency = item.figures.balance.currency
                owed[currency] = owed.get(currency, Money.zero(currency)) + item.figures.balance
        balances = {item.invoice.pk: item.figures.balance for item in listed}
        movements = [
            Movement(
                p.succeeded_at or p.created_at,
                p,
                None,
                balances.get(p.invoice_id)
                if p.invoice_id is not None and p.status == PaymentStatus.FAILED
                else None,
            )
            for p in payments
            if p.clinic_id == clinic_id
        ] + [
            Movement(r.created_at, p, r)
            for p in payments
            if p.clinic_id == clinic_id
            for r in p.refunds.all()
        ]
        movements.sort(key=lambda m: (m.at, m.refund is not None), reverse=True)
        statements.append(ClinicStatement(clinic, list(owed.values()), listed, movements))
    return statements


# --- Receipts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    """A payment that went through, as its receipt shows it."""

    payment: Payment
    seller: dict[str, str]  # the invoice's, as issued; the clinic's now without an invoice
    refunds: list[Refund]

    @property
    def number(self) -> str:
        return f"R{self.payment.pk:06d}"

    @property
    def amount(self) -> Money:
        return Money.of(self.payment.amount, self.payment.currency)


def receipt_for(*, viewer: User, payment_id: int) -> Receipt:
    """The receipt of a payment that went through: for its patient and the clinic's admins."""
    payment = (
        Payment.objects.filter(
            _readable(viewer, admin_clinic_ids(viewer)),
            pk=payment_id,
            status=PaymentStatus.SUCCEEDED,
        )
        .select_related("clinic", "patient", "invoice", "appointment__location")
        .first()
    )
    if payment is None:
        raise NotFound("receipt")
    audit_reads(viewer, "billing.invoice.view", [payment.patient], payment)
    return receipt_of(payment)


def receipt_of(payment: Payment) -> Receipt:
    """What a receipt says (the caller has checked who asks: `receipt_for`, or the receipt
    mail to the payment's own patient)."""
    issued = payment.invoice.seller if payment.invoice else seller(policy_of(payment.clinic))
    # Given back, and on its way (a refund the processor has not answered yet): not refused.
    refunds = list(payment.refunds.exclude(status=PaymentStatus.FAILED).order_by("created_at"))
    return Receipt(payment, issued, refunds)


# --- Documents for insurers ---------------------------------------------------------------


def insurer_kind(invoice: Invoice, figures: Figures) -> str:
    """Which document a patient gives their insurer for this invoice: a paid session's invoice
    of a US clinic gives a superbill, of a UK clinic an itemised receipt; anything else none."""
    if (
        invoice.kind != InvoiceKind.INVOICE
        or invoice.purpose != Purpose.SESSION
        or invoice.appointment_id is None
        or figures.state is not InvoiceState.PAID
        or figures.paid.amount == 0
    ):
        return ""
    return {"US": "superbill", "GB": "itemised_receipt"}.get(invoice.seller.get("country", ""), "")
