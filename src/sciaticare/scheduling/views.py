"""Booking pages: a therapist's free slots, the patient's and therapist's appointments,
cancelling, moving, attendance, and the flare-up action (the therapist's week: views_week.py;
booking first, with no account yet: views_new_patient.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.errors import Conflict, DomainError, NotFound, Refused
from sciaticare.directory.models import FlareUpPlanEntry, SessionType, TherapistProfile
from sciaticare.directory.selectors.plan import flare_up_plan
from sciaticare.directory.selectors.profile import bookable_session, bookable_therapist
from sciaticare.intake import selectors as intake_selectors
from sciaticare.scheduling import flare_up, payments
from sciaticare.scheduling.forms import named_holds, parse_start
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from sciaticare.scheduling.selectors.appointments import (
    appointment_for,
    appointments_of,
    held_times_let_go,
    own_booking_at,
    waiting_for_deposit,
)
from sciaticare.scheduling.selectors.bookable import (
    LocatedSlot,
    earliest_slots,
    free_times,
)
from sciaticare.scheduling.selectors.calendars import local, policy_of
from sciaticare.scheduling.selectors.care import closed_to
from sciaticare.scheduling.services import booking, changes
from sciaticare.scheduling.services.attendance import mark_attendance, no_show_from


def _recheck_first(next_url: str) -> HttpResponse:
    """Off to the red-flag re-check (intake app), then back to `next_url`."""
    return redirect(f"{reverse('intake:recheck')}?{urlencode({'next': next_url})}")


def _confirm_page(
    request: AuthedRequest,
    preview: booking.BookingPreview,
    *,
    back: str,
    moving: Appointment | None = None,
    plan_choice: dict[str, Any] | None = None,
    asked_again: str = "",
) -> HttpResponse:
    """The step between a tap on a time and a booking (or a move): nothing changes until
    "Confirm". `plan_choice`: the flare-up's other option (flare_up_view); `asked_again`: why
    a confirm did not book (a time held since the step was shown)."""
    if moving is not None:
        back_url = reverse("scheduling:reschedule", args=[moving.pk])
    elif back == "flare_up":
        # The flare-up action is this very step: back is where its button was.
        back_url = reverse("web:dashboard")
    else:
        back_url = f"{reverse('scheduling:book', args=[preview.therapist.pk])}?" + urlencode(
            {"service": preview.session_type.pk}
        )
    replacing = (
        [] if moving is not None else held_times_let_go(patient=request.user, terms=preview.terms)
    )
    return render(
        request,
        "scheduling/book_confirm.html",
        {
            "preview": preview,
            "back": back,
            "back_url": back_url,
            "moving": moving,
            "plan_choice": plan_choice,
            "replacing": replacing,
            "replacing_ids": ",".join(str(a.pk) for a in replacing),
            "asked_again": asked_again,
            "triage_alert": intake_selectors.triage_alert(patient=request.user),
        },
    )


def _booked(request: AuthedRequest, appointment: Appointment) -> HttpResponse:
    if appointment.status == AppointmentStatus.HELD:
        # The clinic takes a deposit by card: the time is held while it is paid.
        return redirect(payments.desk().deposit_page(appointment))
    messages.success(request, gettext("Booked. A confirmation is on its way by email."))
    return redirect("scheduling:appointment", appointment_id=appointment.pk)


@require_http_methods(["GET", "POST"])
def book(request: AuthedRequest, therapist_id: int) -> HttpResponse:
    """The therapist's free times; a tapped time (POST) shows the confirm step, and only a POST
    with `confirm=yes` books. Someone not signed in books as a new patient
    (views_new_patient.py), or signs in from there."""
    if not request.user.is_authenticated:
        where = reverse("scheduling:new_patient", args=[therapist_id])
        return redirect(f"{where}?{request.GET.urlencode()}" if request.GET else where)
    return _book(request, therapist_id)


def _book(request: AuthedRequest, therapist_id: int) -> HttpResponse:
    try:
        therapist = bookable_therapist(therapist_id=therapist_id)
    except NotFound:
        raise Http404 from None
    service_raw = request.POST.get("service") or request.GET.get("service")
    try:
        session_type = bookable_session(
            therapist_id=therapist.pk, session_type_id=int(service_raw) if service_raw else None
        )
    except (NotFound, ValueError):
        raise Http404 from None
    # Acceptance first: a patient the therapist would refuse is told so before the red-flag
    # questions, not after answering them.
    not_taking: str | None = None
    try:
        booking.check_new_patient(patient=request.user, therapist=therapist)
    except Refused as refused:
        not_taking = refused.message
    gate: str | None = None
    try:
        booking.check_booking_gate(request.user)
    except Refused as refused:
        if refused.code != booking.RECHECK_REQUIRED:
            gate = refused.message
        elif not_taking is None:
            return _recheck_first(
                f"{reverse('scheduling:book', args=[therapist.pk])}?"
                + urlencode({"service": session_type.pk})
            )
    error, status = None, 200
    if request.method == "POST" and gate is None and not_taking is None:
        answered = _tapped(request, therapist, session_type)
        if isinstance(answered, HttpResponse):
            return answered
        error, status = answered
    context = {
        **free_times(therapist=therapist, session_type=session_type),
        "gate": gate,
        "not_taking": not_taking,
        "error": error,
        "triage_alert": intake_selectors.triage_alert(patient=request.user),
    }
    return render(request, "scheduling/book.html", context, status=status)


def _tapped(
    request: AuthedRequest, therapist: TherapistProfile, session_type: SessionType
) -> HttpResponse | tuple[str, int]:
    """A tapped time's confirm step, or once confirmed the booking; else what was wrong."""
    start = parse_start(request.POST.get("start"))
    if start is None:
        return gettext("Choose one of the offered times."), 422
    asked_again = ""
    try:
        if request.POST.get("confirm") == "yes":
            try:
                appointment = booking.book_appointment(
                    patient=request.user,
                    therapist_id=therapist.pk,
                    start=start,
                    session_type_id=session_type.pk,
                    replacing=named_holds(request.POST.get("replacing")),
                )
                return _booked(request, appointment)
            except Conflict as exc:
                if exc.code != payments.HELD_TIME_NOT_NAMED:
                    raise
                asked_again = exc.message  # the step again, naming the time it lets go
        preview = booking.preview_booking(
            patient=request.user,
            therapist_id=therapist.pk,
            start=start,
            session_type_id=session_type.pk,
        )
        return _confirm_page(
            request, preview, back=request.POST.get("back", ""), asked_again=asked_again
        )
    except Conflict as exc:
        # A second tap on Confirm finds the time taken by the first: it is theirs.
        mine = own_booking_at(patient=request.user, therapist_id=therapist.pk, start=start)
        return _booked(request, mine) if mine is not None else (exc.message, exc.status)
    except DomainError as exc:
        return exc.message, exc.status


@login_required
def appointments(request: AuthedRequest) -> HttpResponse:
    mine = appointments_of(user=request.user)
    now = timezone.now()
    return render(
        request,
        "scheduling/appointments.html",
        {
            "upcoming": [a for a in mine if a.start >= now and a.status == "booked"],
            "past": sorted(
                [a for a in mine if a.start < now or a.status != "booked"],
                key=lambda a: a.start,
                reverse=True,
            )[:50],
            "triage_alert": intake_selectors.triage_alert(patient=request.user),
            # A booking held for its deposit, found again (its page is billing's: the seam).
            "waiting": [
                (a, payments.desk().deposit_page(a))
                for a in waiting_for_deposit(patient=request.user, now=now)
            ],
        },
    )


def _mine(request: AuthedRequest, appointment_id: int) -> Appointment:
    try:
        return appointment_for(user=request.user, appointment_id=appointment_id)
    except NotFound:
        raise Http404 from None


@login_required
def appointment(request: AuthedRequest, appointment_id: int) -> HttpResponse:
    found = _mine(request, appointment_id)
    return render(
        request,
        "scheduling/appointment.html",
        {
            "appointment": found,
            "changes": found.changes.select_related("by"),
            "is_therapist": found.therapist.user_id == request.user.pk,
            "started": found.start <= (now := timezone.now()),
            "no_show_from": (missed_from := no_show_from(found)),
            "may_mark_missed": missed_from <= now,
            # Booked first: what the patient still has to tell the therapist, and where.
            "missing": intake_selectors.missing_parts(patient=request.user)
            if found.patient_id == request.user.pk and found.start > now
            else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: AuthedRequest, appointment_id: int) -> HttpResponse:
    found = _mine(request, appointment_id)
    if request.method == "POST":
        # What the money does, figured before the cancel (which starts giving the deposit
        # back) and told as done.
        terms = payments.desk().cancel_terms(
            appointment=found, user=request.user, now=timezone.now(), done=True
        )
        try:
            cancelled = changes.cancel_appointment(
                user=request.user, appointment_id=found.pk, reason=request.POST.get("reason", "")
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            done = (
                gettext(
                    "Cancelled. This was within the clinic's cancellation window and is recorded "
                    "as a late cancellation."
                )
                if cancelled.late_cancellation
                else gettext("Cancelled.")
            )
            messages.success(request, f"{done} {terms}" if terms else done)
        return redirect("scheduling:appointment", appointment_id=found.pk)
    now = timezone.now()
    window = policy_of(found.location).cancellation_window_hours
    late = found.start - now < timedelta(hours=window)
    terms = payments.desk().cancel_terms(appointment=found, user=request.user, now=now)
    return render(
        request,
        "scheduling/cancel_confirm.html",
        {"appointment": found, "late": late, "window": window, "terms": terms},
    )


@login_required
@require_http_methods(["GET", "POST"])
def cancel_for_triage(request: AuthedRequest) -> HttpResponse:
    """ "Cancel my booked sessions": while the patient's intake says emergency or urgent, one
    confirm cancels every upcoming session, each therapist told as for any cancellation."""
    if not request.user.has_role(Role.PATIENT):
        raise PermissionDenied
    alert = intake_selectors.triage_alert(patient=request.user)
    if alert is None:
        messages.info(request, gettext("Your intake does not say to see a doctor first."))
        return redirect("scheduling:appointments")
    if request.method == "POST":
        try:
            done = changes.cancel_upcoming_for_triage(patient=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                ngettext(
                    "Cancelled %(count)s session. Your therapists have been told.",
                    "Cancelled %(count)s sessions. Your therapists have been told.",
                    len(done),
                )
                % {"count": len(done)},
            )
        return redirect("scheduling:appointments")
    upcoming = [
        a
        for a in appointments_of(user=request.user)
        if a.patient_id == request.user.pk and a.status == "booked" and a.start > timezone.now()
    ]
    return render(
        request,
        "scheduling/cancel_for_triage.html",
        {"upcoming": upcoming, "triage_alert": alert},
    )


@login_required
@require_http_methods(["GET", "POST"])
def reschedule(request: AuthedRequest, appointment_id: int) -> HttpResponse:
    found = _mine(request, appointment_id)
    error, status = None, 200
    gate: str | None = None
    try:
        booking.check_triage_block(found.patient)
    except Refused as refused:
        gate, status = refused.message, (403 if request.method == "POST" else 200)
    if request.method == "POST" and gate is None:
        start = parse_start(request.POST.get("start"))
        try:
            if start is None:
                raise NotFound("time")
            if request.POST.get("confirm") != "yes":
                preview = changes.preview_move(
                    user=request.user, appointment_id=found.pk, new_start=start
                )
                return _confirm_page(request, preview, back="", moving=found)
            moved = changes.reschedule_appointment(
                user=request.user, appointment_id=found.pk, new_start=start
            )
        except DomainError as exc:
            error, status = exc.message, (409 if isinstance(exc, Conflict) else 422)
        else:
            messages.success(request, gettext("Moved. Your old time is released."))
            return redirect("scheduling:appointment", appointment_id=moved.pk)
    context = {
        **free_times(therapist=found.therapist, session_type=found.session_type, exclude=found.pk),
        "moving": found,
        "gate": gate,
        "error": error,
        "triage_alert": intake_selectors.triage_alert(patient=request.user),
    }
    return render(request, "scheduling/book.html", context, status=status)


@login_required
@require_POST
def attendance(request: AuthedRequest, appointment_id: int) -> HttpResponse:
    """Completed, in one tap; "No-show" goes to its confirm step (`no_show`)."""
    found = _mine(request, appointment_id)
    if request.POST.get("attended") != "yes":
        return redirect("scheduling:no_show", appointment_id=found.pk)
    try:
        mark_attendance(therapist_user=request.user, appointment_id=found.pk, attended=True)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("scheduling:appointment", appointment_id=found.pk)


@login_required
@require_http_methods(["GET", "POST"])
def no_show(request: AuthedRequest, appointment_id: int) -> HttpResponse:
    """The session's therapist marks it missed: the confirm step says what that charges (the
    payment seam's words); only its POST marks."""
    found = _mine(request, appointment_id)
    if found.therapist.user_id != request.user.pk:
        raise Http404
    now = timezone.now()
    terms = payments.desk().no_show_terms(found, now)
    if request.method == "POST":
        try:
            mark_attendance(therapist_user=request.user, appointment_id=found.pk, attended=False)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                gettext("Marked as not attended. The patient is told.")
                if terms is not None and terms.fee
                else gettext("Marked as not attended."),
            )
        return redirect("scheduling:appointment", appointment_id=found.pk)
    if found.status != AppointmentStatus.BOOKED or now < no_show_from(found):
        return redirect("scheduling:appointment", appointment_id=found.pk)
    return render(
        request, "scheduling/no_show_confirm.html", {"appointment": found, "terms": terms}
    )


@login_required
@require_GET
def flare_up_view(request: AuthedRequest) -> HttpResponse:
    """The dashboard's flare-up button, in as few screens as safety allows: the red-flag
    re-check first when it is due (intake app; an intake over four weeks old is filled in
    again), then straight to the confirm step for the session the plan's rule suggests
    (flare_up.choose), or the earliest across the plan (`?pick=earliest`). The plan's overview
    only when nothing in it can be booked."""
    # A therapist whose account was deactivated stays in the plan but takes no bookings
    # (directory.selectors.profile.bookable_therapist): the action looks past them.
    plan = [
        entry
        for entry in flare_up_plan(viewer=request.user, patient=request.user, with_prices=False)
        if entry.therapist.user.is_active
    ]
    if not plan:
        messages.info(
            request,
            gettext("Choose a preferred therapist and backups first: that is your flare-up plan."),
        )
        return redirect("web:dashboard")
    alert = intake_selectors.triage_alert(patient=request.user)
    # Who would refuse her as new is known before the red-flag questions (booking's rule).
    closed = closed_to(patient=request.user, therapists=[entry.therapist for entry in plan])
    try:
        booking.check_booking_gate(request.user)
    except Refused as refused:
        if refused.code not in (booking.RECHECK_REQUIRED, booking.INTAKE_OUT_OF_DATE):
            return render(
                request,
                "scheduling/flare_up.html",
                {"gate": refused.message, "triage_alert": alert},
                status=403,
            )
        if len(closed) < len(plan):
            if refused.code == booking.INTAKE_OUT_OF_DATE:
                messages.info(request, refused.message)
                return redirect("intake:form")
            return _recheck_first(reverse("scheduling:flare_up"))
    earliest = earliest_slots([e.therapist_id for e in plan if e.therapist_id not in closed])
    slots_by_id = {entry.therapist_id: earliest.get(entry.therapist_id) for entry in plan}
    options = [
        flare_up.PlanOption(e.rank, e.therapist_id, slot.start if slot else None)
        for e in plan
        for slot in [slots_by_id[e.therapist_id]]
    ]
    chosen, first = flare_up.choose(options), flare_up.soonest(options)
    problem = None
    # The one asked for (the suggestion, or `?pick=earliest`); if it cannot be booked after
    # all, the other one, saying why.
    picks = (first, chosen) if request.GET.get("pick") == "earliest" else (chosen, first)
    for pick in dict.fromkeys(p for p in picks if p is not None):
        slot = slots_by_id[pick.therapist_id]
        assert slot is not None  # `choose` and `soonest` pick only options with a slot
        try:
            preview = booking.preview_booking(
                patient=request.user, therapist_id=pick.therapist_id, start=slot.start
            )
        except DomainError as exc:
            problem = problem or exc.message
            continue
        if problem:
            messages.warning(
                request, gettext("%(problem)s Here is the next best option.") % {"problem": problem}
            )
        choice = None
        if not problem and chosen and first and chosen is not first:
            choice = _plan_choice(pick, chosen, first, plan, slots_by_id)
        return _confirm_page(request, preview, back="flare_up", plan_choice=choice)
    return render(
        request,
        "scheduling/flare_up.html",
        {
            "problem": problem,
            "options": [(e, slots_by_id[e.therapist_id], e.therapist_id in closed) for e in plan],
            "triage_alert": alert,
        },
    )


def _plan_choice(
    pick: flare_up.PlanOption,
    chosen: flare_up.PlanOption,
    first: flare_up.PlanOption,
    plan: list[FlareUpPlanEntry],
    slots: dict[int, LocatedSlot | None],
) -> dict[str, Any]:
    """What the flare-up's confirm step says of the other option when the plan's rule suggests
    the preferred therapist later than the earliest session across the plan."""
    chosen_slot, first_slot = slots[chosen.therapist_id], slots[first.therapist_id]
    assert chosen_slot is not None  # both are options with a slot
    assert first_slot is not None
    other = first if pick is chosen else chosen
    return {
        "picked_earliest": pick is first,
        "other": next(e.therapist for e in plan if e.therapist_id == other.therapist_id),
        "other_slot": slots[other.therapist_id],
        "later": flare_up.later_by(
            local(chosen_slot.start, chosen_slot.location).date(),
            local(first_slot.start, first_slot.location).date(),
        ),
    }
