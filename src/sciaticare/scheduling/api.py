"""Scheduling API: free slots (public), booking and the caller's own appointments."""

from datetime import UTC, timedelta
from typing import Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from sciaticare.accounts.types import AuthedRequest
from sciaticare.core import kept_answers
from sciaticare.core.bounds import ApiId, BodyId, SchedulingDatetime
from sciaticare.core.errors import Invalid
from sciaticare.core.schemas import Body, OffsetDatetime, Problem
from sciaticare.directory.selectors.profile import bookable_session
from sciaticare.scheduling import payments
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from sciaticare.scheduling.selectors.appointments import appointment_for, appointments_of
from sciaticare.scheduling.selectors.bookable import DEFAULT_WINDOW, free_slots
from sciaticare.scheduling.selectors.calendars import load_calendars, local, local_text
from sciaticare.scheduling.services import booking, changes
from sciaticare.scheduling.services.attendance import mark_attendance

router = Router(tags=["scheduling"])
MAX_WINDOW = timedelta(days=62)


class SlotOut(Schema):
    start: OffsetDatetime = Field(description="ISO 8601 with offset, in the location's time zone.")
    end: OffsetDatetime
    service: int


class SlotsQuery(Schema):
    start: SchedulingDatetime | None = Field(None, description="Window start (default: now).")
    end: SchedulingDatetime | None = Field(
        None, description="Window end (default: start + 14 days; at most 62 days)."
    )
    service: ApiId | None = Field(
        None, description="Session type id (default: the therapist's standard session)."
    )


#: Beside an empty slot list: the therapist's own calendar could not be read, so "no free
#: time" is not known (docs/integrations.md, "Your own calendar").
BUSY_TIMES_UNKNOWN_HEADER = "Sciaticare-Busy-Times-Unknown-Since"


@router.get(
    "/therapists/{therapist_id}/slots",
    response={200: list[SlotOut], 404: Problem},
    auth=None,
    summary="Free slots of a therapist",
    openapi_extra={
        # Keyed as ninja keys its own responses (an int), so the two merge into one.
        "responses": {
            200: {
                "headers": {
                    BUSY_TIMES_UNKNOWN_HEADER: {
                        "description": "Present only while the therapist's own calendar "
                        "cannot be read: no slot is offered until it can. ISO 8601 (UTC) "
                        "since when its busy times are unknown.",
                        "schema": {"type": "string", "format": "date-time"},
                    }
                }
            }
        }
    },
)
def therapist_slots(
    request: HttpRequest, therapist_id: ApiId, query: Query[SlotsQuery]
) -> HttpResponse:
    """The therapist's free slots in the window, earliest first.

    An empty list means no free time, except when the response carries the header
    `Sciaticare-Busy-Times-Unknown-Since: <ISO 8601 time>`: the therapist has connected their
    own calendar and it has not been read successfully since then, so no slot is offered (and
    booking answers 409 `busy_times_unknown`) until it is read again. Try again later rather
    than saying the therapist is fully booked."""
    return kept_answers.answer(
        request,
        what="slots",
        therapist_id=therapist_id,
        asked=query.dict(),
        seconds=settings.NEXT_FREE_SECONDS,
        compute=lambda: _slots(therapist_id, query),
    )


def _slots(therapist_id: int, query: SlotsQuery) -> HttpResponse:
    session_type = bookable_session(therapist_id=therapist_id, session_type_id=query.service)
    now = timezone.now()
    start = query.start or now
    end = query.end or start + DEFAULT_WINDOW
    if end <= start:
        raise Invalid(
            "bad_window",
            gettext("end must be after start."),
            [("end", gettext("must be after start"))],
        )
    if end - start > MAX_WINDOW:
        days = {"days": MAX_WINDOW.days}
        raise Invalid(
            "window_too_long",
            gettext("Ask for at most %(days)d days at a time.") % days,
            [("end", gettext("at most %(days)d days after start") % days)],
        )
    # The therapist's own calendar is read again first if the last read is not fresh (bounded).
    calendar = load_calendars([therapist_id], start=start, end=end, now=now, refresh_external=True)[
        therapist_id
    ]
    found = free_slots(calendar, session_type, start=start, end=end, now=now)
    # Written by hand, to exactly what SlotOut gives and json.dumps would write
    # (tests/scheduling/test_slots.py checks it): validating ~740 SlotOut objects was some 40 %
    # of the request. ISO 8601 times and an id need no escaping. The response schema above
    # still documents it.
    service = session_type.pk
    body = ", ".join(
        f'{{"start": "{local_text(s.start, s.location.time_zone)}", '
        f'"end": "{local_text(s.end, s.location.time_zone)}", "service": {service:d}}}'
        for s in found
    )
    response = HttpResponse(f"[{body}]", content_type="application/json; charset=utf-8")
    if calendar.busy_unknown:
        since = calendar.busy_unknown_since or now
        response[BUSY_TIMES_UNKNOWN_HEADER] = since.astimezone(UTC).isoformat()
    return response


class BookIn(Schema):
    model_config = ConfigDict(extra="forbid")

    therapist: BodyId
    service: BodyId | None = Field(
        None, description="Session type id (default: the standard session)."
    )
    start: SchedulingDatetime


class AppointmentOut(Body):
    id: int
    therapist: int
    therapist_name: str
    patient_name: str
    service: int
    service_name: str
    location: str
    start: OffsetDatetime
    end: OffsetDatetime
    status: str
    late_cancellation: bool

    @staticmethod
    def of(appointment: Appointment) -> "AppointmentOut":
        return AppointmentOut(
            id=appointment.pk,
            therapist=appointment.therapist_id,
            therapist_name=appointment.therapist.user.display_name,
            patient_name=appointment.patient.display_name,
            service=appointment.session_type_id,
            service_name=appointment.session_type.name,
            location=str(appointment.location),
            start=local(appointment.start, appointment.location),
            end=local(appointment.end, appointment.location),
            status=appointment.status,
            late_cancellation=appointment.late_cancellation,
        )


class BookingPaymentOut(Body):
    """The booking's money, where the clinic takes a deposit."""

    id: int | None = Field(
        None, description="The payment, for POST /api/v1/payments/{id}/card and …/finish."
    )
    status: Literal["none", "requires_action", "authorised", "paid", "refunded"] = Field(
        description="none: nothing is taken online (paid at the clinic); requires_action: "
        "confirm the card with Stripe.js using client_secret; paid: the saved card was charged."
    )
    amount: str = Field(description="Decimal major units, e.g. 11.00.")
    currency: str = Field(description="ISO 4217, e.g. GBP.")
    client_secret: str | None = Field(
        None,
        description="A card set-up's (seti_…, no card saved yet: confirmCardSetup, then POST "
        "…/card) or a payment's (pi_…, the bank's check: confirmCardPayment, then POST …/finish).",
    )

    @staticmethod
    def of(state: payments.PaymentState) -> "BookingPaymentOut":
        return BookingPaymentOut(
            id=state.id,
            status=state.status,  # type: ignore[arg-type]
            amount=state.amount,
            currency=state.currency,
            client_secret=state.client_secret,
        )


class BookedOut(AppointmentOut):
    hold_expires_at: OffsetDatetime | None = Field(
        None,
        description="While status is held: when the slot is freed unless the deposit is paid.",
    )
    payment: BookingPaymentOut | None = Field(
        None, description="Present when the clinic takes a deposit."
    )


@router.post(
    "/appointments",
    response={
        201: BookedOut,
        402: Problem,
        403: Problem,
        404: Problem,
        409: Problem,
        422: Problem,
    },
    summary="Book a slot",
    # `hold_expires_at` and `payment` only where the clinic takes a deposit: otherwise the
    # answer is the appointment as the list shows it.
    exclude_none=True,
)
def book(request: AuthedRequest, payload: BookIn) -> Status[BookedOut]:
    """Book a free slot for the caller (the patient).

    Where the clinic takes a deposit by card, the slot is `held` until it is paid (see
    `hold_expires_at`): a card saved at the clinic is charged at once (`payment.status`
    "paid", and the booking is `booked`), or `payment.client_secret` is what Stripe.js confirms
    next. A payment that fails frees the slot: the booking is not kept. One booking at a time
    waits for its deposit: a new held booking lets the caller's earlier held one go, unless
    its payment has started.

    Refusals, each a `Problem` with a stable `code`:
    - 403 `intake_required`, `triage_blocks_booking`, `clearance_required`: the triage gate;
    - 403 `red_flag_recheck_required`: the intake is more than a day old and the red-flag
      questions have not been answered again since (`POST /api/v1/intake/recheck`, or the
      page `/intake/recheck/`);
    - 403 `intake_out_of_date`: the intake is more than four weeks old, too old for the
      re-check to vouch for: it is filled in again (the page `/intake/new/`);
    - 403 `not_accepting_new_patients`: the therapist takes only patients they have seen;
    - 409 `slot_taken`: the time was just taken; 409 `patient_overlap`: the caller already has
      a session at that time (with any therapist);
    - 422: a time the calendar does not offer (`past`, `outside_hours`, …);
    - 402 `card_declined`: the saved card was declined; the slot is free again.
    """
    appointment = booking.book_appointment(
        patient=request.user,
        therapist_id=payload.therapist,
        start=payload.start,
        session_type_id=payload.service,
    )
    payment = payments.desk().booking_payment(appointment)
    if appointment.status == AppointmentStatus.HELD:
        appointment.refresh_from_db(fields=["status", "hold_expires_at"])
    # The appointment comes back with its therapist, location, clinic and session type, read
    # for the calendar check: the answer needs no second read of those rows.
    shown = AppointmentOut.of(appointment)
    return Status(
        201,
        BookedOut(
            **shown.model_dump(),
            hold_expires_at=(
                local(appointment.hold_expires_at, appointment.location)
                if appointment.hold_expires_at
                else None
            ),
            payment=BookingPaymentOut.of(payment) if payment is not None else None,
        ),
    )


@router.get(
    "/appointments",
    response=list[AppointmentOut],
    summary="Your appointments (as patient or therapist)",
)
def my_appointments(
    request: AuthedRequest, status: AppointmentStatus | None = None
) -> list[AppointmentOut]:
    appointments = appointments_of(user=request.user)
    if status is not None:
        appointments = appointments.filter(status=status)
    return [AppointmentOut.of(a) for a in appointments]


@router.post(
    "/appointments/{appointment_id}/cancel",
    response={200: AppointmentOut, 404: Problem, 409: Problem},
    summary="Cancel an appointment",
)
def cancel(request: AuthedRequest, appointment_id: ApiId, reason: str = "") -> AppointmentOut:
    """Cancel (no body; an optional `reason` in the query). Late cancellations are recorded."""
    changes.cancel_appointment(
        user=request.user, appointment_id=appointment_id, reason=reason[:300]
    )
    return AppointmentOut.of(appointment_for(user=request.user, appointment_id=appointment_id))


@router.post(
    "/appointments/{appointment_id}/no-show",
    response={200: AppointmentOut, 404: Problem, 409: Problem},
    summary="Mark a session missed (its therapist, once it has begun)",
)
def no_show(request: AuthedRequest, appointment_id: ApiId) -> AppointmentOut:
    """The appointment's therapist marks a booked session that has begun as a no-show. The
    clinic's no-show fee is charged once to the card on file, whatever the retries: calling
    again answers the same and charges nothing more. 409 `not_started` before the start or
    when the session was marked otherwise; 409 `too_early_for_no_show` in the first 15 minutes
    after the start (the client may be running late). No confirm step here: a client program
    asks its user before calling."""
    mark_attendance(therapist_user=request.user, appointment_id=appointment_id, attended=False)
    return AppointmentOut.of(appointment_for(user=request.user, appointment_id=appointment_id))


class RescheduleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    start: SchedulingDatetime


@router.post(
    "/appointments/{appointment_id}/reschedule",
    response={200: AppointmentOut, 403: Problem, 404: Problem, 409: Problem, 422: Problem},
    summary="Move an appointment to another free slot",
)
def reschedule(
    request: AuthedRequest, appointment_id: ApiId, payload: RescheduleIn
) -> AppointmentOut:
    """Move a booked session. 403 `triage_blocks_booking` while the patient's current intake
    says emergency or urgent: a move books a new time, so the booking's triage gate applies."""
    moved = changes.reschedule_appointment(
        user=request.user, appointment_id=appointment_id, new_start=payload.start
    )
    return AppointmentOut.of(appointment_for(user=request.user, appointment_id=moved.pk))
