"""The evening nudge reaches only patients who asked for it and have not logged today."""

import pytest
from django.core import mail
from django.core.management import call_command

from sciaticare.outcomes import services
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_nudges_go_to_those_who_asked_and_have_not_logged():
    wants, logged, quiet = PatientFactory(), PatientFactory(), PatientFactory()
    services.set_daily_nudge(patient=wants, on=True)
    services.set_daily_nudge(patient=logged, on=True)
    services.log_pain(patient=logged, back_pain=3, leg_pain=2)

    call_command("send_diary_nudges")

    assert [m.to for m in mail.outbox] == [[wants.email]]
    assert "/diary/" in mail.outbox[0].body
    assert quiet.email not in str([m.to for m in mail.outbox])


def test_switching_the_nudge_off_stops_it():
    patient = PatientFactory()
    services.set_daily_nudge(patient=patient, on=True)
    services.set_daily_nudge(patient=patient, on=False)

    call_command("send_diary_nudges")

    assert mail.outbox == []
