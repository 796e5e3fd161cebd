"""Browser journey on a 320 px phone, with axe on every page: a clinic admin finds an invoice
still owed in the takings, records a cash payment against it (a confirmation first), then
refunds part of it with a reason (a confirmation first); the patient's Payments page shows the
card deposit, the cash, the refund and what is still owed, and gives the receipt as a PDF."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import Browser, Page, expect

from sciaticare.billing.models import Payment, PaymentMethod, Refund
from tests.billing.books import UK, books, pay_by_card
from tests.e2e.test_every_page import AXE_RUN, PHONE_WIDTH, WIDE_ELEMENTS, inject_axe
from tests.stripe import StripeServer

pytestmark = pytest.mark.django_db(transaction=True)


def _phone(browser: Browser, live_server: Any, person: Any) -> Page:
    from django.test import Client

    client = Client()
    client.force_login(person)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    # axe is injected as a script, which the site's CSP (rightly) refuses.
    context = browser.new_context(
        bypass_csp=True, viewport={"width": PHONE_WIDTH, "height": 640}, accept_downloads=True
    )
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context.new_page()


def _checked(page: Page) -> None:
    """No axe violation, and nothing wider than the phone."""
    inject_axe(page)
    assert page.evaluate(AXE_RUN) == [], page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH, page.evaluate(
        WIDE_ELEMENTS, PHONE_WIDTH
    )


def test_an_admin_records_cash_and_refunds_it_and_the_patient_sees_it(
    live_server: Any, browser: Browser, settings: Any, stripe_server: StripeServer
) -> None:
    settings.STAFF_MFA_REQUIRED = False  # the admin's session is made here, not by sign-in
    b = books(UK, price="50.00")  # 60.00 with VAT
    pay_by_card(stripe_server, b, "20.00")

    admin = _phone(browser, live_server, b.admin)
    admin.goto(f"{live_server.url}/dashboard/")
    admin.get_by_role("link", name="Takings and payments").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(f"Takings at {b.clinic.name}")
    _checked(admin)
    still_owed = admin.get_by_role("region", name="Still owed")
    expect(still_owed).to_contain_text("£40.00")
    still_owed.get_by_role("link", name=f"Record a payment against {b.invoice.number}").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(
        "Record a payment taken at the clinic"
    )
    _checked(admin)
    admin.get_by_label("Amount (GBP)").fill("40.00")
    admin.get_by_label("Cash").check()
    admin.get_by_role("button", name="Continue").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(
        f"Record £40.00 against {b.invoice.number}?"
    )
    _checked(admin)
    assert not Payment.objects.filter(method=PaymentMethod.CASH).exists()
    admin.get_by_role("button", name="Record the payment").click()
    expect(admin.get_by_text(f"£40.00 (cash) recorded against {b.invoice.number}.")).to_be_visible()
    expect(admin.get_by_text("Balance owed")).to_be_visible()
    _checked(admin)

    admin.get_by_role("link", name="Refund the £40.00 payment").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Refund a payment")
    _checked(admin)
    admin.get_by_label("Amount (GBP)").fill("10.00")
    admin.get_by_label("Reason").fill("Session cut short")
    admin.get_by_role("button", name="Continue").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(
        f"Give back £10.00 to {b.patient.display_name}?"
    )
    _checked(admin)
    assert not Refund.objects.exists()
    admin.get_by_role("button", name="Refund").click()
    expect(admin.get_by_text(f"£10.00 given back to {b.patient.display_name}.")).to_be_visible()
    refund = Refund.objects.get()
    assert (refund.reason, refund.created_by) == ("Session cut short", b.admin)

    patient = _phone(browser, live_server, b.patient)
    patient.goto(f"{live_server.url}/dashboard/")
    patient.get_by_role("link", name="Payments", exact=True).click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Payments")
    clinic = patient.get_by_role("region", name=b.clinic.name)
    expect(clinic).to_contain_text("You owe £10.00.")
    expect(clinic).to_contain_text("Session cut short")
    expect(clinic).to_contain_text("Card (online)")
    _checked(patient)
    with patient.expect_download() as downloading:
        clinic.get_by_role("link", name="Receipt of").first.click()
    with open(downloading.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    clinic.get_by_role("link", name=f"Invoice {b.invoice.number}").click()
    expect(patient.get_by_text("Refund: Session cut short")).to_be_visible()
    _checked(patient)
