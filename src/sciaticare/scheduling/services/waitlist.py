"""The waitlist: patients waiting for a therapist (or anyone in their flare-up plan) within a
date range, and offers that hold a freed slot for the first in line until the hold expires.

An offer is a HELD appointment: it occupies the therapist's time like a booking, so the
database refuses anyone else the slot while it is held. Accepting turns it BOOKED; declining,
leaving the waitlist or the hold running out turns it EXPIRED, and the slot goes to the next
in line. Locks are always taken appointment first, then waitlist entry; an offer locks the
entry, then the therapist (holds.hold_slot).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext

from sciaticare.accounts.models import User
from sciaticare.accounts.selectors import today_for
from sciaticare.audit.services import record_event
from sciaticare.core.commit_hooks import after_commit
from sciaticare.core.errors import Conflict, Invalid, NotFound, Refused
from sciaticare.directory.models import FlareUpPlanEntry, TherapistProfile
from sciaticare.directory.selectors.plan import plan_therapist_ids
from sciaticare.directory.selectors.profile import bookable_therapist
from sciaticare.scheduling import history, payments
from sciaticare.scheduling.models import (
    Appointment,
    AppointmentStatus,
    SlotOffer,
    WaitlistEntry,
    WaitlistStatus,
    policy_durations,
)
from sciaticare.scheduling.selectors.calendars import local, policy_of
from sciaticare.scheduling.services import booking, holds

#: The longest date range one waitlist entry may cover.
MAX_RANGE_DAYS = 90
OPEN = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)

# Set by scheduling.apps so that services do not import tasks; each is called after the
# transaction commits. `on_offered` gets an offer id (the offer mail); `on_slot_freed` the id
# of a released hold, whose slot goes to the next in line.
on_offered: list[Callable[[int], None]] = []
on_slot_freed: list[Callable[[int], None]] = []


# --- Joining and leaving ----------------------------------------------------------------------


def join_waitlist(
    *,
    patient: User,
    therapist_id: int | None,
    earliest: date,
    latest: date,
    today: date | None = None,
) -> WaitlistEntry:
    """Wait for a slot with one therapist, or (`therapist_id=None`) with anyone in the patient's
    flare-up plan, on a local date from `earliest` to `latest`."""
    booking.check_triage_gate(patient)
    today = today or today_for(patient)  # the patient's own day
    if latest < earliest:
        raise Invalid(
            "range_reversed",
            gettext("The last day must not be before the first."),
            [("latest", gettext("must not be before the first day"))],
        )
    if latest < today:
        raise Invalid(
            "range_past",
            gettext("Those dates have passed."),
            [("latest", gettext("must not be in the past"))],
        )
    if (latest - earliest).days > MAX_RANGE_DAYS:
        message = gettext("Choose at most %(days)s days; you can join again for later dates.") % {
            "days": MAX_RANGE_DAYS
        }
        raise Invalid("range_too_long", message, [("latest", message)])
    with transaction.atomic():
        if therapist_id is not None:
            therapist = bookable_therapist(therapist_id=therapist_id)
            if therapist.user_id == patient.pk:
                raise Invalid(
                    "own_calendar", gettext("You cannot wait for a session with yourself.")
                )
            booking.check_new_patient(patient=patient, therapist=therapist)
        elif not plan_therapist_ids(patient=patient):
            raise Invalid(
                "no_plan",
                gettext(
                    "Your flare-up plan is empty. Add therapists to it first, or join one "
                    "therapist's waitlist."
                ),
            )
        overlapping = WaitlistEntry.objects.filter(
            patient=patient,
            therapist_id=therapist_id,
            status__in=OPEN,
            earliest__lte=latest,
            latest__gte=earliest,
        )
        if overlapping.exists():
            raise Conflict(
                "already_waiting",
                gettext("You are already on this waitlist for some of those dates."),
            )
        entry = WaitlistEntry.objects.create(
            patient=patient, therapist_id=therapist_id, earliest=earliest, latest=latest
        )
        record_event(actor=patient, action="waitlist.joined", patient=patient, obj=entry)
    return entry


def leave_waitlist(*, patient: User, entry_id: int) -> WaitlistEntry:
    """Leave the waitlist; a slot held for this entry is released to the next in line."""
    with transaction.atomic():
        found = WaitlistEntry.objects.filter(pk=entry_id, patient=patient).first()
        if found is None:
            raise NotFound("waitlist entry")
        offer = _open_offer(found)
        held = _lock_held(offer.appointment_id) if offer is not None else None
        if held is not None and held.status != AppointmentStatus.HELD:
            held = None  # expired or answered while we looked
        entry = WaitlistEntry.objects.select_for_update().get(pk=found.pk)
        if entry.status not in OPEN:
            raise Conflict("not_waiting", gettext("You are no longer on this waitlist."))
        if held is not None:
            holds.release_hold(held=held, kind="offer_declined", by=patient)
        entry.status = WaitlistStatus.CANCELLED
        entry.save(update_fields=["status"])
        record_event(actor=patient, action="waitlist.left", patient=patient, obj=entry)
        if held is not None:
            after_commit(on_slot_freed, held.pk)
    return entry


# --- Offering a freed slot --------------------------------------------------------------------


def _candidates(freed: Appointment, day: date) -> list[WaitlistEntry]:
    """Waiting entries that match a freed slot, first in line first.

    Skips the person whose session freed it and anyone who already had or was offered this
    same start with this therapist (both left an appointment row at that start).
    """
    in_plan = FlareUpPlanEntry.objects.filter(
        patient=OuterRef("patient"), therapist_id=freed.therapist_id
    )
    had_this_start = Appointment.objects.filter(
        patient=OuterRef("patient"), therapist_id=freed.therapist_id, start=freed.start
    )
    return list(
        WaitlistEntry.objects.filter(
            status=WaitlistStatus.WAITING, earliest__lte=day, latest__gte=day
        )
        .filter(Q(therapist_id=freed.therapist_id) | (Q(therapist__isnull=True) & Exists(in_plan)))
        .exclude(patient_id=freed.patient_id)
        .exclude(patient_id=freed.therapist.user_id)
        .exclude(Exists(had_this_start))
        .select_related("patient")
        .order_by("created_at", "pk")
    )


def _may_book(patient: User, therapist: TherapistProfile) -> bool:
    try:
        booking.check_triage_gate(patient)
        booking.check_new_patient(patient=patient, therapist=therapist)
    except Refused:
        return False
    return True


def offer_freed_slot(*, appointment_id: int, now: datetime | None = None) -> SlotOffer | None:
    """Hold the slot of a cancelled, moved or released appointment for the first matching
    waitlist entry and tell them; None when nobody waits or the slot can no longer be booked
    (taken meanwhile, too soon, outside hours now)."""
    now = now or timezone.now()
    freed = (
        Appointment.objects.select_related("therapist__user", "location__clinic__booking_policy")
        .filter(pk=appointment_id)
        .first()
    )
    if freed is None or freed.is_active or freed.start <= now:
        return None
    durations = policy_durations(policy_of(freed.location))
    # A hold never outlasts the time the slot can still be booked.
    expires = min(now + durations["hold"], freed.start - durations["min_notice"])
    day = local(freed.start, freed.location).date()
    for candidate in _candidates(freed, day):
        if not _may_book(candidate.patient, freed.therapist):
            continue  # an offer they could not accept would only delay the next in line
        try:
            with transaction.atomic():
                entry = (
                    WaitlistEntry.objects.select_for_update()
                    .filter(pk=candidate.pk, status=WaitlistStatus.WAITING)
                    .first()
                )
                if entry is None:
                    continue  # left or was offered something else meanwhile
                held = holds.hold_slot(
                    patient=candidate.patient,
                    therapist_id=freed.therapist_id,
                    session_type_id=freed.session_type_id,
                    start=freed.start,
                    expires_at=expires,
                    now=now,
                    note=f"offered to waitlist entry {entry.pk} until {expires.isoformat()}",
                )
                offer = SlotOffer.objects.create(
                    entry=entry, appointment=held, offered_at=now, expires_at=expires
                )
                entry.status = WaitlistStatus.OFFERED
                entry.save(update_fields=["status"])
                record_event(
                    actor=None, action="waitlist.offered", patient=candidate.patient, obj=offer
                )
                after_commit(on_offered, offer.pk)
        except Conflict as exc:
            if exc.code == "patient_overlap":
                continue  # this patient is booked elsewhere then; the next in line may take it
            return None  # the slot itself is gone: nobody else can have it
        except (Invalid, NotFound):
            # The slot is no longer bookable (or the therapist no longer takes bookings):
            # nobody else can have it.
            return None
        return offer
    return None


# --- Answering an offer -----------------------------------------------------------------------


def _open_offer(entry: WaitlistEntry) -> SlotOffer | None:
    return (
        SlotOffer.objects.filter(
            entry=entry, accepted_at__isnull=True, appointment__status=AppointmentStatus.HELD
        )
        .order_by("-offered_at", "-pk")
        .first()
    )


def _lock_held(appointment_id: int) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))  # not the patient's row too
        .select_related("patient")
        .get(pk=appointment_id)
    )


def _lock_offer(*, patient: User, offer_id: int) -> tuple[SlotOffer, Appointment, WaitlistEntry]:
    """The patient's offer with its hold and entry locked; 404 alike if missing or not theirs."""
    offer = SlotOffer.objects.filter(pk=offer_id, entry__patient=patient).first()
    if offer is None:
        raise NotFound("offer")
    held = _lock_held(offer.appointment_id)
    entry = WaitlistEntry.objects.select_for_update().get(pk=offer.entry_id)
    return offer, held, entry


def accept_offer(
    *,
    patient: User,
    offer_id: int,
    now: datetime | None = None,
    replacing: Collection[int] | None = None,
) -> Appointment:
    """Book the held slot, if the hold has not run out. `replacing`: as
    `booking.book_appointment`'s."""
    now = now or timezone.now()
    booking.check_booking_gate(patient, now)
    with transaction.atomic():
        offer, held, entry = _lock_offer(patient=patient, offer_id=offer_id)
        if offer.accepted_at is not None:
            return held  # accepted already (a second click): the same booking
        if held.status != AppointmentStatus.HELD:
            raise Refused(
                "offer_closed",
                gettext("This offer has closed and the time was offered to someone else."),
            )
        if offer.expires_at <= now:
            raise Refused(
                "offer_expired",
                gettext("Sorry, this offer has expired and the time was offered to someone else."),
            )
        # The therapist may have stopped taking new patients since the offer was made.
        booking.check_new_patient(patient=patient, therapist=held.therapist)
        deposit_time = payments.desk().deposit_hold(
            session_type=held.session_type, location=held.location
        )
        if deposit_time is None:
            holds.confirm_hold(held=held, patient=patient, note=history.ACCEPTED_OFFER)
        else:
            # The clinic takes a deposit: the offer's hold becomes the deposit's, as for any
            # booking there; unpaid, the slot goes to the next in line (`reoffer_unpaid`).
            holds.hold_for_deposit(
                held=held,
                patient=patient,
                until=now + deposit_time,
                note=history.ACCEPTED_OFFER_FOR_DEPOSIT,
                replacing=replacing,
            )
        offer.accepted_at = now
        offer.save(update_fields=["accepted_at"])
        entry.status = WaitlistStatus.BOOKED
        entry.save(update_fields=["status"])
    return held


def decline_offer(*, patient: User, offer_id: int) -> WaitlistEntry:
    """Say no to this time and stay on the waitlist; the slot goes to the next in line."""
    with transaction.atomic():
        offer, held, entry = _lock_offer(patient=patient, offer_id=offer_id)
        if held.status != AppointmentStatus.HELD or offer.accepted_at is not None:
            raise Conflict("offer_closed", gettext("This offer is no longer open."))
        holds.release_hold(held=held, kind="offer_declined", by=patient)
        if entry.status == WaitlistStatus.OFFERED:
            entry.status = WaitlistStatus.WAITING
            entry.save(update_fields=["status"])
        record_event(actor=patient, action="waitlist.declined", patient=patient, obj=offer)
        after_commit(on_slot_freed, held.pk)
    return entry


def _back_to_waiting(offer: SlotOffer) -> None:
    """The offer's entry waits again: its hold ended unbooked (let go, or accepted and the
    deposit not paid). Inside the caller's transaction."""
    entry = WaitlistEntry.objects.select_for_update().get(pk=offer.entry_id)
    if entry.status in (WaitlistStatus.OFFERED, WaitlistStatus.BOOKED):
        entry.status = WaitlistStatus.WAITING
        entry.save(update_fields=["status"])


def reoffer_unpaid(appointment_id: int, *, now: datetime | None = None) -> None:
    """After an accepted offer's deposit failed and its hold was released: the patient waits
    again, and the slot is offered to the next in line. Nothing for a plain deposit hold
    (that slot was free before it was held)."""
    offer = SlotOffer.objects.filter(appointment_id=appointment_id).first()
    if offer is None or offer.accepted_at is None:
        return
    with transaction.atomic():
        _back_to_waiting(offer)
    offer_freed_slot(appointment_id=appointment_id, now=now)


def expire_offers(*, now: datetime | None = None) -> int:
    """Release every hold past its time: the appointment EXPIRED, its entry WAITING again, and
    the slot offered to the next in line. A slot held while its deposit was paid (no offer)
    is simply free again: it was free before the hold. Returns how many holds expired."""
    now = now or timezone.now()
    due = list(
        Appointment.objects.filter(status=AppointmentStatus.HELD, hold_expires_at__lte=now)
        .order_by("hold_expires_at", "pk")
        .values_list("pk", flat=True)
    )
    expired = 0
    for appointment_id in due:
        with transaction.atomic():
            held = (
                Appointment.objects.select_for_update()
                .filter(pk=appointment_id, status=AppointmentStatus.HELD)
                .first()
            )
            if held is None or held.hold_expires_at is None or held.hold_expires_at > now:
                continue  # accepted or released meanwhile
            offer = SlotOffer.objects.filter(appointment=held).first()
            if offer is None:
                holds.release_hold(held=held, kind="hold_expired", by=None)
            else:
                holds.release_hold(held=held, kind="offer_expired", by=None)
                _back_to_waiting(offer)
            expired += 1
        if offer is not None:
            offer_freed_slot(appointment_id=appointment_id, now=now)
    return expired
