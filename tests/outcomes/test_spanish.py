"""The outcomes pages, the doctor's PDF and mail for a Spanish-speaking reader (docs/i18n.md):
Spanish words, Spanish days and numbers, the same clinical meaning; and the offline diary's
script, which has no words of its own."""

import hashlib
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from sciaticare.core.generated import FileStatus
from sciaticare.outcomes import report, services
from sciaticare.outcomes.models import PainEntry, ProgressReport
from sciaticare.outcomes.tasks import build_report
from tests.directory.factories import TherapistProfileFactory
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

SATURDAY = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
SCRIPT = Path(__file__).resolve().parents[2] / "src/sciaticare/outcomes/static/outcomes"


@pytest.fixture
def saturday(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: SATURDAY)


@pytest.fixture
def spanish_patient():
    return PatientFactory(first_name="Lucía", last_name="Ortega", language="es")


def test_the_diary_is_in_spanish_with_spanish_days_and_numbers(client, saturday, spanish_patient):
    PainEntry.objects.create(
        patient=spanish_patient, day=date(2026, 12, 5), back_pain=6, leg_pain=8, tags=["bad_night"]
    )
    client.force_login(spanish_patient)

    page = client.get(reverse("outcomes:diary"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<html lang="es">' in page
    for words in (
        "Su dolor",
        "Dolor de espalda hoy (0 = nada, 10 = el peor)",
        "Guardar el día de hoy",
        "El dolor a lo largo del tiempo",
        "Mala noche",
        "sábado, 5 dic",  # the diary's table: "Sat 5 Dec" in English
        "Dolor de espalda: 6 el 5 dic 2026",  # a point's tooltip on the chart
        "El masaje puede aliviar a corto plazo",
    ):
        assert words in page, words
    assert "Your pain" not in page
    assert "Save today" not in page


def test_the_offline_diarys_words_come_with_the_page_in_its_language(
    client, saturday, spanish_patient
):
    client.force_login(spanish_patient)

    page = client.get(reverse("outcomes:diary")).content.decode()
    words = re.search(r"<div hidden data-diary-words[^>]*>", page)

    assert words
    assert 'data-locale="es-ES"' in words.group(0)
    assert 'data-waiting="pendiente de sincronizar"' in words.group(0)
    assert 'data-entry="Espalda {back}, pierna {leg} el {day}"' in words.group(0)
    assert "No tiene conexión." in words.group(0)


def test_the_offline_diarys_script_has_no_words_of_its_own():
    # String literals in the code (comments left out) that read as words: two or more of them.
    for name in ("offline-diary.js", "quick-log.js"):
        code = re.sub(r"//[^\n]*|/\*.*?\*/", "", (SCRIPT / name).read_text(), flags=re.S)
        literals = re.findall(r'"((?:[^"\\]|\\.)*)"', code)
        sentences = [
            text
            for text in literals
            if re.search(r"[A-Za-z]{2,} +[A-Za-z]{2,}", text)
            and not re.search(r"[\[\]=:]", text)  # selectors
            and text != "use strict"
        ]
        assert sentences == [], name


def test_a_diary_form_error_is_in_spanish(client, saturday, spanish_patient):
    client.force_login(spanish_patient)

    page = client.post(reverse("outcomes:diary"), {"leg_pain": "4"})

    assert page.status_code == 422
    assert "Elija un número." in page.content.decode()


def test_a_report_request_is_refused_in_spanish(client, saturday, spanish_patient):
    client.force_login(spanish_patient)

    page = client.post(reverse("outcomes:reports"), {"date_of_birth": "2030-01-01"})

    assert page.status_code == 422
    text = page.content.decode()
    assert "Revise los campos marcados a continuación." in text
    assert "Su fecha de nacimiento no puede ser posterior a hoy." in text


def test_the_report_is_written_in_the_language_of_the_person_who_asked(
    monkeypatch, saturday, spanish_patient
):
    written = []
    monkeypatch.setattr(report, "pdf_from_html", lambda html: written.append(html) or b"%PDF")
    PainEntry.objects.create(
        patient=spanish_patient, day=date(2026, 12, 4), back_pain=5, leg_pain=7
    )
    asked, _ = services.request_report(patient=spanish_patient)

    assert build_report.call(asked.pk) == FileStatus.READY

    (html,) = written
    assert '<html lang="es">' in html
    assert "<h1>Informe de evolución</h1>" in html
    assert 'content: "página " counter(page) " de " counter(pages);' in html
    assert 'content: "Informe de evolución de Sciaticare · Lucía Ortega";' in html
    assert "1 día anotado, del 4 dic 2026 al 4 dic 2026" in html
    # The honest statement says what the English says: no cure, short-term relief at best.
    assert (
        "El masaje puede aliviar a corto plazo el dolor de espalda y la ciática, y funciona mejor "
        "junto con el ejercicio. No trata la causa de la compresión de la raíz nerviosa y nunca "
        "sustituye a una valoración médica."
    ) in html
    assert not re.search(r"\bcur(a|an|ar|ación)\b", html, re.IGNORECASE)


def test_an_english_speakers_report_stays_in_english(monkeypatch, saturday):
    written = []
    monkeypatch.setattr(report, "pdf_from_html", lambda html: written.append(html) or b"%PDF")
    patient = PatientFactory(language="en")
    asked, _ = services.request_report(patient=patient)

    build_report.call(asked.pk)

    assert '<html lang="en">' in written[0]
    assert 'content: "page " counter(page) " of " counter(pages);' in written[0]


def test_the_report_footer_escapes_the_name_for_css():
    css = report.css_string('Ana "</style><script>" \\')
    assert css == '"Ana \\22 \\3c /style\\3e \\3c script\\3e \\22  \\5c "'


def test_the_doctors_mail_is_in_the_language_of_the_patient_who_sends_it(
    client, smtp, saturday, spanish_patient, django_capture_on_commit_callbacks
):
    ready = ProgressReport.objects.create(
        patient=spanish_patient,
        requested_by=spanish_patient,
        status=FileStatus.READY,
        content=b"%PDF",
        requested_at=SATURDAY,
        finished_at=SATURDAY,
    )
    client.force_login(spanish_patient)

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"/diary/reports/{ready.pk}/send/", {"email": "dra.ruiz@example.es"})

    assert "Dé este código a su médico" in sent.content.decode()
    (mail,) = smtp.to("dra.ruiz@example.es")
    assert mail["Subject"] == "Le han compartido un informe de evolución"
    body = mail.get_body().get_content()
    assert "Un paciente suyo ha compartido con usted un informe de evolución" in body
    assert "El enlace funciona hasta el 19 de diciembre de 2026" in body


def test_the_doctors_page_follows_the_browsers_language(client):
    page = client.get("/shared-reports/any-token/", HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")

    assert "Un informe de evolución compartido con usted" in page.content.decode()


def test_a_wrong_code_is_refused_in_spanish(client, saturday, spanish_patient):
    ready = ProgressReport.objects.create(
        patient=spanish_patient,
        requested_by=spanish_patient,
        status=FileStatus.READY,
        content=b"%PDF",
        requested_at=SATURDAY,
        finished_at=SATURDAY,
    )
    services.share_report(patient=spanish_patient, report_id=ready.pk, email="dra.ruiz@example.es")
    # A link whose token the test knows (only its digest is kept).
    ready.shares.update(token_digest=hashlib.sha256(b"the-token").hexdigest())

    page = client.post(
        "/shared-reports/the-token/", {"code": "ZZZZ-ZZZZ"}, HTTP_ACCEPT_LANGUAGE="es"
    )

    assert page.status_code == 422
    assert "Ese código no es correcto. Le quedan 4 intentos." in page.content.decode()


def test_a_therapists_outcomes_page_is_in_spanish(client):
    therapist = TherapistProfileFactory().user
    therapist.language = "es"
    therapist.save()
    client.force_login(therapist)

    page = client.get(reverse("outcomes:my_outcomes"), follow=True).content.decode()

    assert "Pacientes tratados" in page
    assert "Se muestra cuando al menos 10 pacientes tienen datos" in page
    assert "Cómo se calculan estas cifras" in page
