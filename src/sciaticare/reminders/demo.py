"""Demo reminders for `manage.py seed_demo`: the demo patient and two others chose text messages
(printed to the console by the demo's sender: `make run` sets SMS_BACKEND=console), with the
numbers libphonenumber gives as its examples, so no real phone is ever named."""

from sciaticare.accounts.models import User
from sciaticare.accounts.services import set_phone
from sciaticare.reminders.models import ChannelChoice, Kind, ReminderSettings

#: (email, mobile number, the kinds that also go by text message)
DEMO_TEXTS = [
    ("patient@example.com", "+447400123456", (Kind.APPOINTMENT, Kind.WAITLIST_OFFER)),
    ("aisha.rahman@example.com", "+447400123457", (Kind.APPOINTMENT, Kind.DIARY_NUDGE)),
    ("tom.becker@example.com", "+447400123458", (Kind.APPOINTMENT,)),
]


def seed(accounts: dict[str, User]) -> None:
    for email, phone, by_text in DEMO_TEXTS:
        person = User.objects.filter(email=email).first()
        if person is None or ChannelChoice.objects.filter(user=person).exists():
            continue
        if not person.phone:
            set_phone(user=person, phone=phone)
        ChannelChoice.objects.bulk_create(
            ChannelChoice(user=person, kind=kind, email=True, sms=kind in by_text) for kind in Kind
        )
        ReminderSettings.objects.get_or_create(
            user=person, defaults={"quiet_start": "22:00", "quiet_end": "08:00"}
        )
