"""Clinics and their locations, therapists' directory profiles, credentials, reviews, and the
flare-up plans patients make from them.

A few columns on :class:`TherapistProfile` are derived (licence summary, review figures): the
services in ``services.py`` keep them in sync so that a radius search reads one row per
therapist without joining credentials or reviews (docs/architecture.md, "Directory").
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from sciaticare.directory.ranking import MODALITIES
from sciaticare.display import money
from sciaticare.names import validate_name, validate_one_line

#: Where a therapist may be mobile: at most this far from their base.
MAX_SERVICE_RADIUS_KM = 100
#: Longest and shortest bookable session, in minutes.
MIN_SESSION_MINUTES, MAX_SESSION_MINUTES = 15, 240
#: A patient's flare-up plan holds the preferred therapist and up to three backups.
PLAN_SIZE = 4


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not an IANA time zone name, e.g. Europe/London.")


class Clinic(models.Model):
    """A clinic: an organisation whose therapists see clients at one or more locations."""

    name = models.CharField(max_length=200, validators=[validate_name])
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="administered_clinics",
        blank=True,
        limit_choices_to={"is_clinic_admin": True},
        help_text="Clinic admins who verify this clinic's therapists and moderate their reviews.",
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
        help_text="A short name people know, e.g. Didsbury.",
        validators=[validate_name],
    )
    address = models.CharField(max_length=300, validators=[validate_one_line])
    latitude = models.FloatField(validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(validators=[MinValueValidator(-180), MaxValueValidator(180)])
    time_zone = models.CharField(
        max_length=64, validators=[validate_time_zone], help_text="IANA name, e.g. Europe/London."
    )
    step_free = models.BooleanField("step-free access", default=False)
    parking = models.BooleanField(default=False)
    adjustable_table = models.BooleanField("height-adjustable table", default=False)

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
        "years in practice", default=0, validators=[MaxValueValidator(70)]
    )
    years_sciatica = models.PositiveSmallIntegerField(
        "years treating sciatica or low-back pain", default=0, validators=[MaxValueValidator(70)]
    )
    languages = models.JSONField(
        default=list, blank=True, help_text="ISO 639-1 codes of the languages spoken, e.g. en, pl."
    )
    accepting_new_patients = models.BooleanField(default=True)
    is_mobile = models.BooleanField("visits clients at home", default=False)
    service_radius_km = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SERVICE_RADIUS_KM)],
        help_text="How far from their base a mobile therapist travels.",
    )
    base_latitude = models.FloatField(null=True, blank=True)
    base_longitude = models.FloatField(null=True, blank=True)
    clinics = models.ManyToManyField(Clinic, related_name="therapists", blank=True)
    locations = models.ManyToManyField(
        Location, through="TherapistLocation", related_name="therapists", blank=True
    )

    # Derived columns, written only by services (see the module docstring).
    licence_verified_on = models.DateField(
        null=True, blank=True, editable=False, help_text="When the current licence was verified."
    )
    licence_expires_on = models.DateField(
        null=True, blank=True, editable=False, help_text="Its expiry (empty: it does not expire)."
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
        return self.user.get_full_name() or "Therapist"

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
        validators=[RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 code, e.g. GBP.")],
    )
    is_standard = models.BooleanField(
        default=False, help_text="The session search shows and filters by price on."
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


class CredentialKind(models.TextChoices):
    LICENCE = "licence", "Licence"
    CERTIFICATION = "certification", "Certification"


class CredentialStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a check"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Expired"


class DocumentType(models.TextChoices):
    PDF = "pdf", "PDF"
    PNG = "png", "PNG image"
    JPEG = "jpeg", "JPEG image"


class CredentialManager(models.Manager["Credential"]):
    """Credentials without their document bytes, which load only when read."""

    def get_queryset(self) -> models.QuerySet[Credential]:
        return super().get_queryset().defer("document")


class Credential(models.Model):
    """A licence or certification a therapist holds, its proof, and whether it was checked.

    The document is kept in its row, like everything else the app keeps (docs/scale.md, "No local files"):
    every app machine can serve it and a backup holds it. It is only ever sent by a view that
    checks who asks, has no URL of its own, and the default manager leaves it out of every
    read (``CredentialManager``): a list never carries up to 5 MB a row, and only the view that
    sends it loads it.
    """

    therapist = models.ForeignKey(
        TherapistProfile, on_delete=models.CASCADE, related_name="credentials"
    )
    kind = models.CharField(max_length=16, choices=CredentialKind.choices)
    title = models.CharField(
        max_length=120,
        help_text="e.g. Licensed Massage Therapist, CNHC registration.",
        validators=[validate_one_line],
    )
    number = models.CharField(max_length=60, validators=[validate_one_line])
    issuing_body = models.CharField(max_length=200, validators=[validate_one_line])
    jurisdiction = models.CharField(max_length=120, blank=True, validators=[validate_one_line])
    expires_on = models.DateField(null=True, blank=True, help_text="Empty if it never expires.")
    document = models.BinaryField(editable=False)
    document_type = models.CharField(max_length=8, choices=DocumentType.choices)
    document_size = models.PositiveIntegerField()
    status = models.CharField(
        max_length=16, choices=CredentialStatus.choices, default=CredentialStatus.PENDING
    )
    # Who verified or rejected it, and when.
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CredentialManager()

    class Meta:
        ordering = ["therapist", "-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["therapist", "kind", "status"], name="directory_credential_status"
            ),
            models.Index(fields=["status", "expires_on"], name="directory_credential_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CredentialStatus.values),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=CredentialKind.values),
                name="%(app_label)s_%(class)s_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=CredentialStatus.PENDING)
                | Q(checked_by__isnull=False, checked_at__isnull=False)
                | Q(status=CredentialStatus.EXPIRED, checked_at__isnull=True),
                name="%(app_label)s_%(class)s_checked_has_who_and_when",
                violation_error_message="A verified or rejected credential records who and when.",
            ),
            models.CheckConstraint(
                condition=~Q(status=CredentialStatus.REJECTED) | ~Q(rejection_reason=""),
                name="%(app_label)s_%(class)s_rejection_has_reason",
                violation_error_message="A rejection states its reason.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number} ({self.get_status_display()})"


class Review(models.Model):
    """A patient's rating and words about a completed session; admins may hide it, never edit it.

    ``session_id`` names the completed session (an appointment): it becomes a foreign key to
    ``scheduling.Appointment`` when scheduling exists (``directory/sessions.py``). Reviews
    without one predate booking (demo data).
    """

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="therapist_reviews"
    )
    therapist = models.ForeignKey(
        TherapistProfile, on_delete=models.CASCADE, related_name="reviews"
    )
    session_id = models.PositiveBigIntegerField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hidden_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["therapist", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["therapist", "-created_at"], name="directory_review_therapist"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5),
                name="%(app_label)s_%(class)s_rating_1_to_5",
                violation_error_message="A rating is 1 to 5 stars.",
            ),
            models.UniqueConstraint(
                fields=["session_id"],
                name="%(app_label)s_%(class)s_one_per_session",
                violation_error_message="This session has already been reviewed.",
            ),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True, hidden_by__isnull=True, hidden_reason="")
                | (Q(hidden_at__isnull=False, hidden_by__isnull=False) & ~Q(hidden_reason="")),
                name="%(app_label)s_%(class)s_hidden_has_who_when_why",
                violation_error_message="Hiding a review records who, when and why.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}★ for {self.therapist_id} ({self.created_at:%Y-%m-%d})"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class FlareUpPlanEntry(models.Model):
    """A therapist in a patient's flare-up plan: rank 0 is the preferred one, 1 to 3 backups."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flare_up_plan"
    )
    therapist = models.ForeignKey(TherapistProfile, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["patient", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "rank"], name="%(app_label)s_%(class)s_unique_rank"
            ),
            models.UniqueConstraint(
                fields=["patient", "therapist"],
                name="%(app_label)s_%(class)s_unique_therapist",
                violation_error_message="This therapist is already in the plan.",
            ),
            models.CheckConstraint(
                condition=Q(rank__gte=0, rank__lt=PLAN_SIZE),
                name="%(app_label)s_%(class)s_rank_range",
                violation_error_message="A plan holds a preferred therapist and three backups.",
            ),
        ]

    def __str__(self) -> str:
        return f"plan of {self.patient_id}: #{self.rank} {self.therapist_id}"

    @property
    def is_preferred(self) -> bool:
        return self.rank == 0


#: ``SearchEntry.licence_valid_until`` of a verified licence that does not expire.
NO_EXPIRY = date(9999, 12, 31)


class SearchEntry(models.Model):
    """One place where a therapist can be met — a location they work at, or their base for
    home visits — with everything the radius search filters and ranks on (derived data).

    Why a table of copies: a search near a city centre meets thousands of therapists and shows
    20. Reading each one's profile, user and session rows to filter and score them costs a
    lookup per candidate; with these rows, and ``directory_search_covering`` holding every
    column the ranked statement reads, the search reads index entries only
    (docs/architecture.md, "Directory").

    Rows exist for active therapists' places only. They are written by
    ``search_table.refresh`` in the same transaction as every change to an input (the
    services, the admin, a user's ``is_active``) and by ``search_table.rebuild``; nothing else
    writes them.
    """

    therapist = models.ForeignKey(TherapistProfile, on_delete=models.CASCADE, related_name="+")
    # None: a home visit from the therapist's base.
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    latitude = models.FloatField()
    longitude = models.FloatField()
    # How far from this place the therapist sees a client: their service radius for home
    # visits; None at premises (the search radius alone decides).
    reach_km = models.FloatField(null=True, blank=True)
    #: Bit ``i`` set when the therapist offers the ``i``-th modality of ``ranking.MODALITIES``.
    modalities = models.PositiveIntegerField(default=0)
    #: ISO 639-1 codes between commas (",en,pl,"), so one ``LIKE`` tests one language.
    languages = models.CharField(max_length=200, default=",")
    #: The standard session's price (None: no standard session, so no ``max_price`` match).
    standard_price = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    # A home visit meets step-free and parking; nobody has checked a portable table.
    step_free = models.BooleanField(default=False)
    parking = models.BooleanField(default=False)
    adjustable_table = models.BooleanField(default=False)
    accepting_new = models.BooleanField(default=True)
    #: Last day the verified licence is in force (``NO_EXPIRY`` when it does not expire);
    #: None when no licence is verified. Search compares it with today itself.
    licence_valid_until = models.DateField(null=True, blank=True)
    #: The therapist-only terms of ``ranking.score`` (sciatica, experience, reviews), weighted
    #: by ``ranking.DEFAULT_WEIGHTS`` and summed: ``ranking.therapist_part``.
    therapist_score = models.FloatField(default=0.0)
    #: The outcome term's value in [0, 1]; the prior (``ranking.unwired_term_values``) until
    #: outcomes supply a per-therapist figure (``search_table._outcome_terms``).
    outcome_term = models.FloatField(default=0.0)

    class Meta:
        indexes = [
            # Covering: the ranked statement reads every column it needs from this index, in a
            # range scan on latitude (longitude tested in the entry), with no table lookups.
            models.Index(
                fields=[
                    "latitude",
                    "longitude",
                    "modalities",
                    "licence_valid_until",
                    "therapist",
                    "reach_km",
                    "therapist_score",
                    "outcome_term",
                    "accepting_new",
                    "step_free",
                    "parking",
                    "adjustable_table",
                    "standard_price",
                    "languages",
                ],
                name="directory_search_covering",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["therapist", "location"],
                name="%(app_label)s_%(class)s_one_per_location",
            ),
            models.UniqueConstraint(
                fields=["therapist"],
                condition=Q(location__isnull=True),
                name="%(app_label)s_%(class)s_one_home_visit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.therapist_id} at {self.location_id or 'home visits'}"


def modality_bits(codes: Iterable[str]) -> int:
    """``SearchEntry.modalities`` for these codes: bit ``i`` for the ``i``-th of MODALITIES."""
    wanted = set(codes)
    return sum(1 << i for i, code in enumerate(MODALITIES) if code in wanted)
