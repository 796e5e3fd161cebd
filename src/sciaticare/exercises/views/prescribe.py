"""The treating therapist's home exercise programme for a client, opened from the session note
("home care") or the client list: the exercises their clinic lets them recommend, each one's
dose and days, start and review dates and a note; saving writes a version (the next one when
the programme exists), and the versions are listed with what changed. Ending it is confirmed
first. Anyone but a therapist who treats the client gets a 404."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.bounds import whole_number
from sciaticare.core.display import day
from sciaticare.core.errors import DomainError, Invalid, NotFound
from sciaticare.exercises.forms import (
    PrescribedItemForm,
    PrescriptionForm,
    prescribed_item_initial,
    prescription_initial,
)
from sciaticare.exercises.selectors.prescribe import Choice, Prescribing, plan_to_end, prescribing
from sciaticare.exercises.services.plans import end_plan, write_plan


@dataclass(frozen=True)
class Row:
    """One exercise on the page: what it is, whether it is ticked, and its dose form."""

    choice: Choice
    checked: bool
    form: PrescribedItemForm


def _appointment_id(request: AuthedRequest) -> int | None:
    """The session whose note the page was opened from (``?appointment=``); a value that is
    not an id is a 404, as an appointment that is not theirs is."""
    raw = request.GET.get("appointment")
    if not raw:
        return None
    appointment_id = whole_number(raw)
    if appointment_id is None:
        raise Http404
    return appointment_id


def _page(request: AuthedRequest, patient_id: int) -> Prescribing:
    try:
        return prescribing(
            therapist=request.user,
            patient_id=patient_id,
            appointment_id=_appointment_id(request),
        )
    except NotFound:
        raise Http404 from None


def _initial_rows(page: Prescribing) -> list[Row]:
    rows = []
    for choice in page.choices:
        current, dose = choice.current, choice.default
        initial = (
            prescribed_item_initial(
                repetitions=current.repetitions,
                sets=current.sets,
                minutes=current.minutes,
                times_per_day=current.times_per_day,
                days=current.days,
                instructions=current.instructions,
            )
            if current is not None
            else prescribed_item_initial(
                repetitions=dose.repetitions or 10,
                sets=dose.sets,
                minutes=dose.minutes or 10,
                times_per_day=dose.times_per_day,
            )
        )
        form = PrescribedItemForm(
            initial=initial, prefix=f"ex{choice.exercise.pk}", timed=choice.exercise.timed
        )
        rows.append(Row(choice, current is not None, form))
    return rows


def _initial_form(page: Prescribing) -> PrescriptionForm:
    current = page.current
    return PrescriptionForm(
        initial=prescription_initial(
            chosen=[c.exercise.pk for c in page.choices if c.current is not None],
            start=page.start_date,
            review=page.review_date,
            note=current.note if current is not None else "",
            based_on=page.based_on,
        )
    )


def _render(
    request: AuthedRequest,
    page: Prescribing,
    form: PrescriptionForm,
    rows: list[Row],
    *,
    status: int = 200,
    notice: str = "",
) -> HttpResponse:
    query = f"?appointment={page.appointment.pk}" if page.appointment is not None else ""
    return render(
        request,
        "exercises/prescribe.html",
        {
            "page": page,
            "form": form,
            "rows": rows,
            "notice": notice,
            "has_errors": status >= 400 and not notice,
            "action": reverse("exercises:prescribe", args=[page.patient.pk]) + query,
        },
        status=status,
    )


def _place_errors(
    error: Invalid, form: PrescriptionForm, forms_by_index: list[PrescribedItemForm]
) -> None:
    """The service's (field, message) pairs beside the fields they are about: "items.2.sets"
    on the third ticked exercise's sets, "start_date" on the start date; anything else above
    the form."""
    for field, message in error.errors or [("", error.message)]:
        parts = field.split(".")
        if parts[0] == "items" and len(parts) > 1 and parts[1].isdigit():
            index = int(parts[1])
            if index < len(forms_by_index):
                item = forms_by_index[index]
                name = parts[2] if len(parts) > 2 else None
                item.add_error(name if name in item.fields else None, message)
                continue
        if field in form.fields:
            form.add_error(field, message)
        else:
            form.add_error(None, message)


@login_required
@require_http_methods(["GET", "POST"])
def prescribe(request: AuthedRequest, patient_id: int) -> HttpResponse:
    page = _page(request, patient_id)
    if request.method != "POST":
        return _render(request, page, _initial_form(page), _initial_rows(page))
    form = PrescriptionForm(request.POST)
    form.is_valid()  # what it can read of the ticks counts even when a date is wrong
    chosen: list[int] = form.cleaned_data.get("exercises", [])
    rows = [
        Row(
            choice,
            choice.exercise.pk in chosen,
            PrescribedItemForm(
                request.POST,
                prefix=f"ex{choice.exercise.pk}",
                timed=choice.exercise.timed,
                chosen=choice.exercise.pk in chosen,
            ),
        )
        for choice in page.choices
    ]
    by_id = {row.choice.exercise.pk: row.form for row in rows}
    # An exercise not on the page (posted by hand): its dose is read, and the service judges it.
    ticked = [
        by_id.get(pk) or PrescribedItemForm(request.POST, prefix=f"ex{pk}", timed=False)
        for pk in chosen
    ]
    valid = form.is_valid() and all(item.is_valid() for item in ticked)
    if valid and form.cleaned_data["based_on"] != page.based_on:
        fresh = request.POST.copy()
        fresh["based_on"] = page.based_on  # saving again goes on top of the newest version
        form.data = fresh
        notice = gettext(
            "This programme was changed while you were writing (it is now version %(number)s). "
            "Check the versions below, then save again."
        ) % {"number": page.current.number if page.current is not None else 1}
        return _render(request, page, form, rows, status=409, notice=notice)
    if not valid:
        return _render(request, page, form, rows, status=422)
    data = form.cleaned_data
    try:
        version = write_plan(
            therapist=request.user,
            patient=page.patient,
            items=[item.item(pk) for pk, item in zip(chosen, ticked, strict=True)],
            start_date=data["start_date"],
            review_date=data["review_date"],
            note=data["note"],
            appointment_id=page.appointment.pk if page.appointment is not None else None,
            plan_id=page.plan.pk if page.plan is not None else None,
        )
    except NotFound:
        raise Http404 from None
    except Invalid as error:
        _place_errors(error, form, ticked)
        return _render(request, page, form, rows, status=422)
    except DomainError as error:  # refused (an exercise the clinic does not allow), ended
        form.add_error(None, error.message)
        return _render(request, page, form, rows, status=error.status)
    messages.success(
        request,
        gettext("Saved: version %(number)s of the programme, from %(day)s.")
        % {"number": version.number, "day": day(version.start_date, "weekday")},
    )
    return redirect(request.get_full_path())


@login_required
@require_http_methods(["GET", "POST"])
def end_programme(request: AuthedRequest, plan_id: int) -> HttpResponse:
    """Ask first; a POST with ``confirm=yes`` ends the programme from now."""
    try:
        plan = plan_to_end(therapist=request.user, plan_id=plan_id)
    except NotFound:
        raise Http404 from None
    back = reverse("exercises:prescribe", args=[plan.patient_id])
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            end_plan(actor=request.user, plan_id=plan.pk)
        except NotFound:
            raise Http404 from None
        messages.success(request, gettext("The programme has ended."))
        return redirect(back)
    if request.method == "POST":
        return redirect(back)
    return render(request, "exercises/prescribe_end.html", {"plan": plan, "back": back})
