"""Billing in Spanish (docs/i18n.md): a Spanish-speaking patient's pages, PDFs and mails, a
clinic admin's policy page, takings and CSV, all in Spanish with Spain's amounts and days; an
issued invoice's lines written once in its patient's language; English as it was."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from sciaticare.billing.models import (
    HOLD_ENDED,
    REFUNDED_IN_TIME,
    Invoice,
    Payment,
    Purpose,
    Refund,
)
from sciaticare.billing.tasks import charge_no_show
from sciaticare.scheduling.models import Appointment
from sciaticare.scheduling.services import attendance
from tests.billing.books import UK, books, hold_booking, pay_cash, pay_deposit
from tests.billing.factories import deposit_therapist
from tests.billing.test_documents import text_of
from tests.factories import ClinicAdminFactory
from tests.mail import Inbox
from tests.scheduling.helpers import at, bookable_patient, working_therapist
from tests.stripe import CARD, StripeServer

pytestmark = pytest.mark.django_db

#: A day as Spain writes it in the "medium" style: "5 dic 2026".
SPANISH_DAY = re.compile(r"\b\d{1,2} (ene|feb|mar|abr|may|jun|jul|ago|sept|oct|nov|dic) \d{4}\b")


def _spanish(person: Any) -> Any:
    person.language = "es"
    person.save(update_fields=["language"])
    return person


def _client(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _plain(text: str) -> str:
    """Spanish amounts carry a no-break space ("60,00 GBP"); read them plainly."""
    return " ".join(text.replace("\xa0", " ").split())


def test_the_payments_page_and_the_invoice_are_in_the_patients_spanish() -> None:
    b = books(UK, price="50.00")
    pay_cash(b, "40.00")
    client = _client(_spanish(b.patient))

    payments = _plain(client.get(reverse("billing:payments")).content.decode())
    invoice = _plain(client.get(reverse("billing:invoice", args=[b.invoice.pk])).content.decode())

    assert "<h1>Pagos</h1>" in payments
    assert "<strong>Debe 20,00 GBP.</strong> Páguelo en la clínica en su próxima visita." in (
        payments
    )
    assert f"Factura {b.invoice.number}" in payments
    assert "20,00 GBP por pagar" in payments
    assert "Efectivo" in payments
    assert SPANISH_DAY.search(payments)
    assert "Impuestos (20 %)" in invoice
    assert "<dt>Saldo pendiente</dt><dd><strong>20,00 GBP</strong></dd>" in invoice
    assert "Descargar PDF" in invoice
    assert "You owe" not in payments


def test_the_invoice_pdf_is_in_the_language_of_who_asks(tmp_path: Path) -> None:
    b = books(UK, price="50.00")
    pay_cash(b, "40.00")
    url = reverse("billing:invoice_pdf", args=[b.invoice.pk])

    spanish = text_of(_client(_spanish(b.patient)).get(url).content, tmp_path)
    english = text_of(_client(b.admin).get(url).content, tmp_path)

    for part in [
        f"Factura {b.invoice.number}",
        "Subtotal 50,00 GBP",
        "Impuestos (20 %) 10,00 GBP",
        "Total 60,00 GBP",
        "Efectivo",
        "Saldo pendiente 20,00 GBP",
        "página 1 de 1",
        "Generado el",
    ]:
        assert part in spanish, part
    assert "Subtotal £50.00" in english
    assert "page 1 of 1" in english


def test_the_receipt_is_mailed_in_the_patients_language(
    smtp: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    b = books(UK, price="50.00")
    _spanish(b.patient)

    with django_capture_on_commit_callbacks(execute=True):
        paid = pay_cash(b, "60.00")

    (message,) = smtp.to(b.patient.email)
    assert _plain(str(message["Subject"])) == "Recibo: 60,00 GBP pagados a Riverside Massage Ltd"
    body = _plain(message.get_content())
    assert "ha recibido su pago. Este es su recibo." in body
    assert f"Recibo: R{paid.pk:06d}" in body
    assert "Forma de pago: Efectivo" in body
    assert "Concepto: Sesión, sesión del" in body
    assert re.search(r"Fecha: \d{1,2} de [a-z]+ de \d{4}, \d\d:\d\d", body)


def test_a_missed_session_is_invoiced_and_told_in_the_patients_language(
    stripe_server: StripeServer, smtp: Inbox
) -> None:
    therapist, _, _ = deposit_therapist()
    held = hold_booking(_spanish(bookable_patient()), therapist, 3)
    pay_deposit(stripe_server, held, CARD)
    gone = held.start - (at(0, 0) - timedelta(hours=2))  # the session has begun
    Appointment.objects.filter(pk=held.pk).update(
        start=held.start - gone, end=held.end - gone, busy_until=held.busy_until - gone
    )
    attendance.mark_attendance(
        therapist_user=therapist.user, appointment_id=held.pk, attended=False
    )

    charge_no_show.enqueue(held.pk)

    invoice = Invoice.objects.get(appointment=held, purpose=Purpose.NO_SHOW_FEE)
    assert re.fullmatch(
        r"Cargo por inasistencia: sesión del \d{1,2} de [a-z]+ de \d{4}",
        invoice.lines.get().description,
    )
    (told,) = [m for m in smtp.to(held.patient.email) if "Inasistencia" in m["Subject"]]
    assert _plain(str(told["Subject"])) == (
        f"Inasistencia a la sesión con {therapist.user.display_name}: un cargo de 30,00 GBP"
    )
    body = _plain(told.get_content())
    assert f"{therapist.user.display_name} marcó su sesión como inasistencia:" in body
    assert (
        f"cobra un cargo de 30,00 GBP por inasistencia a una sesión (factura {invoice.number})"
        in body
    )
    assert "Pagado: 30,00 GBP, de su depósito y de la tarjeta que tiene guardada" in body


def test_the_deposit_page_and_its_scripts_words_are_in_spanish(
    stripe_server: StripeServer,
) -> None:
    therapist, _, _ = deposit_therapist()
    client = _client(_spanish(bookable_patient()))
    start = {"start": at(3, 10).isoformat()}

    confirm = _plain(client.post(f"/book/{therapist.pk}/", start).content.decode())
    client.post(f"/book/{therapist.pk}/", {**start, "confirm": "yes"})
    held = Appointment.objects.get()
    page = _plain(client.get(f"/billing/deposit/{held.pk}/").content.decode())

    assert "Ahora se cobra con tarjeta un depósito de 10,00 GBP (20 %)." in confirm
    assert "<h1>Pague el depósito para reservar</h1>" in page
    assert "Le guardamos esta hora hasta las <strong>" in page
    assert "Pagar 10,00 GBP" in page
    assert 'data-declined="Su tarjeta fue rechazada."' in page
    assert 'data-checking="Comprobando su tarjeta…"' in page
    assert "Liberar esta hora" in page


def test_the_policy_page_and_its_errors_are_in_the_admins_spanish() -> None:
    clinic = working_therapist()[2].clinic  # sessions priced in GBP
    admin = _spanish(ClinicAdminFactory())
    clinic.admins.add(admin)
    url = f"/billing/clinics/{clinic.pk}/payment-policy/"
    form = {
        "currency": "EUR",
        "deposit": "percent",
        "deposit_percent": "20",
        "pay_at_booking": "online",
        "cancellation_window_hours": "24",
        "late_cancel_fee": "20.00",
        "no_show_fee": "treinta",
        "tax_percent": "0",
        "country": "GB",
    }
    client = _client(admin)

    page = client.get(url).content.decode()
    figures = client.post(url, form).content.decode()
    currency = client.post(url, {**form, "no_show_fee": "30.00"}).content.decode()

    assert "Política de pagos de" in page
    assert "Cargo por inasistencia" in page
    assert "Indique un número en cifras, p. ej., 20.00." in figures
    assert "tienen su precio en una moneda distinta de EUR" in currency
    assert "Give a number" not in figures


def test_the_takings_and_the_accountants_csv_follow_the_admins_language() -> None:
    b = books(UK, price="50.00")
    pay_cash(b, "60.00")
    client = _client(_spanish(b.admin))
    today = timezone.localdate().isoformat()
    query = f"?start={today}&end={today}"

    page = _plain(
        client.get(reverse("billing:takings", args=[b.clinic.pk]) + query).content.decode()
    )
    answer = client.get(reverse("billing:takings_csv", args=[b.clinic.pk]) + query)

    assert "Ingresos de" in page
    assert "Descargar CSV para el contable" in page
    assert "Por forma de pago" in page
    rows = list(csv.reader(io.StringIO(answer.content.decode()[1:], newline="")))
    assert rows[0] == [
        "fecha",
        "tipo",
        "factura",
        "paciente",
        "terapeuta",
        "concepto",
        "forma de pago",
        "importe",
        "moneda",
        "motivo",
    ]
    assert rows[1][1:] == [
        "pago",
        b.invoice.number,
        b.patient.display_name,
        b.appointment.therapist.user.display_name,
        "Sesión",
        "Efectivo",
        "60.00",  # amounts and days alike in every language: a spreadsheet reads them
        "GBP",
        "",
    ]
    assert rows[1][0] == today


def test_words_sciaticare_stores_are_read_in_the_readers_language() -> None:
    with translation.override("es"):
        assert Payment(failure=HOLD_ENDED).failure_words == (
            "El tiempo reservado para esta cita se agotó antes de que se completara el pago."
        )
        assert Payment(failure="Your card was declined.").failure_words == (
            "Su tarjeta fue rechazada."
        )
        assert Payment(failure="Do not honour (bank 05)").failure_words == (
            "Do not honour (bank 05)"  # a bank's own words, as they came
        )
        assert Refund(reason=REFUNDED_IN_TIME).reason_words == (
            "Cancelada a tiempo: se devuelve el depósito completo."
        )
        assert Refund(reason="Goodwill").reason_words == "Goodwill"  # as the admin wrote it
        assert Refund(reason="").reason_words == ""
    assert Refund(reason=REFUNDED_IN_TIME).reason_words == REFUNDED_IN_TIME
