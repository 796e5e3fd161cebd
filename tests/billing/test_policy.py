"""A clinic's payment policy: set by its own clinic admins (page and API), checked as a whole
(amounts not negative, percentages 0–100, an ISO 4217 currency that every session of the clinic
is priced in), saved with the cancellation window the booking rules own, and audited."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from sciaticare.audit.models import AuditEvent
from sciaticare.billing.models import PaymentPolicy
from sciaticare.billing.selectors import policy_of, saved_policy
from sciaticare.billing.services.policy import PolicyValues, save_policy
from sciaticare.core.errors import Invalid
from sciaticare.scheduling.models import BookingPolicy
from tests.factories import ClinicAdminFactory, SiteAdminFactory
from tests.scheduling.helpers import working_therapist

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic() -> Any:
    return working_therapist()[2].clinic  # a £50.00 standard session (GBP)


@pytest.fixture
def admin(clinic: Any) -> Any:
    person = ClinicAdminFactory()
    clinic.admins.add(person)
    return person


def values(**changes: Any) -> PolicyValues:
    fields: dict[str, Any] = {
        "currency": "GBP",
        "deposit": "percent",
        "deposit_percent": Decimal(20),
        "cancellation_window_hours": 48,
        "late_cancel_fee": Decimal("20.00"),
        "no_show_fee": Decimal("30.00"),
        "pay_at_booking": True,
        "tax_percent": Decimal(0),
        "legal_name": "Riverside Massage Ltd",
    }
    fields.update(changes)
    return PolicyValues(**fields)


def _errors(clinic: Any, admin: Any, **changes: Any) -> dict[str, str]:
    with pytest.raises(Invalid) as refused:
        save_policy(clinic=clinic, values=values(**changes), by=admin)
    return dict(refused.value.errors)


def test_a_policy_is_saved_with_its_cancellation_window_and_audited(clinic, admin) -> None:
    policy = save_policy(clinic=clinic, values=values(), by=admin)

    assert PaymentPolicy.objects.get(clinic=clinic) == policy
    assert (policy.deposit, policy.deposit_percent, policy.late_cancel_fee) == (
        "percent",
        Decimal(20),
        Decimal("20.00"),
    )
    assert BookingPolicy.objects.get(clinic=clinic).cancellation_window_hours == 48
    assert set(AuditEvent.objects.filter(actor=admin).values_list("action", flat=True)) == {
        "billing.policy",
        "booking_policy.update",
    }


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"late_cancel_fee": Decimal("-1")}, "late_cancel_fee", "never negative"),
        ({"no_show_fee": Decimal("1.005")}, "no_show_fee", "decimal places"),
        ({"deposit_percent": Decimal(101)}, "deposit_percent", "at most 100"),
        ({"deposit_percent": Decimal(0)}, "deposit_percent", "more than 0"),
        ({"tax_percent": Decimal(-5)}, "tax_percent", "greater than or equal to 0"),
        ({"currency": "ZZZ"}, "currency", "not an ISO 4217"),
        ({"deposit": "half"}, "deposit", "Choose none"),
        ({"cancellation_window_hours": 999}, "cancellation_window_hours", "from 0 to 336"),
        ({"npi": "123"}, "npi", "ten digits"),
        ({"processor_account": "me"}, "processor_account", "acct_"),
        ({"country": "ZZ"}, "country", "not an ISO 3166"),
        ({"legal_name": "Riverside\r\nLtd"}, "legal_name", "one line"),
        ({"tax_number": "GB\u0000123"}, "tax_number", "one line"),
        ({"address": "1 River St\u202e\nLondon"}, "address", "invisible"),
        ({"no_show_fee": Decimal("999999.99"), "tax_percent": Decimal(20)}, "no_show_fee", "tax"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_a_wrong_field_is_named(clinic, admin, changes, field, words) -> None:
    errors = _errors(clinic, admin, **changes)
    assert field in errors
    assert words in errors[field]
    assert not PaymentPolicy.objects.filter(clinic=clinic).exists()


def test_sessions_priced_in_another_currency_are_named(clinic, admin) -> None:
    errors = _errors(clinic, admin, currency="EUR")
    assert "Sciatica relief massage of" in errors["currency"]
    assert "(GBP)" in errors["currency"]


def test_a_deposit_of_none_or_the_full_price_keeps_no_percentage(clinic, admin) -> None:
    policy = save_policy(clinic=clinic, values=values(deposit="full"), by=admin)
    assert policy.deposit_percent == 0


# --- API ---------------------------------------------------------------------------------------


def _put(client: Any, clinic: Any, body: dict[str, Any]) -> Any:
    return client.put(
        f"/api/v1/clinics/{clinic.pk}/payment-policy",
        data=json.dumps(body),
        content_type="application/json",
    )


def test_the_api_reads_the_defaults_then_changes_what_is_given(client, clinic, admin) -> None:
    client.force_login(admin)
    before = client.get(f"/api/v1/clinics/{clinic.pk}/payment-policy").json()
    assert (before["deposit"], before["cancellation_window_hours"], before["no_show_fee"]) == (
        "none",
        24,
        {"amount": "0.00", "currency": "GBP"},
    )

    answer = _put(
        client,
        clinic,
        {
            "deposit": "percent",
            "deposit_percent": "20",
            "cancellation_window_hours": 48,
            "late_cancel_fee": {"amount": "20.00", "currency": "GBP"},
            "pay_at_booking": True,
        },
    )

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["deposit"] == "percent"
    assert body["deposit_percent"] == "20.00"
    assert body["late_cancel_fee"] == {"amount": "20.00", "currency": "GBP"}
    assert body["cancellation_window_hours"] == 48
    assert body["takes_deposit_online"] is False  # no card processor in this test
    assert client.get(f"/api/v1/clinics/{clinic.pk}/payment-policy").json() == body


@pytest.mark.parametrize(
    "body",
    [
        {"late_cancel_fee": {"amount": "-1.00", "currency": "GBP"}},
        {"late_cancel_fee": {"amount": 20.5, "currency": "GBP"}},
        {"late_cancel_fee": {"amount": "20.00", "currency": "EUR"}},
        {"deposit_percent": "150", "deposit": "percent"},
        {"currency": "gbp"},
        {"colour": "green"},
        {"late_cancel_fee": {"amount": "20\u0661", "currency": "GBP"}},
        {"deposit_percent": "\u0665\u0660", "deposit": "percent"},
    ],
    ids=[
        "negative",
        "float",
        "other-currency",
        "percent",
        "lower-case",
        "unknown-field",
        "arabic-indic-digit",
        "arabic-indic-percent",
    ],
)
def test_the_api_refuses_bad_money_with_a_422(client, clinic, admin, body) -> None:
    client.force_login(admin)
    answer = _put(client, clinic, body)
    assert answer.status_code == 422, answer.content
    assert answer.json()["errors"]
    assert not PaymentPolicy.objects.filter(clinic=clinic).exists()


def test_only_the_clinics_own_admins_see_its_policy(client, clinic) -> None:
    other = ClinicAdminFactory()
    working_therapist()[2].clinic.admins.add(other)
    for who in (other, SiteAdminFactory(), clinic.therapists.first().user):
        client.force_login(who)
        assert client.get(f"/api/v1/clinics/{clinic.pk}/payment-policy").status_code == 404
        assert _put(client, clinic, {"deposit": "full"}).status_code == 404
    assert not PaymentPolicy.objects.exists()


# --- The page ----------------------------------------------------------------------------------


def _form(**changes: str) -> dict[str, str]:
    form = {
        "currency": "GBP",
        "deposit": "percent",
        "deposit_percent": "20",
        "pay_at_booking": "online",
        "cancellation_window_hours": "24",
        "late_cancel_fee": "20.00",
        "no_show_fee": "30.00",
        "tax_percent": "0",
        "country": "GB",
    }
    form.update(changes)
    return form


def test_the_page_saves_the_policy(client, clinic, admin) -> None:
    client.force_login(admin)
    url = f"/billing/clinics/{clinic.pk}/payment-policy/"
    assert "saving this policy switches" in client.get(url).content.decode()

    answer = client.post(url, _form())

    assert answer.status_code == 302
    policy = PaymentPolicy.objects.get(clinic=clinic)
    assert (policy.pay_at_booking, policy.no_show_fee) == (True, Decimal("30.00"))


def test_the_page_says_what_is_wrong(client, clinic, admin) -> None:
    client.force_login(admin)
    answer = client.post(f"/billing/clinics/{clinic.pk}/payment-policy/", _form(currency="EUR"))
    assert answer.status_code == 422
    assert "priced in another currency than EUR" in answer.content.decode()
    assert not PaymentPolicy.objects.exists()


@pytest.mark.parametrize("typed", ["\uff11\uff10", "\u0665", "1e1", "ten"])
def test_the_page_takes_amounts_in_plain_figures_only(client, clinic, admin, typed) -> None:
    client.force_login(admin)
    answer = client.post(f"/billing/clinics/{clinic.pk}/payment-policy/", _form(no_show_fee=typed))
    assert answer.status_code in (400, 422)
    assert "Give a number in figures" in answer.content.decode()
    assert not PaymentPolicy.objects.exists()


def _fresh(clinic: Any) -> Any:
    return type(clinic).objects.get(pk=clinic.pk)  # nothing related read yet


def test_the_saved_policy_is_read_once_per_clinic_and_none_until_saved(
    clinic, admin, django_assert_num_queries
):
    unsaved = _fresh(clinic)
    with django_assert_num_queries(1):
        assert saved_policy(unsaved) is None
        assert saved_policy(unsaved) is None  # the "none" is kept on the clinic
    assert policy_of(unsaved).pk is None  # the unsaved defaults, which are not a saved policy
    assert saved_policy(unsaved) is None

    made = save_policy(clinic=clinic, values=values(deposit="full"), by=admin)
    saved = _fresh(clinic)
    with django_assert_num_queries(1):
        found = saved_policy(saved)
        assert saved_policy(saved) is found
        assert found.clinic is saved  # no read of the clinic again
    fields = [f.attname for f in PaymentPolicy._meta.concrete_fields]
    assert [getattr(found, f) for f in fields] == [getattr(made, f) for f in fields]
    assert saved.payment_policy is found  # as the ORM's own accessor keeps it
