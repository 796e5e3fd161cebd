"""Waitlist pages: join (for one therapist or the flare-up plan), my entries with leave, and the
offer page where a held slot is accepted or declined."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from sciaticare.accounts.models import Role
from sciaticare.accounts.selectors import today_for
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.bounds import whole_number
from sciaticare.core.errors import DomainError, NotFound, Refused
from sciaticare.core.widgets import DayInput
from sciaticare.directory.models import TherapistProfile
from sciaticare.directory.selectors.plan import flare_up_plan
from sciaticare.directory.selectors.profile import bookable_therapist
from sciaticare.intake import selectors as intake_selectors
from sciaticare.scheduling import payments
from sciaticare.scheduling.forms import named_holds
from sciaticare.scheduling.models import AppointmentStatus, SlotOffer, WaitlistStatus
from sciaticare.scheduling.notifications import moment_text, when_text
from sciaticare.scheduling.selectors import waitlist as waitlist_selectors
from sciaticare.scheduling.selectors.appointments import held_times_let_go
from sciaticare.scheduling.selectors.calendar_feeds import place_of
from sciaticare.scheduling.services import booking, waitlist

DEFAULT_RANGE = timedelta(days=14)


class WaitlistForm(forms.Form):
    """Who to wait for and between which dates (one form, used only here)."""

    scope = forms.ChoiceField(
        label=_("Wait for"),
        choices=[("therapist", _("This therapist")), ("plan", _("Anyone in my flare-up plan"))],
        widget=forms.RadioSelect,
    )
    earliest = forms.DateField(
        label=pgettext_lazy("first day of a waitlist entry", "From"),
        widget=DayInput(),
    )
    latest = forms.DateField(
        label=pgettext_lazy("last day of a waitlist entry", "Until"),
        widget=DayInput(),
    )

    def mark_errors(self) -> None:
        """Tie each field to its error message for screen readers."""
        for name in ("earliest", "latest"):
            if self.errors.get(name):
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"{self[name].auto_id}_error"}
                )


def _patient_only(request: AuthedRequest) -> None:
    if not request.user.has_role(Role.PATIENT):
        raise PermissionDenied


def _therapist_from(request: AuthedRequest) -> TherapistProfile | None:
    raw = request.GET.get("therapist", "")
    if not raw:
        return None
    therapist_id = whole_number(raw)
    if therapist_id is None:
        raise Http404
    try:
        return bookable_therapist(therapist_id=therapist_id)
    except NotFound:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def join(request: AuthedRequest) -> HttpResponse:
    """Join a therapist's waitlist (`?therapist=<id>`, from their profile) or the plan's."""
    _patient_only(request)
    therapist = _therapist_from(request)
    plan = flare_up_plan(viewer=request.user, patient=request.user, with_prices=False)
    today = today_for(request.user)
    form = WaitlistForm(
        request.POST or None,
        initial={
            "scope": "therapist" if therapist else "plan",
            "earliest": today,
            "latest": today + DEFAULT_RANGE,
        },
    )
    if request.method == "POST" and form.is_valid():
        one_therapist = therapist is not None and form.cleaned_data["scope"] == "therapist"
        try:
            waitlist.join_waitlist(
                patient=request.user,
                therapist_id=therapist.pk if one_therapist and therapist is not None else None,
                earliest=form.cleaned_data["earliest"],
                latest=form.cleaned_data["latest"],
            )
        except DomainError as exc:
            field = exc.errors[0][0] if exc.errors else None
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                gettext("You are on the waitlist. We will email you as soon as a time opens up."),
            )
            return redirect("scheduling:waitlist")
    form.mark_errors()
    # Said on the first look, not only once the form is sent (the service refuses it too).
    gate: str | None = None
    try:
        booking.check_triage_gate(request.user)
    except Refused as refused:
        gate = refused.message
    return render(
        request,
        "scheduling/waitlist_join.html",
        {
            "gate": gate,
            "form": form,
            "therapist": therapist,
            "plan": plan,
            "triage_alert": intake_selectors.triage_alert(patient=request.user),
        },
        status=422 if form.is_bound and form.errors else 200,
    )


@login_required
def entries(request: AuthedRequest) -> HttpResponse:
    """The patient's waitlist entries, with any open offer first."""
    _patient_only(request)
    now = timezone.now()
    rows = waitlist_selectors.entries_of(patient=request.user)
    offers = waitlist_selectors.open_offers_of(patient=request.user, now=now)
    return render(
        request,
        "scheduling/waitlist.html",
        {
            "open_entries": [e for e in rows if e.status in waitlist.OPEN],
            "closed_entries": [e for e in rows if e.status not in waitlist.OPEN][:20],
            "offers": [_offer_view(offer, now=now) for offer in offers],
            "triage_alert": intake_selectors.triage_alert(patient=request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def leave(request: AuthedRequest, entry_id: int) -> HttpResponse:
    """Confirm, then leave the waitlist (a held offer is let go)."""
    _patient_only(request)
    try:
        entry = waitlist_selectors.entry_for(patient=request.user, entry_id=entry_id)
    except NotFound:
        raise Http404 from None
    if entry.status not in waitlist.OPEN:
        messages.info(request, gettext("You are no longer on that waitlist."))
        return redirect("scheduling:waitlist")
    if request.method == "POST":
        try:
            waitlist.leave_waitlist(patient=request.user, entry_id=entry.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("You have left the waitlist."))
        return redirect("scheduling:waitlist")
    return render(
        request,
        "scheduling/waitlist_leave.html",
        {"entry": entry, "offered": entry.status == WaitlistStatus.OFFERED},
    )


def _offer_view(offer: SlotOffer, *, now: datetime) -> dict[str, Any]:
    appointment = offer.appointment
    return {
        "offer": offer,
        "appointment": appointment,
        "therapist": appointment.therapist.name,
        "when": when_text(appointment.start, appointment.end, appointment.location),
        "until": moment_text(offer.expires_at, appointment.location),
        "place": place_of(appointment),
        "state": waitlist_selectors.offer_state(offer, now=now),
        # The clinic's payment policy, said before the patient books (as on the confirm step).
        "terms": payments.desk().booking_terms(
            session_type=appointment.session_type,
            location=appointment.location,
            start=appointment.start,
            now=now,
        ),
    }


def _offer_page(request: AuthedRequest, offer_id: int, *, asked_again: str = "") -> HttpResponse:
    """A held slot: its time in the location's zone, until when it is held, accept or decline;
    while open, the times held for their deposits that accepting lets go."""
    try:
        found = waitlist_selectors.offer_for(patient=request.user, offer_id=offer_id)
    except NotFound:
        raise Http404 from None
    shown = _offer_view(found, now=timezone.now())
    replacing = (
        held_times_let_go(patient=request.user, terms=shown["terms"])
        if shown["state"] == "open"
        else []
    )
    return render(
        request,
        "scheduling/offer.html",
        {
            **shown,
            "replacing": replacing,
            "replacing_ids": ",".join(str(a.pk) for a in replacing),
            "asked_again": asked_again,
            "triage_alert": intake_selectors.triage_alert(patient=request.user),
        },
    )


@login_required
def offer(request: AuthedRequest, offer_id: int) -> HttpResponse:
    _patient_only(request)
    return _offer_page(request, offer_id)


@login_required
@require_POST
def accept(request: AuthedRequest, offer_id: int) -> HttpResponse:
    _patient_only(request)
    try:
        booked = waitlist.accept_offer(
            patient=request.user,
            offer_id=offer_id,
            replacing=named_holds(request.POST.get("replacing")),
        )
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        if exc.code == payments.HELD_TIME_NOT_NAMED:
            return _offer_page(request, offer_id, asked_again=exc.message)
        if exc.code == booking.RECHECK_REQUIRED:
            next_url = reverse("scheduling:offer", args=[offer_id])
            return redirect(f"{reverse('intake:recheck')}?{urlencode({'next': next_url})}")
        if exc.code == booking.INTAKE_OUT_OF_DATE:
            messages.info(request, exc.message)
            return redirect("intake:form")
        messages.error(request, exc.message)
        return redirect("scheduling:offer", offer_id=offer_id)
    if booked.status == AppointmentStatus.HELD:
        # The clinic takes a deposit by card: the time is held while it is paid.
        return redirect(payments.desk().deposit_page(booked))
    messages.success(request, gettext("Booked. A confirmation is on its way by email."))
    return redirect("scheduling:appointment", appointment_id=booked.pk)


@login_required
@require_POST
def decline(request: AuthedRequest, offer_id: int) -> HttpResponse:
    _patient_only(request)
    try:
        waitlist.decline_offer(patient=request.user, offer_id=offer_id)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("scheduling:offer", offer_id=offer_id)
    messages.success(
        request, gettext("You let that time go. You are still on the waitlist for other times.")
    )
    return redirect("scheduling:waitlist")
