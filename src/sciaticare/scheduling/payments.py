"""Money around a booking: what scheduling asks of the billing app, behind a small seam.

Billing sits above scheduling (it invoices appointments), so scheduling may not import it. The
booking pages, the booking API and `book_appointment` ask a :class:`PaymentDesk` instead:

- billing installs its desk (``billing.desk.BillingDesk``) from its ``AppConfig.ready()``
  through :func:`use_desk`;
- until then (scheduling without billing) :class:`NoPayments` answers: no policy to show, no
  deposit, nothing to pay, and booking is what it always was.

The facts billing needs afterwards (a cancellation, a no-show, a completed session) reach it
through the services' after-commit hooks (`changes.on_cancelled`, `attendance.on_no_show`,
`attendance.on_completed`), which billing also fills in.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

#: The Conflict code of a booking that would let go of a time held for its deposit that the
#: page the patient confirmed on did not name (opened before that time was held).
HELD_TIME_NOT_NAMED = "held_time_not_named"


@dataclass(frozen=True)
class BookingTerms:
    """The clinic's payment policy for one booking, as the confirm step says it."""

    #: The policy in plain sentences ("A deposit of £11.00 (20 %) is taken now by card. …").
    words: str
    #: The deposit confirming takes by card ("£11.00"), or "" when nothing is taken online.
    deposit: str = ""


@dataclass(frozen=True)
class PaymentState:
    """A booking's payment as the API reports it: amounts as decimal text with the currency."""

    status: str  # none | requires_action | authorised | paid | refunded
    amount: str
    currency: str
    #: The payment's id, for `POST /api/v1/payments/{id}/card` and `…/finish`.
    id: int | None = None
    #: What Stripe.js needs next: a card set-up's (no card saved yet) or a payment's (the
    #: bank's check) client secret.
    client_secret: str | None = None


@dataclass(frozen=True)
class NoShowTerms:
    """What marking a session missed means for the money, as the confirm step says it."""

    #: In plain sentences ("Under the clinic's policy this charges a £30.00 missed-session fee
    #: (the client's £11.00 deposit is counted).").
    words: str
    #: A fee is invoiced: the patient is told by mail.
    fee: bool


class PaymentDesk(Protocol):
    def booking_terms(
        self, *, session_type: Any, location: Any, start: datetime, now: datetime
    ) -> BookingTerms | None:
        """The words the confirm step shows before a booking (None: the clinic has no policy)."""
        ...

    def deposit_hold(self, *, session_type: Any, location: Any) -> timedelta | None:
        """How long a new booking's slot is held while its deposit is paid by card, or None to
        book at once. Called inside the booking's transaction; may refuse (a DomainError)."""
        ...

    def open_deposit(self, appointment: Any, replacing: Collection[int] | None = None) -> None:
        """Note the deposit a held booking owes; inside the booking's transaction. The
        patient's other holds in `holds_replaced` are let go; with `replacing` (the ones a page
        named), one not named raises Conflict `HELD_TIME_NOT_NAMED` instead, and the booking is
        rolled back."""
        ...

    def holds_replaced(self, patient: Any) -> list[int]:
        """The patient's held bookings (ids) that a new booking held for its deposit lets go:
        the confirm step names them first."""
        ...

    def agree_terms(self, appointment: Any) -> None:
        """Keep the fees a new appointment is made under; inside its transaction."""
        ...

    def deposit_page(self, appointment: Any) -> str:
        """Where the patient pays a held booking's deposit (a URL path)."""
        ...

    def booking_payment(self, appointment: Any) -> PaymentState | None:
        """The API's answer about a new booking's money, after its transaction: a saved card is
        charged at once; otherwise what the browser or app must do next. None: the clinic
        takes no money at booking. A declined card ends the hold and raises a DomainError."""
        ...

    def cancel_terms(
        self, *, appointment: Any, user: Any, now: datetime, done: bool = False
    ) -> str | None:
        """What cancelling now costs or gives back, in words (None: nothing to say); `done`:
        told after the cancel, what it cost or gave back, figured as before it."""
        ...

    def no_show_terms(self, appointment: Any, now: datetime) -> NoShowTerms | None:
        """What marking the session missed now charges or gives back (None: nothing to say)."""
        ...


class NoPayments:
    """The desk before billing installs its own: no policy, no deposit, nothing to pay."""

    def booking_terms(
        self, *, session_type: Any, location: Any, start: datetime, now: datetime
    ) -> BookingTerms | None:
        return None

    def deposit_hold(self, *, session_type: Any, location: Any) -> timedelta | None:
        return None

    def open_deposit(self, appointment: Any, replacing: Collection[int] | None = None) -> None:
        return None

    def holds_replaced(self, patient: Any) -> list[int]:
        return []

    def agree_terms(self, appointment: Any) -> None:
        return None

    def deposit_page(self, appointment: Any) -> str:
        raise LookupError("No payments are taken without the billing app.")

    def booking_payment(self, appointment: Any) -> PaymentState | None:
        return None

    def cancel_terms(
        self, *, appointment: Any, user: Any, now: datetime, done: bool = False
    ) -> str | None:
        return None

    def no_show_terms(self, appointment: Any, now: datetime) -> NoShowTerms | None:
        return None


_desk: PaymentDesk = NoPayments()


def desk() -> PaymentDesk:
    return _desk


def use_desk(new: PaymentDesk) -> PaymentDesk:
    """Install the desk booking consults; returns the previous one (for tests to restore)."""
    global _desk
    previous, _desk = _desk, new
    return previous
