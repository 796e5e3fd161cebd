"""The patient's home exercises, phone first: their programmes with the drawings, a tick a day
for each exercise (with how the leg felt after), pausing one that flagged; entering a
programme a physio or doctor gave them, a new version of it, ending it.

Only patients, and only their own: staff get 403, another patient's programme is 404. A tick
with htmx swaps its row in place; without it, the page is sent again (the dashboard's tick goes
back to the dashboard). An exercise ticked with no network waits on the device and is sent by
``static/exercises/ticks.js`` (docs/offline.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sciaticare.accounts.models import Role, User
from sciaticare.accounts.selectors import today_for
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.bounds import whole_number
from sciaticare.core.errors import DomainError, NotFound
from sciaticare.core.redirects import safe_next
from sciaticare.exercises.forms import (
    BLANK_ROW,
    ROWS_AT_A_TIME,
    ExerciseForm,
    ItemFormSet,
    ProgrammeForm,
    TickForm,
    item_initial,
)
from sciaticare.exercises.models import MAX_ITEMS, Origin
from sciaticare.exercises.selectors.library import exercise_words
from sciaticare.exercises.selectors.plans import PlanView, plan_view
from sciaticare.exercises.selectors.programme import (
    choosable,
    programmes_of,
    this_week,
    tick_clock,
    today_row,
)
from sciaticare.exercises.services import logs
from sciaticare.exercises.services.plans import end_plan, enter_own_plan


def _patient(request: AuthedRequest) -> User:
    if not request.user.has_role(Role.PATIENT):
        raise PermissionDenied
    return request.user


@dataclass(frozen=True)
class Problem:
    """Why a tick or a pause of one exercise was refused, shown at that exercise."""

    plan_id: int
    exercise_id: int
    messages: list[str]


def _page(
    request: AuthedRequest, patient: User, *, problem: Problem | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "programmes": programmes_of(patient=patient),
        "problem": problem,
        "tick_clock": tick_clock(patient),
    }
    return render(request, "exercises/programme.html", context, status=status)


@login_required
@require_GET
def my_programme(request: AuthedRequest) -> HttpResponse:
    return _page(request, _patient(request))


# --- A tick, a pause, a resume -----------------------------------------------------------------


def _form_problems(form: TickForm | ExerciseForm) -> list[str]:
    """Each refused field as "Label: why" (a hidden field by its name)."""
    return [
        f"{form.fields[name].label or name}: {' '.join(str(e) for e in errors)}"
        if name in form.fields
        else " ".join(str(e) for e in errors)
        for name, errors in form.errors.items()
    ]


def _answer(
    request: AuthedRequest,
    patient: User,
    plan_id: int,
    exercise_id: int | None,
    *,
    problems: list[str],
    said: str = "",
) -> HttpResponse:
    """The row again (htmx), or the page it came from; 422 with the problems at the row."""
    dashboard = request.POST.get("where") == "dashboard"
    row = (
        today_row(patient=patient, day=today_for(patient), plan_id=plan_id, exercise_id=exercise_id)
        if exercise_id is not None
        else None
    )
    status = 422 if problems else 200
    if request.headers.get("HX-Request") and row is not None:
        context: dict[str, Any] = {"row": row, "row_problems": problems, "just_done": not problems}
        if dashboard:
            return render(request, "exercises/_today_row.html", context, status=status)
        # The programme's week figure too: a tick, a pause or a resume changes it.
        day = today_for(patient)
        context["week"] = this_week(patient=patient, plan_id=plan_id, day=day)
        return render(request, "exercises/_programme_swap.html", context, status=status)
    if problems:
        found = Problem(plan_id, exercise_id or 0, problems)
        return _page(request, patient, problem=found, status=422)
    if said and row is not None:
        messages.success(request, said % {"name": row.words.name})
    anchor = f"#{'today-' if dashboard else ''}{row.anchor}" if row is not None else ""
    return redirect(safe_next(request, "exercises:my_programme") + anchor)


@login_required
@require_POST
def tick(request: AuthedRequest, plan_id: int) -> HttpResponse:
    """Today's tick of one exercise: done (or not), and how the leg felt after."""
    patient = _patient(request)
    form = TickForm(request.POST)
    if not form.is_valid():
        exercise = form.cleaned_data.get("exercise")
        return _answer(request, patient, plan_id, exercise, problems=_form_problems(form))
    data = form.cleaned_data
    done = data["done"] != "no"
    try:
        logs.record_exercise(
            patient=patient,
            plan_id=plan_id,
            exercise_id=data["exercise"],
            day=today_for(patient),
            done=done,
            leg_pain=data["leg_pain"],
            spread_down_leg=data["spread_down_leg"],
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        problems = [exc.message, *(message for _, message in exc.errors)]
        return _answer(request, patient, plan_id, data["exercise"], problems=problems)
    said = gettext("Done today: %(name)s.") if done else gettext("Not done today: %(name)s.")
    return _answer(request, patient, plan_id, data["exercise"], problems=[], said=said)


def _pause_or_resume(request: AuthedRequest, plan_id: int, *, pause: bool) -> HttpResponse:
    patient = _patient(request)
    form = ExerciseForm(request.POST)
    if not form.is_valid():
        return _answer(request, patient, plan_id, None, problems=_form_problems(form))
    exercise_id = form.cleaned_data["exercise"]
    try:
        if pause:
            logs.pause_exercise(patient=patient, plan_id=plan_id, exercise_id=exercise_id)
        else:
            logs.resume_exercise(patient=patient, plan_id=plan_id, exercise_id=exercise_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        problems = [exc.message, *(message for _, message in exc.errors)]
        return _answer(request, patient, plan_id, exercise_id, problems=problems)
    said = (
        gettext("Paused: %(name)s. Tell whoever gave you the programme before you start it again.")
        if pause
        else gettext("Taken up again: %(name)s.")
    )
    return _answer(request, patient, plan_id, exercise_id, problems=[], said=said)


@login_required
@require_POST
def pause(request: AuthedRequest, plan_id: int) -> HttpResponse:
    return _pause_or_resume(request, plan_id, pause=True)


@login_required
@require_POST
def resume(request: AuthedRequest, plan_id: int) -> HttpResponse:
    return _pause_or_resume(request, plan_id, pause=False)


# --- Entering a programme, a new version, ending it ------------------------------------------


def _own_entered(patient: User, plan_id: int) -> PlanView:
    """One of the patient's programmes that they entered and have not ended; 404 otherwise
    (a therapist's programme is the therapist's to change)."""
    try:
        view = plan_view(viewer=patient, plan_id=plan_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    plan = view.plan
    if plan.patient_id != patient.pk or plan.origin != Origin.PATIENT or plan.ended_at:
        raise Http404
    return view


def _rows_again(data: Any, count: int) -> list[dict[str, Any]]:
    """The rows as they were sent (to show them again with more), errors not yet shown."""
    names = ("exercise", "own_name", "own_how_to", "repetitions", "sets", "minutes")
    rows = []
    for i in range(count):
        row: dict[str, Any] = {n: data.get(f"items-{i}-{n}", "") for n in names}
        row |= {
            "times_per_day": data.get(f"items-{i}-times_per_day", ""),
            "instructions": data.get(f"items-{i}-instructions", ""),
            "days": data.getlist(f"items-{i}-days"),
        }
        rows.append(row)
    return rows


def _place(errors: list[tuple[str, str]], form: ProgrammeForm, items: Any) -> list[str]:
    """Put the service's (field, message) refusals on the fields they name; what names no
    field is returned, for the summary."""
    filled = items.filled()
    general = []
    for field, message in errors:
        parts = field.split(".")
        if parts[0] == "items" and len(parts) > 1 and parts[1].isdigit():
            index = int(parts[1])
            row = filled[index][1] if index < len(filled) else None
            name = parts[2] if len(parts) > 2 else None
            if row is not None:
                row.add_error(name if name in row.fields else None, message)
                continue
        elif field in form.fields:
            form.add_error(field, message)
            continue
        general.append(message)
    return general


def _programme_form(request: AuthedRequest, patient: User, view: PlanView | None) -> HttpResponse:
    chosen = choosable(patient=patient)
    lists = {"exercises": chosen.library, "own": chosen.own}
    plan_id = view.plan.pk if view is not None else None
    general: list[str] = []
    status = 200
    if request.method == "POST" and "more" in request.POST:
        total = request.POST.get("items-TOTAL_FORMS", "")
        count = whole_number(total, most=MAX_ITEMS) or 0
        rows = _rows_again(request.POST, count)
        more = [dict(BLANK_ROW) for _ in range(min(ROWS_AT_A_TIME, MAX_ITEMS - count))]
        form = ProgrammeForm(initial=request.POST.dict())
        items = ItemFormSet(initial=rows + more, prefix="items", **lists)
    elif request.method == "POST":
        form = ProgrammeForm(request.POST)
        items = ItemFormSet(request.POST, prefix="items", **lists)
        if form.is_valid() & items.is_valid():
            try:
                version = enter_own_plan(
                    patient=patient,
                    prescriber=form.cleaned_data["prescriber"],
                    items=[row.as_input() for _, row in items.filled()],
                    start_date=form.cleaned_data["start_date"],
                    review_date=form.cleaned_data["review_date"],
                    plan_id=plan_id,
                )
            except NotFound as exc:
                raise Http404(exc.message) from exc
            except DomainError as exc:
                general = [exc.message, *_place(exc.errors, form, items)]
            else:
                messages.success(
                    request,
                    gettext("Your programme is saved.")
                    if version.number == 1
                    else gettext("Saved: version %(number)s of your programme.")
                    % {"number": version.number},
                )
                return redirect("exercises:my_programme")
        else:
            general = [gettext("The programme was not saved.")]
            general += [str(e) for e in items.non_form_errors()]
        status = 422
    elif view is None:
        form = ProgrammeForm(initial={"start_date": today_for(patient)})
        items = ItemFormSet(
            initial=[dict(BLANK_ROW) for _ in range(ROWS_AT_A_TIME)],
            prefix="items",
            **lists,
        )
    else:
        start = max(today_for(patient), max(v.start_date for v in view.versions))
        form = ProgrammeForm(
            initial={
                "prescriber": view.plan.prescriber,
                "start_date": start,
                "review_date": view.version.review_date,
            }
        )
        items = ItemFormSet(
            initial=[*item_initial(view.items), dict(BLANK_ROW)][:MAX_ITEMS],
            prefix="items",
            **lists,
        )
    context = {
        "form": form,
        "items": items,
        "general": general,
        "view": view,
        "can_add": len(items.forms) < MAX_ITEMS,
    }
    return render(request, "exercises/programme_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def new_programme(request: AuthedRequest) -> HttpResponse:
    return _programme_form(request, _patient(request), None)


@login_required
@require_http_methods(["GET", "POST"])
def edit_programme(request: AuthedRequest, plan_id: int) -> HttpResponse:
    patient = _patient(request)
    return _programme_form(request, patient, _own_entered(patient, plan_id))


@login_required
@require_http_methods(["GET", "POST"])
def end_programme(request: AuthedRequest, plan_id: int) -> HttpResponse:
    """Asks first; ending keeps the programme and its ticks, read only."""
    patient = _patient(request)
    view = _own_entered(patient, plan_id)
    status = 200
    if request.method == "POST":
        if request.POST.get("confirm") == "yes":
            end_plan(actor=patient, plan_id=plan_id)
            messages.success(
                request,
                gettext("The programme has ended. It stays in your list of ended programmes."),
            )
            return redirect("exercises:my_programme")
        status = 422
    names = [exercise_words(item.exercise).name for item in view.items]
    return render(
        request,
        "exercises/programme_end.html",
        {"view": view, "names": names, "unconfirmed": status == 422},
        status=status,
    )
