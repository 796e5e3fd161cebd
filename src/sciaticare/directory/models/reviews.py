"""Patients' reviews of a completed session with a therapist."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from sciaticare.directory.models.profiles import TherapistProfile


class Review(models.Model):
    """A patient's rating and words about a completed session; admins may hide it, never edit it.

    ``session`` is the completed appointment reviewed (scheduling's, named by a lazy reference:
    the directory imports nothing of scheduling; docs/architecture.md). Reviews without one
    predate booking (demo data) or outlived their appointment.
    """

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="therapist_reviews"
    )
    therapist = models.ForeignKey(
        TherapistProfile, on_delete=models.CASCADE, related_name="reviews"
    )
    session = models.ForeignKey(
        "scheduling.Appointment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # the unique constraint below is its index
    )
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
                fields=["session"],
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
