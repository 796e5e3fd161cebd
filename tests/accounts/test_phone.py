"""The mobile number: typed as people type it, read in the country of their time zone, kept in
E.164; a number we cannot text is refused with a reason (the account page and the reminders
page both say it)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sciaticare.accounts.models import User
from sciaticare.accounts.phones import NotAMobileNumber, is_e164, readable, region_of_zone, to_e164
from sciaticare.accounts.services import set_phone
from sciaticare.core.errors import Invalid
from tests.factories import PatientFactory


@pytest.mark.parametrize(
    ("zone", "region"),
    [
        ("Europe/London", "GB"),
        ("Europe/Madrid", "ES"),
        ("America/New_York", "US"),
        ("Atlantic/Canary", "ES"),
        ("UTC", None),
        ("Etc/GMT+5", None),
        # Older names browsers still report (Chromium: Asia/Calcutta for India), found by an
        # outside test: read as the zones they now name.
        ("Asia/Calcutta", "IN"),
        ("Europe/Kiev", "UA"),
        ("Asia/Saigon", "VN"),
        ("America/Buenos_Aires", "AR"),
        ("US/Central", "US"),
        ("GB", "GB"),
        ("Europe/Oslo", "NO"),  # its own country, though its rules are now Berlin's
        ("Etc/UCT", None),
    ],
)
def test_a_zone_gives_its_country(zone, region):
    assert region_of_zone(zone) == region


@pytest.mark.parametrize(
    ("typed", "region", "stored"),
    [
        ("07400 123456", "GB", "+447400123456"),
        ("07400-123-456", "GB", "+447400123456"),
        ("612 34 56 78", "ES", "+34612345678"),
        ("(201) 555-0123", "US", "+12015550123"),
        ("+44 7400 123456", None, "+447400123456"),
        ("0044 7400 123456", "US", "+447400123456"),
        ("+34 612 34 56 78", "GB", "+34612345678"),
    ],
)
def test_numbers_are_kept_in_e164(typed, region, stored):
    assert to_e164(typed, region) == stored
    assert is_e164(stored)


@pytest.mark.parametrize(
    ("typed", "region", "reason"),
    [
        ("07400 123456", None, "no_country"),
        ("12", "GB", "invalid"),
        ("call me", "GB", "invalid"),
        ("+44 7700 900123", None, "invalid"),  # Ofcom's drama range: not a real number
        ("020 7946 0018", "GB", "landline"),
    ],
)
def test_numbers_we_cannot_text_are_refused_with_a_reason(typed, region, reason):
    with pytest.raises(NotAMobileNumber) as refused:
        to_e164(typed, region)
    assert refused.value.reason == reason


def test_a_stored_number_reads_internationally():
    assert readable("+447400123456") == "+44 7400 123456"


@pytest.mark.django_db
def test_the_service_reads_a_national_number_in_the_persons_country_and_removes_it_with_nothing():
    person = PatientFactory(time_zone="Europe/Madrid")

    set_phone(user=person, phone="612 34 56 78")
    assert User.objects.get(pk=person.pk).phone == "+34612345678"

    set_phone(user=person, phone="  ")
    assert User.objects.get(pk=person.pk).phone == ""


@pytest.mark.django_db
def test_the_service_refuses_a_landline_naming_the_field():
    person = PatientFactory(time_zone="Europe/London")

    with pytest.raises(Invalid) as refused:
        set_phone(user=person, phone="020 7946 0018")

    assert refused.value.errors == [
        ("phone", "That is a landline: text reminders need a mobile number.")
    ]


@pytest.mark.django_db
def test_the_account_page_keeps_a_number_and_says_what_is_wrong_with_a_bad_one(client):
    person = PatientFactory(time_zone="Europe/London")
    client.force_login(person)

    page = client.get(reverse("accounts:account"))
    assert "read as a number in United Kingdom" in page.content.decode()

    saved = client.post(reverse("accounts:phone"), {"phone": "07400 123456"})
    assert saved.status_code == 302
    person.refresh_from_db()
    assert person.phone == "+447400123456"
    assert "+44 7400 123456" in client.get(reverse("accounts:account")).content.decode()

    refused = client.post(reverse("accounts:phone"), {"phone": "12345"})
    assert refused.status_code == 400
    assert "That is not a mobile number we can text" in refused.content.decode()
    person.refresh_from_db()
    assert person.phone == "+447400123456"


@pytest.mark.django_db
def test_without_a_country_from_the_zone_the_page_asks_for_the_country_code(client):
    person = PatientFactory(time_zone="UTC")
    client.force_login(person)

    refused = client.post(reverse("accounts:phone"), {"phone": "07400 123456"})

    assert refused.status_code == 400
    assert "Start the number with + and its country code" in refused.content.decode()
