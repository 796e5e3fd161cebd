"""Book first, explain later: a person with no account books a session straight after a
symptom check that allows massage (docs/architecture.md, "Book first"). The check's answers
come from this browser (intake.carried_check); the page shows them to confirm beside a short
form (name, email, mobile number, password), and one service makes the account, the safety
intake and the booking together (services/new_patient.py).

Steps, all at ``/book/<therapist>/new-patient/``: the free times (GET); a tapped time (POST)
shows the session, the check's answers and the form; the form (POST with ``book=yes``) books.
Without a carried check the page asks for the check first; a check that says to see a doctor
shows that advice, never the form. Someone signed in is sent to the ordinary booking page.
"""

from __future__ import annotations

import math
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sciaticare.accounts import services as accounts_services
from sciaticare.core import ratelimits
from sciaticare.core.errors import DomainError, NotFound, Refused
from sciaticare.directory.models import SessionType, TherapistProfile
from sciaticare.directory.selectors.profile import bookable_session, bookable_therapist
from sciaticare.intake import carried_check, symptom_check
from sciaticare.intake.models import level_blocks_booking
from sciaticare.intake.symptom_check import CheckState
from sciaticare.intake.triage.assessment import Triage
from sciaticare.intake.triage.precautions import PRECAUTIONS
from sciaticare.intake.triage.questions import QUESTIONS
from sciaticare.intake.triage.reasons import most_serious_first
from sciaticare.scheduling import payments
from sciaticare.scheduling.forms import NewPatientForm, parse_start
from sciaticare.scheduling.models import AppointmentStatus
from sciaticare.scheduling.selectors.bookable import free_times
from sciaticare.scheduling.services import booking
from sciaticare.scheduling.services.new_patient import book_as_new_patient


def _bookable(therapist_id: int, service_raw: str | None) -> tuple[TherapistProfile, SessionType]:
    try:
        therapist = bookable_therapist(therapist_id=therapist_id)
        session_type = bookable_session(
            therapist_id=therapist.pk, session_type_id=int(service_raw) if service_raw else None
        )
    except (NotFound, ValueError):
        raise Http404 from None
    return therapist, session_type


def _sign_in_url(therapist: TherapistProfile, session_type: SessionType) -> str:
    """Sign in, then back to this therapist's times (for someone who has an account)."""
    book_url = f"{reverse('scheduling:book', args=[therapist.pk])}?" + urlencode(
        {"service": session_type.pk}
    )
    return f"{reverse('account_login')}?{urlencode({'next': book_url})}"


def _check_first(
    request: HttpRequest,
    therapist: TherapistProfile,
    session_type: SessionType,
    result: Triage | None,
) -> HttpResponse:
    """No check to book from, or one whose answer is to see a doctor: the check's own advice
    (never the form), the way to the check, and to sign in for someone with an account."""
    refused = result is not None or request.method == "POST"
    return render(
        request,
        "scheduling/new_patient_check.html",
        {
            "therapist": therapist,
            "result": result,
            "level": result.level.code if result else "",
            "reasons": most_serious_first(result.reasons) if result else [],
            "precautions": [PRECAUTIONS[c] for c in result.precautions] if result else [],
            "sign_in_url": _sign_in_url(therapist, session_type),
        },
        status=403 if refused else 200,
    )


def _times_page(
    request: HttpRequest,
    therapist: TherapistProfile,
    session_type: SessionType,
    *,
    error: str | None = None,
    not_taking: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The therapist's free times (the booking page's), each a button to the short form; or
    why this therapist cannot be booked as a new patient."""
    page = {
        **free_times(therapist=therapist, session_type=session_type),
        "new_patient": True,
        "error": error,
        "not_taking": not_taking,
        "sign_in_url": _sign_in_url(therapist, session_type),
    }
    return render(request, "scheduling/book.html", page, status=status)


def _answers(check: CheckState) -> list[dict[str, Any]]:
    """Every question of the check with this person's answer, in the check's order."""
    return [{"text": q.text, "yes": check.answers[q.code]} for q in QUESTIONS]


def _form_page(
    request: HttpRequest,
    preview: booking.BookingPreview,
    check: CheckState,
    form: NewPatientForm,
    *,
    status: int = 200,
    email_taken: bool = False,
) -> HttpResponse:
    return render(
        request,
        "scheduling/new_patient.html",
        {
            "preview": preview,
            "form": form,
            "answers": _answers(check),
            "check": check,
            "email_taken": email_taken,
            "back_url": reverse("scheduling:new_patient", args=[preview.therapist.pk])
            + f"?{urlencode({'service': preview.session_type.pk})}",
            "sign_in_url": _sign_in_url(preview.therapist, preview.session_type),
        },
        status=status,
    )


@never_cache  # the page shows the person's answers: no cache may keep it
@require_http_methods(["GET", "POST"])
def new_patient(request: HttpRequest, therapist_id: int) -> HttpResponse:
    service_raw = request.POST.get("service") or request.GET.get("service")
    if request.user.is_authenticated:
        where = reverse("scheduling:book", args=[therapist_id])
        return redirect(f"{where}?{urlencode({'service': service_raw})}" if service_raw else where)
    therapist, session_type = _bookable(therapist_id, service_raw)
    check = carried_check.recall(request)
    if check is None:
        return _check_first(request, therapist, session_type, None)
    result = symptom_check.result(check)
    # The booking gate's rule on the check's level (the booking checks the intake made from
    # it again): a check that says to see a doctor never reaches the form.
    if level_blocks_booking(result.level):
        return _check_first(request, therapist, session_type, result)
    if not symptom_check.is_complete(check):
        return _check_first(request, therapist, session_type, None)
    try:
        booking.check_new_patient(patient=AnonymousUser(), therapist=therapist)
    except Refused as refused:
        return _times_page(request, therapist, session_type, not_taking=refused.message, status=403)
    if request.method == "GET":
        return _times_page(request, therapist, session_type)
    start = parse_start(request.POST.get("start"))
    if start is None:
        error = gettext("Choose one of the offered times.")
        return _times_page(request, therapist, session_type, error=error, status=422)
    try:
        preview = booking.preview_booking(
            patient=None, therapist_id=therapist.pk, start=start, session_type_id=session_type.pk
        )
    except DomainError as exc:
        return _times_page(request, therapist, session_type, error=exc.message, status=exc.status)
    shown = carried_check.digest(check)
    if request.POST.get("book") != "yes":
        form = NewPatientForm(initial={"shown_check": shown})
        return _form_page(request, preview, check, form)
    return _book_first(request, preview, check, shown)


def _book_first(
    request: HttpRequest,
    preview: booking.BookingPreview,
    check: CheckState,
    shown: str,
) -> HttpResponse:
    """The short form sent: account, safety intake and booking, or the form again saying why."""
    wait = ratelimits.hit(scope="new_patient", ident=f"ip:{ratelimits.client_ip(request)}")
    if wait is not None:
        minutes = math.ceil(wait / 60)
        message = ngettext(
            "Too many new patients have booked from this connection. Please try again in "
            "%(minutes)d minute, or sign in if you have an account.",
            "Too many new patients have booked from this connection. Please try again in "
            "%(minutes)d minutes, or sign in if you have an account.",
            minutes,
        ) % {"minutes": minutes}
        reason = gettext("This limit keeps accounts from being made in bulk.")
        response = render(request, "429.html", {"message": message, "reason": reason}, status=429)
        response["Retry-After"] = str(wait)
        return response
    form = NewPatientForm(request.POST)
    if not form.is_valid():
        return _form_page(request, preview, check, form, status=422)
    if form.cleaned_data["shown_check"] != shown:
        # Shown again, to be read and confirmed again: the answers on the page are the new ones.
        form = NewPatientForm({**request.POST.dict(), "shown_check": shown, "check_confirmed": ""})
        form.is_valid()
        form.add_error(
            None,
            gettext(
                "Your symptom check was taken again since this page opened. Please read your "
                "answers below and confirm them again."
            ),
        )
        return _form_page(request, preview, check, form, status=409)
    data = form.cleaned_data
    try:
        account = accounts_services.check_new_patient_account(
            email=data["email"],
            password=data["password"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            phone=data["phone"],
            time_zone=data["time_zone"],
            language=request.LANGUAGE_CODE,
            place_time_zone=preview.location.time_zone,
        )
        appointment = book_as_new_patient(
            account=account,
            check=check,
            therapist_id=preview.therapist.pk,
            start=preview.start,
            session_type_id=preview.session_type.pk,
        )
    except DomainError as exc:
        for field, message in exc.errors:
            form.add_error(field if field in form.fields else None, message)
        if not exc.errors or exc.code == accounts_services.EMAIL_TAKEN:
            form.add_error(None, exc.message)
        return _form_page(
            request,
            preview,
            check,
            form,
            status=exc.status,
            email_taken=exc.code == accounts_services.EMAIL_TAKEN,
        )
    accounts_services.sign_in_new_patient(request=request, user=appointment.patient)
    if appointment.status == AppointmentStatus.HELD:
        # The clinic takes a deposit by card: the time is held while it is paid.
        response = redirect(payments.desk().deposit_page(appointment))
    else:
        response = redirect("scheduling:appointment", appointment_id=appointment.pk)
        messages.success(
            request,
            gettext(
                "Booked. A confirmation is on its way by email, with a link to confirm your "
                "address: please open it before you next sign in."
            ),
        )
    carried_check.forget(response)  # the safety intake holds the answers now
    return response
