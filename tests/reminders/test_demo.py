"""The demo: its patient chose texts, and `make run`'s console sender prints them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sciaticare.accounts import demo as accounts_demo
from sciaticare.reminders import demo
from sciaticare.reminders.models import Kind
from sciaticare.reminders.selectors import choices_of
from sciaticare.scheduling import notifications
from tests.reminders.conftest import session_for

pytestmark = pytest.mark.django_db


def test_the_demo_patient_gets_session_reminders_by_text_printed_to_the_console(
    clock, settings, capsys
):
    settings.SMS_BACKEND = "console"
    accounts = accounts_demo.seed()
    demo.seed(accounts)
    demo.seed(accounts)  # idempotent
    patient = accounts["patient@example.com"]
    patient.refresh_from_db()
    appointment = session_for(patient, clock.at + timedelta(hours=24))

    assert patient.phone == "+447400123456"
    assert sorted(choices_of(patient)[Kind.APPOINTMENT]) == ["email", "sms"]
    assert notifications.send_reminder.call(appointment.pk, appointment.start.isoformat()) == 2
    printed = capsys.readouterr().out
    assert "--- Text message to +447400123456 ---" in printed
    assert "Sciaticare: Reminder: your massage with Ada Byrne is on Wednesday 15 July" in printed
