"""The pain diary a patient keeps between sessions, and whether they want a daily nudge."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Tag(models.TextChoices):
    AFTER_MASSAGE = "after_massage", "After massage"
    AFTER_EXERCISE = "after_exercise", "After exercise"
    FLARE_UP = "flare_up", "Flare-up"
    BAD_NIGHT = "bad_night", "Bad night"


class PainEntry(models.Model):
    """One day's back and leg pain (0–10), logged by the patient; editable only that day."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pain_entries"
    )
    day = models.DateField()
    back_pain = models.PositiveSmallIntegerField()
    leg_pain = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=500, blank=True)
    tags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "day"], name="%(app_label)s_%(class)s_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(back_pain__lte=10), name="%(app_label)s_%(class)s_back_0_10"
            ),
            models.CheckConstraint(
                condition=Q(leg_pain__lte=10), name="%(app_label)s_%(class)s_leg_0_10"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} back {self.back_pain} leg {self.leg_pain}"


class DiaryPreference(models.Model):
    """Whether the patient gets a daily email nudge to log their pain (off unless they ask)."""

    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="diary_preference"
    )
    daily_nudge = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"nudge {'on' if self.daily_nudge else 'off'} for {self.patient_id}"
