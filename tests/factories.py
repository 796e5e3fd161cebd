"""factory_boy factories: people in every role, and the rows most tests need around them
(appointments, session notes, diary entries)."""

import time
from datetime import timedelta
from typing import Any

import factory
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.utils import timezone

from sciaticare.accounts.models import User
from sciaticare.outcomes.models import PainEntry
from sciaticare.records.models import SessionNote
from sciaticare.scheduling.models import Appointment, AppointmentStatus

PASSWORD = "a-long-test-password-1"


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now for `secret`, still valid when it is posted:
    allauth accepts only the current 30-s period, so in its last 3 s this waits for the next
    (a code read at :29.9 and checked at :30.1 was refused, failing a run now and then)."""
    left = mfa_settings.TOTP_PERIOD - time.time() % mfa_settings.TOTP_PERIOD
    if left < 3:
        time.sleep(left)
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


# Who the role-by-role tests walk, in the order their expected statuses are written: the five
# roles, and a second person of each role who has nothing to do with the first one's patients.
MAIN_ROLES = ("anonymous", "patient", "therapist", "clinic_admin", "site_admin")
ROLES = (
    "anonymous",
    "patient",
    "other_patient",
    "therapist",
    "other_therapist",
    "clinic_admin",
    "other_clinic_admin",
    "site_admin",
)


class UserFactory(factory.django.DjangoModelFactory[User]):
    """A patient with a verified email who can sign in with PASSWORD."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    is_patient = True
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def mfa(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        """Staff are enrolled in TOTP unless `mfa=False`; the secret is kept on `totp_secret`."""
        enrol = self.has_staff_role if extracted is None else extracted
        if create and enrol:
            self.totp_secret = generate_totp_secret()  # type: ignore[attr-defined]
            TOTP.activate(self, self.totp_secret)  # type: ignore[attr-defined]


class PatientFactory(UserFactory):
    pass


class TherapistFactory(UserFactory):
    """A therapist, enrolled in two-factor as the rules require before seeing patient data."""

    is_patient = False
    is_therapist = True


class ClinicAdminFactory(UserFactory):
    is_patient = False
    is_clinic_admin = True


class SiteAdminFactory(UserFactory):
    is_patient = False
    is_superuser = True
    is_staff = True


class AppointmentFactory(factory.django.DjangoModelFactory[Appointment]):
    """An appointment written directly, around the booking rules (past dates, any status): at
    the therapist's first place, for their standard session, tomorrow at 10:00 by default."""

    class Meta:
        model = Appointment

    patient = factory.SubFactory(PatientFactory)
    # A string path: the directory's factories import this module.
    therapist = factory.SubFactory("tests.directory.factories.TherapistProfileFactory")
    location = factory.LazyAttribute(lambda o: o.therapist.locations.first())
    session_type = factory.LazyAttribute(lambda o: o.therapist.session_types.get(is_standard=True))
    start = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=1)).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
    )
    end = factory.LazyAttribute(lambda o: o.start + timedelta(minutes=o.session_type.minutes))
    busy_until = factory.LazyAttribute(lambda o: o.end + timedelta(minutes=15))
    status = AppointmentStatus.BOOKED


class SessionNoteFactory(factory.django.DjangoModelFactory[SessionNote]):
    """A draft note of a completed appointment (``signed=True`` signs and seals it an hour after
    the session)."""

    class Meta:
        model = SessionNote

    class Params:
        signed = factory.Trait(
            signed_at=factory.LazyAttribute(lambda o: o.appointment.end + timedelta(hours=1)),
            signed_by=factory.LazyAttribute(lambda o: o.therapist.user),
            seal="sealed-for-tests",
        )

    appointment = factory.SubFactory(AppointmentFactory, status=AppointmentStatus.COMPLETED)
    therapist = factory.LazyAttribute(lambda o: o.appointment.therapist)
    patient = factory.LazyAttribute(lambda o: o.appointment.patient)


class PainEntryFactory(factory.django.DjangoModelFactory[PainEntry]):
    """A pain diary entry for today."""

    class Meta:
        model = PainEntry

    patient = factory.SubFactory(PatientFactory)
    day = factory.LazyFunction(timezone.localdate)
    back_pain = 5
    leg_pain = 5
