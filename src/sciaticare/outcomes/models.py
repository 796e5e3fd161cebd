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


class ReportStatus(models.TextChoices):
    PENDING = "pending", "Being made"
    READY = "ready", "Ready"
    FAILED = "failed", "Could not be made"


class ProgressReport(models.Model):
    """A PDF progress report a patient asked for, to give their doctor; made by a task."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="progress_reports"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    # Kept in the database like everything else the app keeps (DESIGN.md, Scale).
    pdf = models.BinaryField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["patient", "-requested_at"], name="progressreport_patient")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.READY)
                | Q(pdf__isnull=False, finished_at__isnull=False),
                name="%(app_label)s_%(class)s_ready_has_pdf",
                violation_error_message="A ready report has its PDF and finish time.",
            ),
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status=ReportStatus.PENDING),
                name="%(app_label)s_%(class)s_one_pending",
                violation_error_message="A report is already being made for this patient.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values),
                name="%(app_label)s_%(class)s_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"Report {self.pk} for {self.patient_id} ({self.status})"
