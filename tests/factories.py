"""factory_boy factories for people in every role."""

from typing import Any

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from sciaticare.accounts.models import User

PASSWORD = "a-long-test-password-1"


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
