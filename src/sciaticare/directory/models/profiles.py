"""Therapists' directory profiles, the places they work at and their session types.

A few columns on :class:`TherapistProfile` are derived (licence summary, review figures): the
services keep them in sync so that a radius search reads one row per therapist without joining
credentials or reviews (docs/architecture.md, "Directory").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sciaticare.core.display import money
from sciaticare.core.names import validate_name
from sciaticare.directory.models.places import Clinic, Location
from sciaticare.directory.ranking import MODALITIES

#: Where a therapist may be mobile: at most this far from their base.
MAX_SERVICE_RADIUS_KM = 100
#: Longest and shortest bookable session, in minutes.
MIN_SESSION_MINUTES, MAX_SESSION_MINUTES = 15, 240


def _modality_field(code: str) -> models.BooleanField:
    return models.BooleanField(MODALITIES[code], default=False)


class TherapistProfile(models.Model):
    """A massage therapist's entry in the directory: what they offer, where, and their record.

    Modalities are one boolean column each (``offers_<code>`` for the codes of
    ``ranking.MODALITIES``): filtering by one modality is a test on the row the search has
    already read, with no join and no JSON parsing, on SQLite and PostgreSQL alike.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="therapist_profile"
    )
    bio = models.TextField(max_length=4000, blank=True)
    offers_swedish = _modality_field("swedish")
    offers_deep_tissue = _modality_field("deep_tissue")
    offers_trigger_point = _modality_field("trigger_point")
    offers_myofascial_release = _modality_field("myofascial_release")
    offers_neuromuscular = _modality_field("neuromuscular")
    offers_sports = _modality_field("sports")
    offers_prenatal = _modality_field("prenatal")
    years_experience = models.PositiveSmallIntegerField(
        _("years in practice"), default=0, validators=[MaxValueValidator(70)]
    )
    years_sciatica = models.PositiveSmallIntegerField(
        _("years treating sciatica or low-back pain"), default=0, validators=[MaxValueValidator(70)]
    )
    languages = models.JSONField(
        default=list,
        blank=True,
        help_text=_("ISO 639-1 codes of the languages spoken, e.g. en, pl."),
    )
    accepting_new_patients = models.BooleanField(default=True)
    is_mobile = models.BooleanField(_("visits clients at home"), default=False)
    service_radius_km = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SERVICE_RADIUS_KM)],
        help_text=_("How far from their base a mobile therapist travels."),
    )
    base_latitude = models.FloatField(null=True, blank=True)
    base_longitude = models.FloatField(null=True, blank=True)
    clinics = models.ManyToManyField(Clinic, related_name="therapists", blank=True)
    locations = models.ManyToManyField(
        Location, through="TherapistLocation", related_name="therapists", blank=True
    )

    # Derived columns, written only by services (see the module docstring).
    licence_verified_on = models.DateField(
        null=True, blank=True, editable=False, help_text=_("When the current licence was verified.")
    )
    licence_expires_on = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text=_("Its expiry (empty: it does not expire)."),
    )
    review_count = models.PositiveIntegerField(default=0, editable=False)
    review_mean = models.FloatField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # Mobile therapists' bases, prefiltered like locations.
            models.Index(
                fields=["base_latitude", "base_longitude"], name="directory_profile_base_latlon"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(years_sciatica__lte=models.F("years_experience")),
                name="%(app_label)s_%(class)s_sciatica_within_practice",
                violation_error_message="Years treating sciatica cannot exceed years in practice.",
            ),
            models.CheckConstraint(
                condition=Q(is_mobile=False)
                | Q(
                    base_latitude__isnull=False,
                    base_longitude__isnull=False,
                    service_radius_km__isnull=False,
                ),
                name="%(app_label)s_%(class)s_mobile_has_base",
                violation_error_message="A mobile therapist needs a base and a service radius.",
            ),
            models.CheckConstraint(
                condition=Q(base_latitude__isnull=True)
                | Q(base_latitude__gte=-90, base_latitude__lte=90),
                name="%(app_label)s_%(class)s_base_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(base_longitude__isnull=True)
                | Q(base_longitude__gte=-180, base_longitude__lte=180),
                name="%(app_label)s_%(class)s_base_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(service_radius_km__isnull=True)
                | Q(service_radius_km__gte=1, service_radius_km__lte=MAX_SERVICE_RADIUS_KM),
                name="%(app_label)s_%(class)s_service_radius_range",
            ),
            models.CheckConstraint(
                condition=Q(review_mean__isnull=True) | Q(review_mean__gte=1, review_mean__lte=5),
                name="%(app_label)s_%(class)s_review_mean_range",
            ),
        ]

    def __str__(self) -> str:
        return self.user.display_name

    @property
    def name(self) -> str:
        return self.user.get_full_name() or gettext("Therapist")

    @property
    def initials(self) -> str:
        """For the avatar: profiles carry no photo (docs/architecture.md, "Directory")."""
        parts = [self.user.first_name, self.user.last_name]
        return "".join(part[:1].upper() for part in parts if part) or "?"

    @property
    def modalities(self) -> frozenset[str]:
        return frozenset(code for code in MODALITIES if getattr(self, f"offers_{code}"))

    def licence_valid_on(self, day: Any) -> bool:
        """Whether a verified licence is in force on ``day`` (what search lists by default)."""
        if self.licence_verified_on is None:
            return False
        return self.licence_expires_on is None or self.licence_expires_on >= day


class TherapistLocation(models.Model):
    """That a therapist works at one of their clinics' locations."""

    therapist = models.ForeignKey(TherapistProfile, on_delete=models.CASCADE)
    location = models.ForeignKey(Location, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["therapist", "location"], name="%(app_label)s_%(class)s_unique"
            ),
        ]
        indexes = [
            # The search goes from a location to its therapists, from the index alone.
            models.Index(fields=["location", "therapist"], name="directory_tl_loc_therapist"),
        ]

    def __str__(self) -> str:
        return f"{self.therapist_id} at {self.location_id}"


class SessionType(models.Model):
    """A kind of session a therapist offers, with its length and price; one is their standard."""

    therapist = models.ForeignKey(
        TherapistProfile, on_delete=models.CASCADE, related_name="session_types"
    )
    name = models.CharField(max_length=80, validators=[validate_name])
    minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(MIN_SESSION_MINUTES), MaxValueValidator(MAX_SESSION_MINUTES)]
    )
    price = models.DecimalField(
        max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(
        max_length=3,
        default="GBP",
        validators=[
            RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code, e.g. GBP."))
        ],
    )
    is_standard = models.BooleanField(
        default=False, help_text=_("The session search shows and filters by price on.")
    )

    class Meta:
        ordering = ["therapist", "-is_standard", "minutes", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["therapist"],
                condition=Q(is_standard=True),
                name="%(app_label)s_%(class)s_one_standard",
                violation_error_message="A therapist has one standard session.",
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=MIN_SESSION_MINUTES, minutes__lte=MAX_SESSION_MINUTES),
                name="%(app_label)s_%(class)s_minutes_range",
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0), name="%(app_label)s_%(class)s_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.minutes} min, {money(self.price, self.currency)})"
