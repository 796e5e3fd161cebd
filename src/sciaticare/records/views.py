"""Session-note pages: the therapist's editor (autosave, sign, amend), read-only views for
other treating therapists and clinic admins (with a stated reason), the patient's summaries and
their access history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.audit import selectors as audit_selectors
from sciaticare.errors import DomainError, Invalid, NotFound
from sciaticare.records import selectors, services
from sciaticare.records.forms import NoteForm
from sciaticare.records.models import HomeCareAdvice, NoteTemplate, SessionNote
from sciaticare.records.summary import summarise


def _library(note: SessionNote) -> list[str]:
    rows = HomeCareAdvice.objects.filter(therapist__isnull=True) | HomeCareAdvice.objects.filter(
        therapist=note.therapist
    )
    return [row.text for row in rows.order_by("text")]


def _form(note: SessionNote, data: object = None) -> NoteForm:
    initial = {name: getattr(note, name) for name in services.DRAFT_FIELDS}
    return NoteForm(data, initial=initial, library=_library(note))


@login_required
@require_http_methods(["GET", "POST"])
def note(request: AuthedRequest, appointment_id: int) -> HttpResponse:
    reason = request.POST.get("reason", "") if request.method == "POST" else ""
    try:
        view = selectors.read_note(
            viewer=request.user, appointment_id=appointment_id, reason=reason
        )
    except Invalid:
        return render(
            request,
            "records/reason.html",
            {"appointment_id": appointment_id},
            status=200 if not reason else 422,
        )
    except NotFound:
        try:
            services.start_note(therapist_user=request.user, appointment_id=appointment_id)
        except NotFound:
            raise Http404 from None
        view = selectors.read_note(viewer=request.user, appointment_id=appointment_id)
    current = view.note
    if view.access == "patient":
        return render(request, "records/summary.html", {"summary": summarise(current)})
    return render(
        request,
        "records/note.html",
        {
            "note": current,
            "access": view.access,
            "form": _form(current) if view.access == "author" and not current.is_signed else None,
            "warnings": services.warnings_for(current),
            "amendments": current.amendments.select_related("author"),
            "templates": NoteTemplate.objects.filter(therapist=current.therapist)
            if view.access == "author"
            else [],
        },
    )


@login_required
@require_POST
def autosave(request: AuthedRequest, appointment_id: int) -> HttpResponse:
    """htmx: save the whole draft form; answers with the save status line."""
    try:
        view = selectors.read_note(viewer=request.user, appointment_id=appointment_id)
    except (NotFound, Invalid):
        raise Http404 from None
    if view.access != "author":
        raise Http404
    form = _form(view.note, request.POST)
    status = 200
    if form.is_valid():
        try:
            if form.cleaned_data.get("new_home_care", "").strip():
                # A line written once joins the therapist's own library for later notes.
                services.add_home_care_advice(
                    therapist_user=request.user, text=form.cleaned_data["new_home_care"]
                )
            services.save_draft(
                therapist_user=request.user, appointment_id=appointment_id, values=form.values()
            )
            text = f"Draft saved at {timezone.localtime():%H:%M:%S}."
        except DomainError as exc:
            text, status = exc.message, exc.status
    else:
        problems = "; ".join(
            f"{field}: {' '.join(str(e) for e in errors)}" for field, errors in form.errors.items()
        )
        text, status = f"Not saved: {problems}", 422
    if request.headers.get("HX-Request"):
        return render(
            request, "records/note.html#save-status", {"save_status": text}, status=status
        )
    messages.info(request, text)
    return redirect("records:note", appointment_id=appointment_id)


@login_required
@require_http_methods(["GET", "POST"])
def sign(request: AuthedRequest, appointment_id: int) -> HttpResponse:
    try:
        view = selectors.read_note(viewer=request.user, appointment_id=appointment_id)
    except (NotFound, Invalid):
        raise Http404 from None
    if view.access != "author":
        raise Http404
    if request.method == "POST":
        try:
            services.sign_note(therapist_user=request.user, appointment_id=appointment_id)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, "Signed. The note is locked; corrections are added as amendments."
            )
        return redirect("records:note", appointment_id=appointment_id)
    return render(
        request,
        "records/sign_confirm.html",
        {"note": view.note, "warnings": services.warnings_for(view.note)},
    )


@login_required
@require_POST
def amend(request: AuthedRequest, appointment_id: int) -> HttpResponse:
    try:
        services.add_amendment(
            author=request.user,
            appointment_id=appointment_id,
            reason=request.POST.get("reason", ""),
            text=request.POST.get("text", ""),
        )
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Amendment added below the note.")
    return redirect("records:note", appointment_id=appointment_id)


@login_required
def sessions(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_role(Role.THERAPIST):
        raise PermissionDenied
    return render(
        request,
        "records/sessions.html",
        {
            "overdue": selectors.overdue_for(therapist_user=request.user),
            "sessions": selectors.therapist_sessions(therapist_user=request.user)[:60],
        },
    )


@login_required
def my_sessions(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_role(Role.PATIENT):
        raise PermissionDenied
    return render(
        request,
        "records/my_sessions.html",
        {"summaries": [summarise(n) for n in selectors.summaries_for(patient=request.user)]},
    )


@login_required
def access_history(request: AuthedRequest) -> HttpResponse:
    """Who opened this patient's intake, notes and scores, and when (from the audit log)."""
    events = audit_selectors.events_about(patient=request.user).exclude(actor=request.user)[:200]
    return render(request, "records/access_history.html", {"events": events})


@login_required
def clinic_notes(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_role(Role.CLINIC_ADMIN):
        raise PermissionDenied
    return render(
        request,
        "records/clinic_notes.html",
        {"notes": selectors.clinic_notes(admin=request.user)[:100]},
    )


@login_required
@require_POST
def template(request: AuthedRequest, appointment_id: int) -> HttpResponse:
    """Apply one of the therapist's templates to the draft, or save the draft as a template."""
    try:
        if request.POST.get("action") == "save":
            note = selectors.read_note(viewer=request.user, appointment_id=appointment_id).note
            if note.therapist.user_id != request.user.pk:
                raise NotFound("note")
            values = {name: getattr(note, name) for name in services.DRAFT_FIELDS}
            saved = services.save_template(
                therapist_user=request.user, name=request.POST.get("name", ""), values=values
            )
            messages.success(request, f"Saved as the template “{saved.name}”.")
        else:
            services.apply_template(
                therapist_user=request.user,
                appointment_id=appointment_id,
                template_id=int(request.POST.get("template") or 0),
            )
            messages.success(request, "Template applied to the draft.")
    except (NotFound, ValueError):
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("records:note", appointment_id=appointment_id)
