"""Money kept by a clinic: its payment policy, cards on file, invoices and credit notes, the
payments against them and their refunds, and the processor's events as received.

Every amount is a Decimal of major units beside a currency, checked non-negative by the
database as well as by `money.Money`. An issued invoice never changes (a trigger refuses it,
migration 0002); corrections are credit notes. Invoice numbers run per clinic and year without
gaps (`services.invoices.issue` takes the year's counter row under a lock).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from sciaticare.billing.money import DepositKind
from sciaticare.directory.models import Clinic
from sciaticare.scheduling.models import Appointment

CURRENCY = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code, e.g. GBP."))
NOT_NEGATIVE = [MinValueValidator(Decimal(0))]
PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


def _amount(**kwargs: object) -> models.DecimalField:
    return models.DecimalField(max_digits=8, decimal_places=2, validators=NOT_NEGATIVE, **kwargs)  # type: ignore[arg-type]


def _not_negative(*fields: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(**{f"{field}__gte": 0}),
            name=f"%(app_label)s_%(class)s_{field}_not_negative",
        )
        for field in fields
    ]


class PaymentPolicy(models.Model):
    """What a clinic charges around a booking, and what its invoices say about it.

    The cancellation window itself is the booking rules' (scheduling.BookingPolicy): one rule,
    read by both the calendar (a late cancellation) and the money (its fee).
    """

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="payment_policy")
    currency = models.CharField(max_length=3, default="GBP", validators=[CURRENCY])
    deposit = models.CharField(
        max_length=8,
        choices=[(k.value, k.name.title()) for k in DepositKind],
        default=DepositKind.NONE,
    )
    deposit_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal(0), validators=PERCENT
    )
    late_cancel_fee = _amount(default=Decimal(0))
    no_show_fee = _amount(default=Decimal(0))
    pay_at_booking = models.BooleanField(
        default=False,
        help_text="Take the deposit by card online when booking (otherwise payment is at the clinic).",
    )
    tax_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal(0), validators=PERCENT
    )
    tax_number = models.CharField(max_length=40, blank=True, help_text="VAT or sales-tax number.")
    legal_name = models.CharField(max_length=200, blank=True)
    address = models.TextField(max_length=500, blank=True)
    country = models.CharField(
        max_length=2,
        default="GB",
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Use a two-letter ISO 3166 code, e.g. GB."))],
        help_text="US clinics give superbills; UK clinics itemised receipts for insurers.",
    )
    npi = models.CharField(
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^\d{10}$", _("A US NPI is ten digits."))],
        help_text="US National Provider Identifier of the clinic (type 2).",
    )
    insurer_provider_number = models.CharField(
        max_length=40, blank=True, help_text="e.g. a UK private insurer's provider number."
    )
    processor_account = models.CharField(
        max_length=64,
        blank=True,
        validators=[RegexValidator(r"^acct_[A-Za-z0-9]+$", _("A Stripe account id starts acct_."))],
        help_text="The clinic's own Stripe account (Connect), so money goes to the clinic.",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "payment policies"
        constraints = [
            *_not_negative("late_cancel_fee", "no_show_fee"),
            models.CheckConstraint(
                condition=Q(deposit_percent__gte=0, deposit_percent__lte=100)
                & Q(tax_percent__gte=0, tax_percent__lte=100),
                name="%(app_label)s_%(class)s_percents_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"Payment policy of {self.clinic}"


class AgreedFees(models.Model):
    """The fees a booking was made under, as the confirm step said them: a fee charged later is
    never more than these, whatever the clinic's policy says by then (services.fees.fee_for)."""

    appointment = models.OneToOneField(
        Appointment, on_delete=models.CASCADE, related_name="agreed_fees"
    )
    currency = models.CharField(max_length=3, validators=[CURRENCY])
    late_cancel_fee = _amount()
    no_show_fee = _amount()
    agreed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [*_not_negative("late_cancel_fee", "no_show_fee")]

    def __str__(self) -> str:
        return f"Fees agreed for appointment {self.appointment_id}"


class CardOnFile(models.Model):
    """A patient's saved card at one clinic's processor account: only the processor's ids and
    what a person recognises a card by (brand, last four digits, expiry); never the number."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cards_on_file"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    customer_id = models.CharField(max_length=64)
    payment_method_id = models.CharField(max_length=64, blank=True)
    brand = models.CharField(max_length=20, blank=True)
    last4 = models.CharField(max_length=4, blank=True)
    exp_month = models.PositiveSmallIntegerField(null=True, blank=True)
    exp_year = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    #: A new card set up to pay one payment, not yet kept: {"payment": id, "payment_method",
    #: "brand", "last4", "exp_month", "exp_year"} (cards.try_for). It becomes the card on file
    #: only once that payment goes through; a declined card never replaces the one on file.
    trying = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "clinic"], name="%(app_label)s_%(class)s_one_per_clinic"
            )
        ]

    def __str__(self) -> str:
        return f"{self.brand} •••• {self.last4}" if self.last4 else "no card yet"


class InvoiceCounter(models.Model):
    """The last number issued in one clinic's year: the lock that keeps numbers gapless."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "year"], name="%(app_label)s_%(class)s_one_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.clinic} {self.year}: {self.last}"


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class Purpose(models.TextChoices):
    """What an invoice (and a payment) is for."""

    SESSION = "session", _("Session")
    LATE_CANCEL_FEE = "late_cancel_fee", _("Late cancellation fee")
    NO_SHOW_FEE = "no_show_fee", _("Missed session fee")


class InvoiceStatus(models.TextChoices):
    DRAFT = (
        "draft",
        pgettext_lazy("invoice status", "Draft"),
    )  # only inside the transaction that issues it (services.invoices)
    ISSUED = "issued", pgettext_lazy("invoice status", "Issued")


class Invoice(models.Model):
    """An invoice or a credit note, issued: numbered, dated and never changed again.

    The seller's and buyer's details are copied in when it is issued, as the law asks of an
    invoice: a later change of address or name does not rewrite an old one.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="invoices")
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invoices"
    )
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, related_name="invoices", null=True, blank=True
    )
    kind = models.CharField(max_length=12, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    status = models.CharField(
        max_length=8, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    credits = models.ForeignKey(
        "self", on_delete=models.PROTECT, related_name="credit_notes", null=True, blank=True
    )
    reason = models.CharField(max_length=300, blank=True, help_text="Why a credit note was issued.")
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    number = models.CharField(max_length=40, unique=True)
    issued_at = models.DateTimeField()
    currency = models.CharField(max_length=3, validators=[CURRENCY])
    subtotal = _amount()
    tax_percent = models.DecimalField(max_digits=5, decimal_places=2, validators=PERCENT)
    tax = _amount()
    total = _amount()
    seller = models.JSONField(help_text="The clinic's legal name, address and numbers, as issued.")
    buyer_name = models.CharField(max_length=300)

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["patient", "issued_at"], name="billing_invoice_patient")]
        constraints = [
            *_not_negative("subtotal", "tax", "total"),
            models.CheckConstraint(
                condition=Q(total=models.F("subtotal") + models.F("tax")),
                name="%(app_label)s_%(class)s_total_is_lines_plus_tax",
            ),
            models.UniqueConstraint(
                fields=["clinic", "year", "sequence"], name="%(app_label)s_%(class)s_gapless_key"
            ),
            # A fee is invoiced once per session, whatever retries or double clicks.
            models.UniqueConstraint(
                fields=["appointment", "purpose"],
                condition=Q(kind=InvoiceKind.INVOICE),
                name="%(app_label)s_%(class)s_once_per_session",
            ),
            models.CheckConstraint(
                condition=Q(kind=InvoiceKind.INVOICE, credits__isnull=True)
                | Q(kind=InvoiceKind.CREDIT_NOTE, credits__isnull=False),
                name="%(app_label)s_%(class)s_credit_note_credits_one",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(max_length=200)
    code = models.CharField(max_length=20, blank=True, help_text="e.g. CPT 97124 on a superbill.")
    quantity = models.PositiveSmallIntegerField(default=1)
    unit_amount = _amount()
    amount = _amount()

    class Meta:
        ordering = ["invoice", "id"]
        constraints = [
            *_not_negative("unit_amount", "amount"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="%(app_label)s_%(class)s_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(amount=models.F("quantity") * models.F("unit_amount")),
                name="%(app_label)s_%(class)s_amount_is_quantity_times_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


#: What Sciaticare itself writes into a payment's `failure` or a refund's `reason`: stored in
#: English, so that the clinic and the patient each read them in their own language
#: (`said_by_sciaticare`); what a clinic admin or the processor wrote is shown as it was, but
#: for the processor's commonest words, which are known too.
HOLD_ENDED = gettext_noop("The time held for this booking ran out before the payment went through.")
LET_GO = gettext_noop("You let this time go.")
REPLACED = gettext_noop("You booked another time instead, so this one was let go.")
NO_CARD = gettext_noop("No card is saved for this clinic.")
BANK_DID_NOT_CONFIRM = gettext_noop("The bank did not confirm the payment.")
CARD_DECLINED = gettext_noop("The card was declined.")
PROCESSOR_UNREACHABLE = gettext_noop(
    "The card processor could not be reached or refused the request; nothing was charged. "
    "Please try again in a minute."
)
#: The processor's own words for the commonest refusal (Stripe's `user_message`), which a
#: patient reads on the deposit page: known, so translated too.
STRIPE_DECLINED = gettext_noop("Your card was declined.")
REFUNDED_IN_TIME = gettext_noop("Cancelled in time: the deposit comes back in full.")
REFUNDED_BY_CLINIC = gettext_noop("Cancelled by the therapist: the deposit comes back in full.")
REFUNDED_NO_FEE = gettext_noop("No fee under the clinic's policy: the deposit comes back in full.")
BEYOND_THE_SESSION = gettext_noop("Deposit beyond the session's invoice")
BEYOND_THE_FEE = {
    "late_cancel_fee": gettext_noop("Deposit beyond the late cancellation fee"),
    "no_show_fee": gettext_noop("Deposit beyond the missed session fee"),
}
SAID_BY_SCIATICARE = frozenset(
    {
        STRIPE_DECLINED,
        HOLD_ENDED,
        LET_GO,
        REPLACED,
        NO_CARD,
        BANK_DID_NOT_CONFIRM,
        CARD_DECLINED,
        PROCESSOR_UNREACHABLE,
        REFUNDED_IN_TIME,
        REFUNDED_BY_CLINIC,
        REFUNDED_NO_FEE,
        BEYOND_THE_SESSION,
        *BEYOND_THE_FEE.values(),
    }
)


def said_by_sciaticare(words: str) -> str:
    return gettext(words) if words in SAID_BY_SCIATICARE else words


class PaymentMethod(models.TextChoices):
    CARD_ONLINE = "card_online", _("Card (online)")
    CARD_TERMINAL = "card_terminal", _("Card (at the clinic)")
    CASH = "cash", _("Cash")
    OTHER = "other", _("Other")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    REQUIRES_ACTION = "requires_action", _("Waiting for the card's check")
    SUCCEEDED = "succeeded", _("Paid")
    FAILED = "failed", _("Failed")


class Payment(models.Model):
    """Money taken from a patient: a deposit at booking, a fee, or a balance at the clinic.

    A deposit is taken before there is an invoice (the session has not happened); it is applied
    to the invoice that is issued later (the session's or a fee's). The idempotency key is made
    before the processor is called, so a retry reuses it and the row records the charge once.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="payments")
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments"
    )
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, related_name="payments", null=True, blank=True
    )
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="payments", null=True, blank=True
    )
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    status = models.CharField(
        max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    amount = _amount()
    currency = models.CharField(max_length=3, validators=[CURRENCY])
    idempotency_key = models.CharField(max_length=80, unique=True)
    processor_id = models.CharField(max_length=64, blank=True, help_text="PaymentIntent id.")
    failure = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attempted_at = models.DateTimeField(
        null=True, blank=True, help_text="When one request claimed the charge (services.payments)."
    )
    created_at = models.DateTimeField(default=timezone.now)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    told_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the patient was mailed that this fee's charge failed (tasks, once).",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            *_not_negative("amount"),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="%(app_label)s_%(class)s_amount_positive"
            ),
            models.UniqueConstraint(
                fields=["processor_id"],
                condition=~Q(processor_id=""),
                name="%(app_label)s_%(class)s_one_row_per_intent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.amount} {self.currency} ({self.status})"

    @property
    def failure_words(self) -> str:
        """Why it failed, in the reader's language when Sciaticare wrote it; the processor's
        own words (a bank's decline) as they came."""
        return said_by_sciaticare(self.failure)


REFUND_WORDS: dict[str, str] = {
    PaymentStatus.SUCCEEDED: gettext_noop("Given back"),
    PaymentStatus.PENDING: gettext_noop("On its way"),
    PaymentStatus.FAILED: gettext_noop("Not given back"),
}


class Refund(models.Model):
    """Money given back from one payment, with why and who decided."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = _amount()
    reason = models.CharField(max_length=300)
    status = models.CharField(
        max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    idempotency_key = models.CharField(max_length=80, unique=True)
    processor_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="%(app_label)s_%(class)s_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"Refund {self.amount} of {self.payment_id}"

    @property
    def status_words(self) -> str:
        """The refund's status as the patient and the clinic read it: a pending refund is one
        the processor has not answered yet, retried until it does."""
        return gettext(REFUND_WORDS[self.status]) if self.status in REFUND_WORDS else self.status

    @property
    def reason_words(self) -> str:
        """The reason in the reader's language when Sciaticare wrote it (`SAID_BY_SCIATICARE`);
        as the clinic admin wrote it otherwise."""
        return said_by_sciaticare(self.reason)


class ProcessorEvent(models.Model):
    """A webhook event from the processor, kept by id so that a replay changes nothing."""

    event_id = models.CharField(max_length=80, unique=True)
    type = models.CharField(max_length=80)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
