"""Session-note pages: the therapist's editor (autosave, sign, amend), read-only views for
other treating therapists and clinic admins (with a stated reason), the patient's summaries and
their access history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_http_methods, require_POST

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.audit import selectors as audit_selectors
from sciaticare.core.errors import DomainError, Invalid, NotFound
from sciaticare.intake import selectors as intake_selectors
from sciaticare.records import selectors, services
from sciaticare.records.forms import AmendmentForm, NoteForm
from sciaticare.records.models import HomeCareAdvice, NoteTemplate, SessionNote
from sciaticare.records.summary import summarise


def _library(note: SessionNote) -> list[str]:
    rows = HomeCareAdvice.objects.filter(therapist__isnull=True) | HomeCareAdvice.objects.filter(
        therapist=note.therapist
    )
    return [row.text for row in rows.order_by("text")]


def _form(note: SessionNote, data: object = None) -> NoteForm:
    initial = {name: getattr(note, name) for name in services.DRAFT_FIELDS}
    initial["version"] = note.version
    return NoteForm(data, initial=initial, library=_library(note))


def _editor(
    request: AuthedRequest,
    view: selectors.NoteView,
    *,
    form: NoteForm | None = None,
    amendment_form: AmendmentForm | None = None,
    save_status: str = "",
    status: int = 200,
) -> HttpResponse:
    """The note page as its viewer may see it. A refused save re-renders it with what was
    typed (``form``, ``amendment_form``) and why, so nothing typed is lost."""
    current = view.note
    author = view.access == "author"
    saved = current.pk is not None
    editable = author and not current.is_signed
    not_started = current.appointment.start > timezone.now()
    return render(
        request,
        "records/note.html",
        {
            "note": current,
            "access": view.access,
            # A refused save keeps its form even when the note was signed meanwhile.
            "form": form if form is not None else (_form(current) if editable else None),
            "amendment_form": amendment_form or AmendmentForm(),
            "save_status": save_status,
            "save_problem": status >= 400,
            "signable": current.appointment.status in services.SIGNABLE_STATUSES
            and not not_started,
            "attended_or_due": current.appointment.status in services.SIGNABLE_STATUSES,
            "not_started": not_started,
            "not_attended": gettext(NOT_ATTENDED),
            "not_started_text": gettext(NOT_STARTED),
            "warnings": services.warnings_for(current),
            "amendments": current.amendments.select_related("author") if saved else [],
            "templates": NoteTemplate.objects.filter(therapist=current.therapist) if author else [],
            # The patient's intake now says emergency or urgent: "Do not treat".
            "do_not_treat": intake_selectors.blocking_triage(patient_ids=[current.patient_id]).get(
                current.patient_id, ""
            )
            if view.access != "patient"
            else "",
        },
        status=status,
    )


# Said on the editor of a session that was not attended (services.sign_note refuses it too).
NOT_ATTENDED = gettext_noop("Only an attended session takes a signed note.")
NOT_STARTED = gettext_noop(
    "This session has not started yet: its note can be signed once it has begun."
)


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
        # No note yet: its therapist sees the prefilled draft, saved only by their first save.
        try:
            view = selectors.new_note(therapist_user=request.user, appointment_id=appointment_id)
        except NotFound:
            raise Http404 from None
    if view.access == "patient":
        return render(request, "records/summary.html", {"summary": summarise(view.note)})
    refused = request.session.pop(_refused_key(appointment_id), None)
    if refused is not None and view.access == "author":
        # A refused save without JS, after its redirect: shown once, with what was typed.
        data = QueryDict(mutable=True)
        for name, values in refused["data"].items():
            data.setlist(name, values)
        return _editor(
            request,
            view,
            form=_form(view.note, data),
            save_status=refused["message"],
            status=refused["status"],
        )
    return _editor(request, view)


def _refused_key(appointment_id: int) -> str:
    return f"records.refused_save.{appointment_id}"


def _author_view(
    request: AuthedRequest, appointment_id: int, *, prefilled: bool = False
) -> selectors.NoteView:
    """The note for its own therapist to write (saved, or not yet: ``prefilled`` from the
    intake, a read that is audited, or empty for a save that brings its own values); Http404
    for anyone else."""
    try:
        return selectors.note_to_write(
            therapist_user=request.user, appointment_id=appointment_id, prefilled=prefilled
        )
    except NotFound:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def autosave(request: AuthedRequest, appointment_id: int) -> HttpResponse:
    """Save the whole draft form. htmx gets the save status line (and the note's new version);
    a refusal (409 signed or changed elsewhere, 422 invalid) says why and leaves the editor and
    its text as they are. Without htmx, every answer is a redirect to the note page (so a reload
    sends nothing again); a refusal's text and reason wait in the session for that page. A GET
    here (an address typed or kept) goes to the note page too."""
    if request.method == "GET":
        return redirect("records:note", appointment_id=appointment_id)
    view = _author_view(request, appointment_id)
    form = _form(view.note, request.POST)
    status = 200
    version = view.note.version
    if form.is_valid():
        try:
            if form.cleaned_data.get("new_home_care", "").strip():
                # A line written once joins the therapist's own library for later notes.
                services.add_home_care_advice(
                    therapist_user=request.user, text=form.cleaned_data["new_home_care"]
                )
            saved = services.save_draft(
                therapist_user=request.user,
                appointment_id=appointment_id,
                values=form.values(),
                # A form without the field (a page from before versions) is not checked.
                based_on=form.cleaned_data["version"] if "version" in request.POST else None,
            )
            version = saved.version
            text = gettext("Draft saved at %(time)s.") % {
                "time": f"{timezone.localtime():%H:%M:%S}"
            }
        except DomainError as exc:
            text, status = gettext("Not saved. %(reason)s") % {"reason": exc.message}, exc.status
    else:
        problems = "; ".join(
            f"{form.fields[field].label if field in form.fields else field}: "
            + " ".join(str(e) for e in errors)
            for field, errors in form.errors.items()
        )
        text, status = gettext("Not saved: %(problems)s") % {"problems": problems}, 422
    if request.headers.get("HX-Request"):
        return render(
            request,
            "records/_save_status.html",
            {
                "save_status": text,
                "save_problem": status >= 400,
                "version": version,
                "oob": status < 400,
            },
            status=status,
        )
    if status >= 400:
        request.session[_refused_key(appointment_id)] = {
            "data": {
                name: values
                for name, values in request.POST.lists()
                if name != "csrfmiddlewaretoken"
            },
            "message": " ".join(
                [text, gettext("Reloading the page shows the saved note without your text.")]
            ),
            "status": status,
        }
    else:
        messages.info(request, text)
        if request.POST.get("then") == "programme" and (
            view.note.appointment.status in services.SIGNABLE_STATUSES
        ):
            # The note's "home exercise programme" button: the draft is saved, then the
            # programme page for this session opens (named by URL only: exercises sits above).
            programme = reverse("exercises:prescribe", args=[view.note.patient_id])
            return redirect(f"{programme}?appointment={appointment_id}")
        if request.POST.get("then") == "sign":
            # "Sign…" saves what is typed first: a link to the sign page lost the text typed
            # since the last autosave, and an autosave the browser held back (a field out of
            # its bounds) left the note signed without it (found by an outside test).
            return redirect("records:sign", appointment_id=appointment_id)
    return redirect("records:note", appointment_id=appointment_id)


@login_required
@require_http_methods(["GET", "POST"])
def sign(request: AuthedRequest, appointment_id: int) -> HttpResponse:
    view = _author_view(request, appointment_id)
    if request.method == "POST":
        try:
            services.sign_note(therapist_user=request.user, appointment_id=appointment_id)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                gettext("Signed. The note is locked; corrections are added as amendments."),
            )
        return redirect("records:note", appointment_id=appointment_id)
    if view.note.appointment.status not in services.SIGNABLE_STATUSES:
        messages.error(request, gettext(NOT_ATTENDED))
        return redirect("records:note", appointment_id=appointment_id)
    if view.note.appointment.start > timezone.now():
        messages.error(request, gettext(NOT_STARTED))
        return redirect("records:note", appointment_id=appointment_id)
    return render(
        request,
        "records/sign_confirm.html",
        {"note": view.note, "warnings": services.warnings_for(view.note)},
    )


@login_required
@require_POST
def amend(request: AuthedRequest, appointment_id: int) -> HttpResponse:
    form = AmendmentForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.add_amendment(
                author=request.user,
                appointment_id=appointment_id,
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
            )
        except NotFound:
            raise Http404 from None
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            messages.success(request, gettext("Amendment added below the note."))
            return redirect("records:note", appointment_id=appointment_id)
    # Refused: the page again with the amendment as typed and the reason under its field.
    view = _author_view(request, appointment_id)
    return _editor(request, view, amendment_form=form, status=status)


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
    """Who opened this patient's intake, notes and scores, and when: the audit log, one line
    per visit (a sitting's autosaves are one line)."""
    visits = audit_selectors.visits_about(patient=request.user)
    return render(request, "records/access_history.html", {"visits": visits})


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
            note = _author_view(request, appointment_id, prefilled=True).note
            values = {name: getattr(note, name) for name in services.DRAFT_FIELDS}
            saved = services.save_template(
                therapist_user=request.user, name=request.POST.get("name", ""), values=values
            )
            messages.success(
                request, gettext("Saved as the template “%(name)s”.") % {"name": saved.name}
            )
        else:
            services.apply_template(
                therapist_user=request.user,
                appointment_id=appointment_id,
                template_id=int(request.POST.get("template") or 0),
            )
            messages.success(request, gettext("Template applied to the draft."))
    except (NotFound, ValueError):
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("records:note", appointment_id=appointment_id)
