"""Clinics and their locations."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sciaticare.core.names import validate_name, validate_one_line


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            gettext("“%(value)s” is not an IANA time zone name, e.g. Europe/London.")
            % {"value": value}
        )


class Clinic(models.Model):
    """A clinic: an organisation whose therapists see clients at one or more locations."""

    name = models.CharField(max_length=200, validators=[validate_name])
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="administered_clinics",
        blank=True,
        limit_choices_to={"is_clinic_admin": True},
        help_text=_(
            "Clinic admins who verify this clinic's therapists and moderate their reviews."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name=""),
                name="%(app_label)s_%(class)s_name_not_blank",
                violation_error_message="A clinic needs a name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    """A place where a clinic's therapists see clients: address, coordinates, time zone, access."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(
        max_length=120,
        help_text=_("A short name people know, e.g. Didsbury."),
        validators=[validate_name],
    )
    address = models.CharField(max_length=300, validators=[validate_one_line])
    latitude = models.FloatField(validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(validators=[MinValueValidator(-180), MaxValueValidator(180)])
    time_zone = models.CharField(
        max_length=64,
        validators=[validate_time_zone],
        help_text=_("IANA name, e.g. Europe/London."),
    )
    step_free = models.BooleanField(_("step-free access"), default=False)
    parking = models.BooleanField(default=False)
    adjustable_table = models.BooleanField(_("height-adjustable table"), default=False)

    class Meta:
        ordering = ["clinic", "name", "id"]
        indexes = [
            # The radius search's prefilter: a range on latitude, then longitude, from the index.
            models.Index(fields=["latitude", "longitude"], name="directory_location_lat_lon"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90),
                name="%(app_label)s_%(class)s_latitude_range",
                violation_error_message="Latitude must be between -90 and 90.",
            ),
            models.CheckConstraint(
                condition=Q(longitude__gte=-180, longitude__lte=180),
                name="%(app_label)s_%(class)s_longitude_range",
                violation_error_message="Longitude must be between -180 and 180.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clinic.name} – {self.name}"
