"""Core's words in Spanish (docs/i18n.md): refusals, request limits, name rules, the status of a
file being made and the yes/no of a spreadsheet follow the language being answered in."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from sciaticare.core import bounds, display, names, ratelimits
from sciaticare.core.errors import NotFound
from sciaticare.core.generated import FileStatus
from sciaticare.core.spreadsheet import escape_cell


def test_a_refusal_names_the_missing_thing_in_spanish():
    with translation.override("es"):
        assert NotFound("appointment").message == "No se ha encontrado: cita."
        assert NotFound("something new").message == "No se ha encontrado: something new."
    assert NotFound("appointment").message == "No such appointment."


@pytest.mark.parametrize(
    ("wait", "english", "spanish"),
    [
        (1, "Please wait 1 second and", "Espere 1 segundo y"),
        (30, "Please wait 30 seconds and", "Espere 30 segundos y"),
    ],
)
def test_the_wait_after_too_many_requests_is_counted_in_either_language(wait, english, spanish):
    assert english in ratelimits.retry_message(wait)
    with translation.override("es"):
        assert ratelimits.retry_message(wait).startswith("Demasiadas solicitudes.")
        assert spanish in ratelimits.retry_message(wait)


def test_a_name_with_a_line_break_is_refused_in_spanish():
    with translation.override("es"), pytest.raises(ValidationError) as refused:
        names.validate_name("Ana\nMaría")
    assert "Un nombre no puede contener saltos de línea" in refused.value.messages[0]


def test_a_date_out_of_range_is_explained_in_spanish():
    with translation.override("es"):
        assert bounds.day_out_of_range(bounds.date(1999, 1, 1)) == (
            "1999-01-01 está fuera del intervalo admitido: aquí las fechas van de 2000 a 2100."
        )
        with pytest.raises(bounds.Invalid) as refused:
            bounds.parse_day("2026-02-30", field="start")
    assert refused.value.message == "'2026-02-30' no es una fecha."
    assert refused.value.errors == [("start", "debe ser una fecha real, AAAA-MM-DD")]


def test_a_files_status_and_a_spreadsheets_yes_are_spanish():
    with translation.override("es"):
        assert [str(label) for label in FileStatus.labels] == [
            "En preparación",
            "Listo",
            "No se pudo preparar",
        ]
        assert (escape_cell(True), escape_cell(False)) == ("sí", "no")
    assert escape_cell(True) == "yes"


def test_decimals_and_country_names_as_each_language_writes_them():
    with translation.override("en"):
        assert display.decimal(2.25) == f"{2.25:.1f}"  # rounded as English always was
        assert display.decimal(12.0) == "12.0"
        assert display.country_name("GB", "United Kingdom") == "United Kingdom"
    with translation.override("es"):
        assert display.decimal(2.5) == "2,5"
        assert display.decimal(4.456, 2) == "4,46"
        assert display.country_name("GB", "United Kingdom") == "Reino Unido"
        assert display.country_name("XX", "Nowhere") == "Nowhere"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "unauthenticated", "invalid"),
    [
        ("en", "Sign in, or send a valid bearer token.", "The request has invalid fields."),
        ("es", "Inicie sesión o envíe un token de la API válido", "La petición tiene campos"),
    ],
)
def test_the_apis_401_and_422_follow_the_callers_language(
    client, language, unauthenticated, invalid
):
    headers = {"Accept-Language": language}
    refused = client.post(
        "/api/v1/appointments", "{}", content_type="application/json", headers=headers
    )
    assert refused.status_code == 401
    assert refused.json()["detail"].startswith(unauthenticated)
    bad = client.get("/api/v1/therapists/1/slots", {"start": "yesterday"}, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["detail"].startswith(invalid)
