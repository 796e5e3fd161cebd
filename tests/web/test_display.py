"""Codes and amounts are shown to people as words: languages, techniques, diary tags, money."""

from decimal import Decimal

import pytest
from django.urls import reverse

from sciaticare.core import display
from sciaticare.directory.models import SessionType
from sciaticare.outcomes import services as outcomes_services
from sciaticare.outcomes.models import Tag
from sciaticare.web.templatetags.display import modality_names
from tests.directory.factories import MANCHESTER, TherapistProfileFactory
from tests.factories import PatientFactory


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("75"), "GBP", "£75.00"),
        (Decimal("55.5"), "EUR", "€55.50"),
        ("60.00", "usd", "$60.00"),
        (Decimal("1234.5"), "GBP", "£1,234.50"),
    ],
)
def test_money_has_the_currency_symbol_not_the_code(amount, currency, shown):
    assert display.money(amount, currency) == shown


def test_language_codes_become_names():
    assert display.language_names(["en", "so"]) == "English, Somali"
    assert display.language_names(",en,pl,") == "English, Polish"
    assert display.language_name("ur") == "Urdu"


def test_modality_and_diary_tag_codes_become_words():
    assert modality_names(["swedish", "deep_tissue"]) == "Swedish massage, Deep tissue massage"
    assert display.diary_tag("bad_night") == "Bad night"
    # The PDF's table of tags says what the diary form says.
    assert {tag.value: str(tag.label) for tag in Tag} == display.DIARY_TAGS


@pytest.mark.django_db
def test_profile_and_search_show_language_names_and_prices_with_symbols(client):
    therapist = TherapistProfileFactory(languages=["en", "so"], price="75.00")

    profile = client.get(reverse("directory:profile", args=[therapist.pk])).content.decode()
    search = client.get(
        reverse("directory:search"), {"lat": MANCHESTER[0], "lon": MANCHESTER[1]}
    ).content.decode()

    assert "Speaks: English, Somali" in profile
    assert "£75.00" in profile
    assert "GBP" not in profile
    assert "£75.00" in search
    assert "GBP 75.00" not in search


@pytest.mark.django_db
def test_search_offers_languages_by_name(client):
    page = client.get(reverse("directory:search")).content.decode()

    assert '<option value="so">Somali</option>' in page
    assert "Two-letter code" not in page


@pytest.mark.django_db
def test_diary_shows_tags_in_words(client):
    patient = PatientFactory()
    outcomes_services.log_pain(patient=patient, back_pain=6, leg_pain=7, tags=["bad_night"])
    client.force_login(patient)

    page = client.get(reverse("outcomes:diary")).content.decode()

    assert '<span class="badge">Bad night</span>' in page
    assert "bad_night</span>" not in page


def test_a_session_type_reads_with_its_price_in_money():
    session = SessionType(name="Relief", minutes=60, price=Decimal("55.00"), currency="GBP")

    assert str(session) == "Relief (60 min, £55.00)"
