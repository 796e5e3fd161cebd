"""People who use Sciaticare, the roles they hold, and the API tokens their programs use."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sciaticare.accounts.phones import E164_LENGTH, is_e164
from sciaticare.core.names import validate_name, validate_one_line
from sciaticare.core.time import is_time_zone


class Role(models.TextChoices):
    PATIENT = "patient", _("Patient")
    THERAPIST = "therapist", _("Massage therapist")
    CLINIC_ADMIN = "clinic_admin", _("Clinic admin")
    SITE_ADMIN = "site_admin", _("Site admin")


# Roles that see other people's health data: they must use two-factor authentication and
# their sessions end after 30 idle minutes.
STAFF_ROLES = frozenset({Role.THERAPIST, Role.CLINIC_ADMIN, Role.SITE_ADMIN})


def site_time_zone() -> str:
    """The zone of a person who has not said theirs: the site's (settings.TIME_ZONE)."""
    return str(settings.TIME_ZONE)


def validate_time_zone(value: str) -> None:
    if not is_time_zone(value):
        raise ValidationError(
            gettext("%(value)s is not a time zone; use an IANA name such as Europe/London."),
            code="invalid_time_zone",
            params={"value": value},
        )


def validate_phone(value: str) -> None:
    if value and not is_e164(value):
        raise ValidationError(
            _("%(value)s is not a phone number in international form, e.g. +447400123456."),
            code="invalid_phone",
            params={"value": value},
        )


class UserManager(DjangoUserManager["User"]):
    """Creates users keyed by email; there is no username."""

    def _create_user_object(self, email: str, password: str | None, **extra_fields: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.password = ""
        user.set_password(password)
        return user

    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        user = self._create_user_object(email, password, **extra_fields)
        user.save(using=self._db)
        return user

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> User:
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person with a Sciaticare account; the email address is the login.

    A person can hold several roles at once (a therapist can also be a patient). A site admin
    is a Django superuser.
    """

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    first_name = models.CharField(
        _("first name"), max_length=150, blank=True, validators=[validate_name]
    )
    last_name = models.CharField(
        _("last name"), max_length=150, blank=True, validators=[validate_name]
    )
    is_patient = models.BooleanField(default=True)
    is_therapist = models.BooleanField(default=False)
    is_clinic_admin = models.BooleanField(default=False)
    # Whose day is "today" for this person (docs/architecture.md, "The person's own day"): the
    # browser's zone at sign-up, changed on the account page or the API.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=site_time_zone,
        validators=[validate_time_zone],
        help_text=_("IANA name, e.g. Europe/London."),
    )
    # The language of the pages once signed in, and of every mail, SMS and push sent to this
    # person (docs/i18n.md): the browser's at sign-up, changed with the language switcher.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # A mobile number for text reminders (the reminders app), in E.164 ("+447400123456"):
    # typed in any format on the account page, read in the country of the person's time zone
    # (accounts/phones.py). Empty: no texts.
    phone = models.CharField(
        _("mobile number"), max_length=E164_LENGTH, blank=True, validators=[validate_phone]
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email

    @property
    def roles(self) -> frozenset[Role]:
        held = {
            Role.PATIENT: self.is_patient,
            Role.THERAPIST: self.is_therapist,
            Role.CLINIC_ADMIN: self.is_clinic_admin,
            Role.SITE_ADMIN: self.is_superuser,
        }
        return frozenset(role for role, has in held.items() if has)

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    @property
    def has_staff_role(self) -> bool:
        return bool(self.roles & STAFF_ROLES)


class ApiToken(models.Model):
    """A bearer token a user made for a program; only its SHA-256 digest is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, validators=[validate_one_line])
    # The first characters, shown on the account page so a person can tell tokens apart.
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Every token ends (settings.API_TOKEN_LIFETIME_DAYS after it was made, 90 by default); a
    # password change or reset, or asking to delete the account, revokes it sooner.
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="%(app_label)s_%(class)s_expires_after_made",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired
