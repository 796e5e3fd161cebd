"""User text is inert everywhere it is shown.

Each free-text field people write is filled with a script payload through the real form (as
its writer would), then every page that shows it is opened by the people who see it: the raw
tags never appear and the escaped text does. A test checks the table against the models' text
fields, so a new one has to be declared here (or listed, with the reason, as not user text).
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from sciaticare.billing.models import Invoice, Purpose
from sciaticare.billing.money import Money
from sciaticare.billing.services import invoices
from sciaticare.directory.models import Clinic, Credential
from sciaticare.exercises.models import Exercise, ExercisePlan
from sciaticare.intake.models import Intake
from sciaticare.intake.triage.questions import QUESTIONS
from sciaticare.integrations.models.webhooks import WebhookAttempt, WebhookEndpoint
from sciaticare.integrations.services import imports, webhooks
from sciaticare.records import services as record_services
from sciaticare.scheduling.models import AppointmentStatus
from tests.directory.factories import PDF_BYTES
from tests.factories import PASSWORD
from tests.proof.world import World
from tests.scheduling.helpers import place_appointment

PAYLOAD = "<script>alert(1)</script>\"'><img src=x onerror=alert(1)>"
RAW = ("<script>alert(1)", "<img src=x onerror")
#: For the fields too short for the whole payload (40 characters): its second half.
SHORT_PAYLOAD = "\"'><img src=x onerror=alert(1)>"
SHORT = {"tax", "ipn"}


def text(field: str) -> str:
    """The payload, tagged with the field it goes into so each field's rendering is found."""
    return f"{SHORT_PAYLOAD if field in SHORT else PAYLOAD} {field}"


@dataclass(frozen=True)
class Shown:
    """A page that shows some of the written fields, opened by `who`."""

    who: str
    url: str
    fields: tuple[str, ...]


Writer = Callable[[World, Callable[[str], Client]], list[Shown]]


def _past_draft(w: World) -> int:
    """A session earlier today (clear of the world's), with the therapist's draft started."""
    start = timezone.now() - timedelta(hours=6)
    appointment = place_appointment(
        patient=w.a.patient,
        therapist=w.a.therapist,
        session=w.a.session,
        location=w.a.therapist.locations.first(),
        start=start,
    )
    record_services.start_note(therapist_user=w.a.therapist.user, appointment_id=appointment.pk)
    return appointment.pk


# --- Writers: each posts the payload through the real form, then names the pages to check ---


def intake(w: World, as_: Callable[[str], Client]) -> list[Shown]:
    data: dict[str, Any] = {
        "age": "44",
        "onset_date": (timezone.localdate() - timedelta(weeks=2)).isoformat(),
        "regions": ["left_buttock"],
        "qualities": ["shooting"],
        "back_pain_now": "4",
        "back_pain_average": "4",
        "back_pain_worst": "6",
        "leg_pain_now": "6",
        "leg_pain_average": "5",
        "leg_pain_worst": "8",
        "goals": text("goals"),
        "medications": text("medications"),
        "notes": text("notes"),
        **{f"q_{q.code}": "no" for q in QUESTIONS},
    }
    assert as_("patient").post(reverse("intake:form"), data).status_code == 302
    latest = Intake.objects.filter(episode__patient=w.a.patient).latest("pk")
    fields = ("goals", "medications", "notes")
    return [
        Shown("patient", reverse("intake:detail", args=[latest.pk]), ("goals", "medications")),
        Shown("patient", reverse("intake:form"), fields),  # prefilled for the next update
        Shown("therapist", reverse("intake:brief", args=[w.a.patient.pk]), fields),
    ]


def diary(w: World, as_: Callable[[str], Client]) -> list[Shown]:
    data = {"back_pain": "3", "leg_pain": "2", "note": text("diary")}
    assert as_("patient").post(reverse("outcomes:diary"), data).status_code == 302
    return [Shown("patient", reverse("outcomes:diary"), ("diary",))]


def session_note(w: World, as_: Callable[[str], Client]) -> list[Shown]:
    appointment_id = _past_draft(w)
    therapist = as_("therapist")
    fields = ("subjective", "objective", "assessment", "plan", "adverse_event_detail")
    data = {name: text(name) for name in fields}
    data |= {"adverse_event": "other", "assessment_shared": "on", "new_home_care": text("home")}
    saved = therapist.post(reverse("records:autosave", args=[appointment_id]), data)
    assert saved.status_code == 302
    assert therapist.post(reverse("records:sign", args=[appointment_id])).status_code == 302
    note = reverse("records:note", args=[appointment_id])
    return [
        Shown("therapist", note, (*fields, "home")),
        Shown("patient", note, ("assessment", "home")),  # the plain-language summary
        Shown("patient", reverse("records:my_sessions"), ("assessment", "home")),
    ]


def amendment(w: World, as_: Callable[[str], Client]) -> list[Shown]:
    data = {"reason": text("reason"), "text": text("amendment")}
    url = reverse("records:amend", args=[w.a.past.pk])
    assert as_("therapist").post(url, data).status_code == 302
    note = reverse("records:note", args=[w.a.past.pk])
    return [Shown("therapist", note, ("reason", "amendment"))]


def note_template(w: World, as_: Callable[[str], Client]) -> list[Shown]:
    appointment_id = _past_draft(w)
    url = reverse("records:template", args=[appointment_id])
    data = {"action": "save", "name": text("template")}
    assert as_("therapist").post(url, data).status_code == 302
    return [Shown("therapist", reverse("records:note", args=[appointment_id]), ("template",))]


def access_reason(w: World, as_: Callable[[str], Client]) -> list[Shown]:
    """A clinic admin's stated reason for opening a note is shown to the patient."""
    url = reverse("records:note", args=[w.a.past.pk])
    assert as_("clinic_admin").post(url, {"reason": text("why")}).status_code == 200
    return [Shown("patient", reverse("records:access_history"), ("why",))]


def cancellation(w: World, as_: Callable[[str], Client]) -> list[Shown]:
    url = reverse("scheduling:cancel", args=[w.a.future.pk])
    assert as_("patient").post(url, {"reason": text("cancel")}).status_code == 302
    page = reverse("scheduling:appointment", args=[w.a.future.pk])
    return [Shown("patient", page, ("cancel",)), Shown("therapist", page, ("cancel",))]


def review(w: World, as_: Callable[[str], Client]) -> list[Shown]:
    session = place_appointment(
        patient=w.a.patient,
        therapist=w.a.therapist,
        session=w.a.session,
        location=w.a.therapist.locations.first(),
        start=timezone.now() - timedelta(days=3),
        status=AppointmentStatus.COMPLETED,
    )
    data = {"session_id": session.pk, "rating": "4", "text": text("review")}
    url = reverse("directory:add_review", args=[w.a.therapist.pk])
    assert as_("patient").post(url, data).status_code == 302
    return [Shown("anonymous", reverse("directory:profile", args=[w.a.therapist.pk]), ("review",))]


def profile(w: World, as_: Callable[[str], Client]) -> list[Shown]:
    data = {
        "bio": text("bio"),
        "years_experience": 9,
        "years_sciatica": 4,
        "accepting_new_patients": "on",
        "modalities": ["swedish"],
        "languages_text": "en",
        "locations": [w.a.therapist.locations.first().pk],
    }
    url = reverse("directory:edit", args=[w.a.therapist.pk])
    assert as_("therapist").post(url, data).status_code == 302
    return [
        Shown("anonymous", reverse("directory:profile", args=[w.a.therapist.pk]), ("bio",)),
        Shown("therapist", url, ("bio",)),
    ]


def session_type(w: World, as_: Callable[[str], Client]) -> list[Shown]:
    data = {"name": text("session"), "minutes": "45", "price": "40", "currency": "GBP"}
    url = reverse("directory:add_session", args=[w.a.therapist.pk])
    assert as_("therapist").post(url, data).status_code == 302
    return [
        Shown("anonymous", reverse("directory:profile", args=[w.a.therapist.pk]), ("session",)),
        Shown("therapist", reverse("directory:edit", args=[w.a.therapist.pk]), ("session",)),
        Shown("patient", reverse("scheduling:book", args=[w.a.therapist.pk]), ("session",)),
    ]


def credential(w: World, as_: Callable[[str], Client]) -> list[Shown]:
    # Short tags: the number field holds 60 characters.
    tags = {"title": "tit", "number": "num", "issuing_body": "iss", "jurisdiction": "jur"}
    data: dict[str, Any] = {name: text(tag) for name, tag in tags.items()}
    data |= {"kind": "licence", "expires_on": "2099-01-01"}
    fields = tuple(tags.values())
    data["document"] = SimpleUploadedFile("scan.pdf", PDF_BYTES, "application/pdf")
    response = as_("therapist").post(reverse("directory:my_credentials"), data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    added = Credential.objects.filter(therapist=w.a.therapist).latest("pk")
    return [
        Shown("therapist", reverse("directory:my_credentials"), fields),
        Shown("clinic_admin", reverse("directory:clinic"), ("tit",)),
        Shown("clinic_admin", reverse("directory:verify", args=[added.pk]), fields),
    ]


def rejection(w: World, as_: Callable[[str], Client]) -> list[Shown]:
    url = reverse("directory:reject", args=[w.a.pending_credential.pk])
    assert as_("clinic_admin").post(url, {"reason": text("rejected")}).status_code == 302
    return [Shown("therapist", reverse("directory:my_credentials"), ("rejected",))]


def hidden_review(w: World, as_: Callable[[str], Client]) -> list[Shown]:
    url = reverse("directory:hide_review", args=[w.a.review.pk])
    assert as_("clinic_admin").post(url, {"reason": text("hidden")}).status_code == 302
    return []  # kept with the review as the record; no page shows it


def api_token(w: World, as_: Callable[[str], Client]) -> list[Shown]:
    patient = as_("patient")
    patient.post(reverse("account_reauthenticate"), {"password": PASSWORD})  # asked before a token
    created = patient.post(reverse("accounts:create_token"), {"name": text("token")})
    assert created.status_code == 200
    assert not any(raw in created.content.decode() for raw in RAW)
    return [Shown("patient", reverse("accounts:account"), ("token",))]


def signup_names(w: World, as_: Callable[[str], Client]) -> list[Shown]:
    """Names typed at sign-up reach the therapist the person shares their intake with."""
    from sciaticare.accounts.models import User

    data = {
        "email": "new.person@example.org",
        "password1": "a-long-signup-password-9",
        "password2": "a-long-signup-password-9",
        "first_name": text("first"),
        "last_name": text("last"),
    }
    assert Client().post(reverse("account_signup"), data).status_code == 302
    person = Client()
    person.force_login(User.objects.get(email="new.person@example.org"))
    shared = {"therapist_email": w.a.therapist.user.email}
    assert person.post(reverse("intake:share"), shared).status_code == 302
    return [Shown("therapist", reverse("intake:clients"), ("first", "last"))]


def admin_written(w: World, as_: Callable[[str], Client]) -> list[Shown]:
    """Clinic and location names are written by a site admin in the Django admin."""
    location = w.a.therapist.locations.first()
    w.a.clinic.name = text("clinic")
    w.a.clinic.save()
    location.name, location.address = text("location"), text("address")
    location.save()
    profile = reverse("directory:profile", args=[w.a.therapist.pk])
    return [
        Shown("anonymous", profile, ("clinic", "location", "address")),
        Shown("patient", reverse("scheduling:appointment", args=[w.a.future.pk]), ("location",)),
        Shown("clinic_admin", reverse("directory:clinic"), ("clinic",)),
    ]


def _pdf_text(client: Client, url: str) -> str | None:
    """The PDF's words (pdftotext), or None without poppler-utils."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        return None
    response = client.get(url)
    assert response.status_code == 200, url
    out = subprocess.run(  # noqa: S603 -- fixed arguments, our own bytes on stdin
        [pdftotext, "-", "-"], input=response.content, capture_output=True, check=True
    )
    return " ".join(out.stdout.decode().split())


def billing_reasons(w: World, as_: Callable[[str], Client]) -> list[Shown]:
    """A clinic admin's reasons for a refund and for waiving a fee (its credit note)."""
    admin = as_("clinic_admin")
    refund = {"amount": "5.00", "reason": text("refund"), "confirm": "yes"}
    assert admin.post(reverse("billing:refund", args=[w.a.payment.pk]), refund).status_code == 302
    waive = {"reason": text("credit"), "confirm": "yes"}
    assert admin.post(reverse("billing:waive", args=[w.a.fee.pk]), waive).status_code == 302
    note = Invoice.objects.get(credits=w.a.fee)
    invoice = reverse("billing:invoice", args=[w.a.invoice.pk])
    fee = reverse("billing:invoice", args=[w.a.fee.pk])
    # On paper the reason is printed as the words typed, not read as markup.
    for who, url in (("patient", reverse("billing:invoice_pdf", args=[note.pk])),):
        printed = _pdf_text(as_(who), url)
        assert printed is None or text("credit") in printed
    return [
        Shown("patient", reverse("billing:payments"), ("refund",)),
        Shown("patient", invoice, ("refund",)),
        Shown("patient", fee, ("credit",)),
        Shown("patient", reverse("billing:invoice", args=[note.pk]), ("credit",)),
        Shown("clinic_admin", reverse("billing:takings", args=[w.a.clinic.pk]), ("refund",)),
        Shown("clinic_admin", invoice, ("refund",)),
    ]


def payment_policy(w: World, as_: Callable[[str], Client]) -> list[Shown]:
    """The clinic's invoice details, written on the policy page by its admin, shown there and
    copied into the invoices it issues (their page and PDF)."""
    data = {
        "currency": "GBP",
        "deposit": "none",
        "pay_at_booking": "clinic",
        "cancellation_window_hours": "24",
        "late_cancel_fee": "0",
        "no_show_fee": "0",
        "tax_percent": "0",
        "country": "GB",
        "legal_name": text("legal"),
        "address": text("postal"),
    }
    url = reverse("billing:policy", args=[w.a.clinic.pk])
    assert as_("clinic_admin").post(url, data).status_code == 302
    issued = invoices.issue(
        clinic=Clinic.objects.get(pk=w.a.clinic.pk),  # not the world's, which has the old one
        patient=w.a.patient,
        purpose=Purpose.SESSION,
        lines=[invoices.Line("Massage", Money.of("10.00", "GBP"))],
    )
    printed = _pdf_text(as_("patient"), reverse("billing:invoice_pdf", args=[issued.pk]))
    assert printed is None or all(text(f) in printed for f in ("legal", "postal"))
    fields = ("legal", "postal")
    page = reverse("billing:invoice", args=[issued.pk])
    return [
        Shown("clinic_admin", url, fields),
        Shown("patient", page, fields),
        Shown("clinic_admin", page, fields),
    ]


def exercise_programme(w: World, as_: Callable[[str], Client]) -> list[Shown]:
    """The treating therapist's note to the client and words for one exercise, written on the
    programme page from the session note; shown in its versions."""
    plan = w.a.plan
    exercise = w.a.exercise.pk
    prefix = f"ex{exercise}"
    data = {
        "exercises": [exercise],
        "start_date": timezone.localdate().isoformat(),
        "review_date": "",
        "note": text("exnote"),
        "based_on": f"{plan.pk}:{plan.versions.order_by('-number').first().number}",
        f"{prefix}-repetitions": "10",
        f"{prefix}-sets": "2",
        f"{prefix}-times_per_day": "1",
        f"{prefix}-days": ["0", "3"],
        f"{prefix}-instructions": text("exwords"),
    }
    url = reverse("exercises:prescribe", args=[w.a.patient.pk])
    assert as_("therapist").post(url, data).status_code == 302
    return [Shown("therapist", url, ("exnote", "exwords"))]


def clinic_exercise(w: World, as_: Callable[[str], Client]) -> list[Shown]:
    """A clinic's own exercise, written by its admin: shown on the clinic's exercise page, in
    its edit form and on the confirm step of its removal."""
    fields = ("exname", "howto", "often", "many", "stop", "source")
    names = ("name", "how_to", "how_often", "how_many", "when_to_stop", "source")
    data = {name: text(tag) for name, tag in zip(names, fields, strict=True)}
    url = reverse("exercises:add", args=[w.a.clinic.pk])
    assert as_("clinic_admin").post(url, data).status_code == 302
    added = Exercise.objects.filter(clinic=w.a.clinic).latest("pk")
    return [
        Shown("clinic_admin", reverse("exercises:clinic", args=[w.a.clinic.pk]), fields),
        Shown("clinic_admin", reverse("exercises:edit", args=[w.a.clinic.pk, added.pk]), fields),
        Shown(
            "clinic_admin", reverse("exercises:remove", args=[w.a.clinic.pk, added.pk]), ("exname",)
        ),
    ]


def own_programme(w: World, as_: Callable[[str], Client]) -> list[Shown]:
    """A programme the patient enters from their physio's: who gave it, an exercise of their
    own (name, how to) and what they were told; shown on their page, in the form that writes
    the next version and on the confirm step of ending it."""
    data = {
        "prescriber": text("prescriber"),
        "start_date": timezone.localdate().isoformat(),
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-0-exercise": "own",
        "items-0-own_name": text("ownname"),
        "items-0-own_how_to": text("ownhowto"),
        "items-0-repetitions": "10",
        "items-0-sets": "1",
        "items-0-times_per_day": "1",
        "items-0-days": ["0", "2", "4"],
        "items-0-instructions": text("told"),
    }
    assert as_("patient").post(reverse("exercises:programme_new"), data).status_code == 302
    plan = ExercisePlan.objects.filter(patient=w.a.patient).latest("pk")
    everything = ("prescriber", "ownname", "ownhowto", "told")
    return [
        Shown("patient", reverse("exercises:my_programme"), everything),
        # The next version's form names their exercise (a choice) and keeps what they were told.
        Shown(
            "patient",
            reverse("exercises:programme_edit", args=[plan.pk]),
            ("prescriber", "ownname", "told"),
        ),
        Shown(
            "patient", reverse("exercises:programme_end", args=[plan.pk]), ("prescriber", "ownname")
        ),
    ]


def webhook_endpoint(w: World, as_: Callable[[str], Client]) -> list[Shown]:
    """A clinic's webhook address and description, written by its admin, and what a receiver
    answered (its first characters, and an error's words), written here as an attempt would:
    shown on the list, the address's page with its log, and the confirm step of deleting it."""
    # An address holds no spaces (refused: http.client cannot send them), so its payload has none.
    url = "https://hooks.example.org/" + PAYLOAD.replace(" ", "/") + "hookurl"
    data = {"url": url, "events": ["note.signed"], "description": text("hookdesc")}
    added = as_("clinic_admin").post(reverse("integrations:webhooks", args=[w.a.clinic.pk]), data)
    assert added.status_code == 200
    endpoint = WebhookEndpoint.objects.filter(clinic=w.a.clinic).latest("pk")
    delivery = webhooks.ping(endpoint=endpoint)
    WebhookAttempt.objects.create(
        delivery=delivery,
        at=timezone.now(),
        response_snippet=text("hooksnippet"),
        error=text("hookerror"),
    )
    args = [w.a.clinic.pk, endpoint.pk]
    for page in ("integrations:webhooks", "integrations:webhook"):
        body = as_("clinic_admin").get(reverse(page, args=args[: 1 if page.endswith("s") else 2]))
        assert escape(url) in body.content.decode()
    return [
        Shown("clinic_admin", reverse("integrations:webhooks", args=args[:1]), ("hookdesc",)),
        Shown(
            "clinic_admin",
            reverse("integrations:webhook", args=args),
            ("hookdesc", "hooksnippet", "hookerror"),
        ),
        Shown("clinic_admin", reverse("integrations:webhook_delete", args=args), ()),
    ]


def moving_in(w: World, as_: Callable[[str], Client]) -> list[Shown]:
    """A file another system exported, uploaded by a clinic's admin: its name, its source ids and
    a session summary's words, shown on the import pages and on the treating therapist's brief."""
    past = w.a.past
    day = timezone.localtime(past.start, ZoneInfo(past.location.time_zone)).date()
    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        [
            ["Summary ID", "Client Email", "Therapist", "Session date", "Summary"],
            [
                text("importid"),
                w.a.patient.email,
                w.a.therapist.user.email,
                day.isoformat(),
                text("importsummary"),
            ],
        ]
    )
    data = buffer.getvalue()
    run = imports.start_run(
        user=w.a.admin,
        clinic=w.a.clinic,
        source="generic",
        kind="summaries",
        file_name=text("importfile"),
        data=data.encode(),
    )
    args = [w.a.clinic.pk, run.pk]
    check = reverse("integrations:import_check", args=args)
    # The dry run's page exists only until the import: read it here, as the test reads the rest.
    body = as_("clinic_admin").get(check).content.decode()
    assert "would be created" in body
    assert [raw for raw in RAW if raw in body] == []
    assert escape(text("importfile")) in body
    imports.import_file(run=run, by=w.a.admin)
    return [
        Shown("clinic_admin", reverse("integrations:imports", args=args[:1]), ("importfile",)),
        Shown("clinic_admin", reverse("integrations:import_run", args=args), ("importfile",)),
        Shown("therapist", reverse("intake:brief", args=[w.a.patient.pk]), ("importsummary",)),
    ]


def own_calendar(w: World, as_: Callable[[str], Client]) -> list[Shown]:
    """The therapist's calendar account: the user name they type (shown back on the form: the
    CalDAV server refuses such a name, so it is never stored), and the calendar's name their
    provider answers with (another system's text, shown on the page)."""
    from tests.caldav_server import new_calendar, shared_server

    server = shared_server()
    therapist = as_("therapist")
    url = reverse("integrations:calendar")
    typed = {"server_url": server.url, "username": text("calendar_user"), "password": "x"}
    refused = therapist.post(url, typed)
    assert refused.status_code == 422
    body = refused.content.decode()
    assert not any(raw in body for raw in RAW)
    assert escape(text("calendar_user")) in body
    made = new_calendar(server, name=text("calendar_name"))
    connected = therapist.post(
        url, {"server_url": server.url, "username": made.username, "password": made.password}
    )
    assert connected.status_code == 302
    return [Shown("therapist", url, ("calendar_name",))]


# Model text field → the writer that fills it through the product.
WRITERS: dict[str, Writer] = {
    "intake": intake,
    "diary": diary,
    "session_note": session_note,
    "amendment": amendment,
    "note_template": note_template,
    "access_reason": access_reason,
    "cancellation": cancellation,
    "review": review,
    "profile": profile,
    "session_type": session_type,
    "credential": credential,
    "rejection": rejection,
    "hidden_review": hidden_review,
    "api_token": api_token,
    "signup_names": signup_names,
    "admin_written": admin_written,
    "billing_reasons": billing_reasons,
    "payment_policy": payment_policy,
    "exercise_programme": exercise_programme,
    "clinic_exercise": clinic_exercise,
    "own_programme": own_programme,
    "webhook_endpoint": webhook_endpoint,
    "own_calendar": own_calendar,
    "moving_in": moving_in,
}
USER_TEXT = {
    "accounts.User.first_name": "signup_names",
    "integrations.WebhookEndpoint.url": "webhook_endpoint",
    "integrations.ImportRun.file_name": "moving_in",
    "integrations.ImportedRecord.source_id": "moving_in",
    "records.ImportedSummary.text": "moving_in",
    "records.ImportedSummary.source_id": "moving_in",
    "integrations.WebhookEndpoint.description": "webhook_endpoint",
    "integrations.WebhookAttempt.response_snippet": "webhook_endpoint",
    "integrations.WebhookAttempt.error": "webhook_endpoint",
    "accounts.User.last_name": "signup_names",
    "accounts.ApiToken.name": "api_token",
    "billing.Invoice.reason": "billing_reasons",
    "billing.Refund.reason": "billing_reasons",
    "billing.PaymentPolicy.legal_name": "payment_policy",
    "billing.PaymentPolicy.address": "payment_policy",
    "audit.AuditEvent.reason": "access_reason",
    "directory.Clinic.name": "admin_written",
    "exercises.Exercise.name": "clinic_exercise",
    "exercises.Exercise.how_to": "clinic_exercise",
    "exercises.Exercise.how_often": "clinic_exercise",
    "exercises.Exercise.how_many": "clinic_exercise",
    "exercises.Exercise.when_to_stop": "clinic_exercise",
    "exercises.Exercise.source": "clinic_exercise",
    "exercises.ExercisePlan.prescriber": "own_programme",
    "directory.Location.name": "admin_written",
    "directory.Location.address": "admin_written",
    "directory.TherapistProfile.bio": "profile",
    "directory.SessionType.name": "session_type",
    "directory.Credential.title": "credential",
    "directory.Credential.number": "credential",
    "directory.Credential.issuing_body": "credential",
    "directory.Credential.jurisdiction": "credential",
    "directory.Credential.rejection_reason": "rejection",
    "directory.Review.text": "review",
    "directory.Review.hidden_reason": "hidden_review",
    "intake.Intake.goals": "intake",
    "intake.Intake.medications": "intake",
    "intake.Intake.notes": "intake",
    "outcomes.PainEntry.note": "diary",
    "records.SessionNote.subjective": "session_note",
    "records.SessionNote.objective": "session_note",
    "records.SessionNote.assessment": "session_note",
    "records.SessionNote.plan": "session_note",
    "records.SessionNote.adverse_event_detail": "session_note",
    "records.Amendment.reason": "amendment",
    "records.Amendment.text": "amendment",
    "records.HomeCareAdvice.text": "session_note",
    "records.NoteTemplate.name": "note_template",
    "scheduling.AppointmentChange.note": "cancellation",
    "exercises.PlanVersion.note": "exercise_programme",
    "exercises.PlanItem.instructions": "exercise_programme",
    "integrations.CalendarConnection.username": "own_calendar",
    "integrations.CalendarConnection.calendar_name": "own_calendar",
}
# Text fields that are not free text from a person, and why.
NOT_USER_TEXT = {
    # Moving in: choices and our own names of the other systems.
    "integrations.ImportRun.kind": "a choice",
    "integrations.ImportRun.source_system": "a choice",
    "integrations.ImportRun.status": "a choice",
    "integrations.ImportedRecord.kind": "a choice",
    "integrations.ImportedRecord.source_system": "a choice",
    "records.ImportedSummary.source_system": "our own name of the other system",
    # A therapist's own calendar: addresses checked by addresses.py and never shown as links,
    # ciphertext, our own words, and the server's identifiers.
    "integrations.CalendarConnection.server_url": "a URL (validated, checked before each call)",
    "integrations.CalendarConnection.calendar_url": "a URL the server answered, never a link",
    "integrations.CalendarConnection.password_encrypted": "Fernet ciphertext, never shown",
    "integrations.CalendarConnection.read_error": "one of our own sentences",
    "integrations.CalendarEvent.error": "one of our own sentences",
    "integrations.CalendarEvent.uid": "made by us (sciaticare-appointment-<id>@host)",
    "integrations.CalendarEvent.href": "made by us from the calendar URL and the UID",
    "integrations.CalendarEvent.etag": "the server's version tag, never shown",
    "integrations.CalendarEvent.written": "a SHA-256 in hex",
    "accounts.User.password": "a hash",
    # Webhooks: what the server makes.
    "integrations.WebhookEndpoint.sealed_secret": "a Fernet token, never shown",
    "integrations.WebhookDelivery.event_type": "one of the event names, or ping",
    "integrations.WebhookDelivery.body": "JSON the server writes: ids and times",
    "integrations.WebhookDelivery.status": "a choice",
    "accounts.User.email": "validated address",
    "accounts.User.time_zone": "an IANA zone name, checked against zoneinfo's list",
    "accounts.User.language": "one of settings.LANGUAGES' codes",
    "accounts.User.phone": "E.164: a + and digits (validated with phonenumbers)",
    # Reminders: codes, keys and ids the server or a browser makes, never shown as typed.
    "reminders.ChannelChoice.kind": "a choice",
    "reminders.PushSubscription.endpoint": "a push service's URL (checked against "
    "PUSH_SERVICES); the page shows the service's name, not the URL",
    "reminders.PushSubscription.p256dh": "base64url key (validated), not shown",
    "reminders.PushSubscription.auth": "base64url secret (validated), not shown",
    "reminders.SmsOptOut.phone": "E.164 (validated), not shown",
    "reminders.Delivery.kind": "a choice",
    "reminders.Delivery.about": "made by the server",
    "reminders.Delivery.occasion": "made by the server",
    "reminders.Delivery.channel": "a choice",
    "reminders.Delivery.status": "a choice",
    "reminders.Delivery.provider_ref": "the provider's id, not shown",
    "reminders.Delivery.error": "a code made by the server, not shown",
    "core.RateCounter.ident": "made by the server (a scope and a digest)",
    "accounts.ApiToken.prefix": "made by the server",
    "accounts.ApiToken.digest": "made by the server",
    "audit.AuditEvent.action": "a code",
    "audit.AuditEvent.object_type": "a model name",
    "audit.AuditEvent.object_id": "a primary key",
    "audit.AuditEvent.request_id": "made by the server",
    "directory.Location.time_zone": "validated zone name",
    "exercises.Exercise.slug": "made by the server from the name (slugify), or a built-in's",
    "directory.SessionType.currency": "three capitals (validated)",
    "directory.Credential.kind": "a choice",
    "directory.Credential.document_type": "a choice",
    "directory.Credential.status": "a choice",
    "intake.Intake.triage_level": "a choice",
    "intake.Intake.triage_advice": "written by the triage engine",
    "intake.QuestionnaireDefinition.code": "validated against the bundled instruments",
    "intake.QuestionnaireDefinition.version": "from a validated FHIR resource",
    "intake.QuestionnaireDefinition.licence_statement": "a clinic admin's import (see below)",
    "intake.QuestionnaireResponse.instrument": "a code",
    "intake.QuestionnaireResponse.instrument_version": "a code",
    "intake.QuestionnaireResponse.band": "written by scoring",
    "interop.ExternalResource.resource_type": "validated FHIR type",
    "interop.ExternalResource.resource_id": "kept for de-duplication, not shown",
    "interop.ImportedResource.resource_type": "validated FHIR type, not shown",
    "interop.ImportedResource.key": "a sha256 digest, kept for de-duplication, not shown",
    "outcomes.ProgressReport.status": "a choice",
    "records.SessionNote.pressure": "a choice",
    "records.SessionNote.adverse_event": "a choice",
    "records.SessionNote.seal": "a hash",
    "scheduling.DateException.note": "no product form writes it; not shown",
    "scheduling.TimeOff.reason": "no product form writes it; not shown",
    "scheduling.Appointment.status": "a choice",
    "scheduling.AppointmentChange.kind": "a choice",
    "scheduling.WaitlistEntry.status": "a choice",
    "scheduling.CalendarFeed.secret": "made by the server",
    "directory.SearchEntry.languages": "copied from the profile's validated language codes",
    "outcomes.ReportShare.recipient_email": "validated address",
    "intake.IntakeShare.email": "validated address",
    "outcomes.ReportShare.token_digest": "a hash",
    "outcomes.ReportShare.code_digest": "a hash",
    "outcomes.ProgressReport.patient_identifier": "letters, digits and . / - only (identity.py)",
    "interop.DataExport.status": "a choice",
    # Billing: codes, ids and words the server makes.
    "billing.PaymentPolicy.currency": "three capitals (validated)",
    "billing.PaymentPolicy.deposit": "a choice",
    "billing.PaymentPolicy.country": "two capitals (validated)",
    "billing.PaymentPolicy.npi": "ten digits (validated)",
    "billing.PaymentPolicy.processor_account": "acct_ and letters or digits (validated)",
    "billing.PaymentPolicy.tax_number": "40 characters at most, shorter than the payload; "
    "shown on the policy page the way its legal name is",
    "billing.PaymentPolicy.insurer_provider_number": "40 characters at most, shorter than the "
    "payload; shown on the policy page the way its legal name is",
    "billing.CardOnFile.customer_id": "the processor's id",
    "billing.CardOnFile.payment_method_id": "the processor's id",
    "billing.CardOnFile.brand": "the processor's word for the card network",
    "billing.CardOnFile.last4": "four digits from the processor",
    "billing.Invoice.kind": "a choice",
    "billing.Invoice.purpose": "a choice",
    "billing.Invoice.status": "a choice",
    "billing.Invoice.number": "made by the server",
    "billing.Invoice.currency": "three capitals (validated)",
    "billing.Invoice.buyer_name": "copied from the patient's names (signup_names)",
    "billing.InvoiceLine.description": "made by the server from a session's type and date",
    "billing.InvoiceLine.code": "a billing code the server sets",
    "billing.Payment.purpose": "a choice",
    "billing.Payment.method": "a choice",
    "billing.Payment.status": "a choice",
    "billing.Payment.currency": "three capitals (validated)",
    "billing.AgreedFees.currency": "three capitals (validated)",
    "billing.Payment.idempotency_key": "made by the server",
    "billing.Payment.processor_id": "the processor's id",
    "billing.Payment.failure": "the processor's message or the server's",
    "billing.Refund.status": "a choice",
    "billing.Refund.idempotency_key": "made by the server",
    "billing.Refund.processor_id": "the processor's id",
    "billing.ProcessorEvent.event_id": "the processor's id",
    "billing.ProcessorEvent.type": "the processor's event name",
    # Home exercise programmes (issue 17): codes.
    "exercises.ExercisePlan.origin": "a choice",
    "exercises.ExerciseLog.leg_pain": "a choice",
    # Free text people write, so far only through the API, which answers JSON (no page shows
    # it yet): the pages that show it move each to USER_TEXT with a writer.
}


def _text_fields() -> set[str]:
    found = set()
    for model in apps.get_models():
        if not model.__module__.startswith("sciaticare."):
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.CharField | models.TextField):
                found.add(f"{model._meta.label}.{field.name}")
    return found


def test_every_text_field_is_declared():
    declared = set(USER_TEXT) | set(NOT_USER_TEXT)
    found = _text_fields()
    assert sorted(found - declared) == [], "declare these text fields in USER_TEXT or NOT_USER_TEXT"
    assert sorted(declared - found) == [], "these declared fields no longer exist"
    assert set(USER_TEXT.values()) == set(WRITERS)


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_user_text_is_shown_escaped(w, name):
    people = w.people

    def as_(role: str) -> Client:
        client = Client()
        if people[role] is not None:
            client.force_login(people[role])
        return client

    for shown in WRITERS[name](w, as_):
        response = as_(shown.who).get(shown.url)
        assert response.status_code == 200, (shown.who, shown.url)
        body = response.content.decode()
        assert [raw for raw in RAW if raw in body] == [], (shown.who, shown.url)
        missing = [f for f in shown.fields if escape(text(f)) not in body]
        assert missing == [], (shown.who, shown.url)
