"""Book first, explain later (docs/architecture.md): a person with no account books a session
straight after a symptom check whose answers allow massage, giving only a name, an email
address, a mobile number and a password.

One transaction makes the account, the safety intake from the check's answers the person
confirmed (age, onset, every red flag: intake.services.submit_intake) and the booking, which
checks the booking gate against that intake as for anyone. Any refusal (the slot just taken,
the gate, the address taken meanwhile) undoes all three: nothing of the check is stored unless
the person is booked. The rest of the intake is asked after booking, before the session.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from sciaticare.accounts import services as accounts_services
from sciaticare.accounts.selectors import today_for
from sciaticare.intake import services as intake_services
from sciaticare.intake.symptom_check import CheckState
from sciaticare.reminders.models import Channel, Kind
from sciaticare.reminders.services.preferences import choose_channels
from sciaticare.scheduling.models import Appointment
from sciaticare.scheduling.services.booking import book_appointment


def book_as_new_patient(
    *,
    account: accounts_services.NewPatientAccount,
    check: CheckState,
    therapist_id: int,
    start: datetime,
    session_type_id: int | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Make the account, the safety intake and the booking (booked, or held for its deposit),
    all or nothing. `account` comes
    checked from `accounts.services.check_new_patient_account`; `check` is the symptom check
    the person confirmed on the form. Raises what the parts raise: Invalid `check_incomplete`,
    Refused (the booking gate: an unsafe check never books), Conflict `slot_taken` or
    `email_taken`."""
    with transaction.atomic():
        patient = accounts_services.create_patient_account(account=account)
        # The number was given for this: the session's reminders go by text as well as mail.
        choose_channels(user=patient, kind=Kind.APPOINTMENT, channels=(Channel.EMAIL, Channel.SMS))
        intake_services.submit_intake(
            patient=patient,
            data=intake_services.safety_answers_from_check(check, today=today_for(patient)),
        )
        return book_appointment(
            patient=patient,
            therapist_id=therapist_id,
            start=start,
            session_type_id=session_type_id,
            now=now,
        )
