"""The pain diary a patient keeps between sessions, and whether they want a daily nudge."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sciaticare.core.generated import GeneratedFile
from sciaticare.outcomes.practice import MIN_PATIENTS


class Tag(models.TextChoices):
    AFTER_MASSAGE = "after_massage", _("After massage")
    AFTER_EXERCISE = "after_exercise", _("After exercise")
    FLARE_UP = "flare_up", _("Flare-up")
    BAD_NIGHT = "bad_night", _("Bad night")


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
    # The offline diary (docs/offline.md): the id the person's device gave the write this row
    # now holds, and when they made it there. Null for a write made on the page or by the API's
    # POST. A retry of that write finds its id here and stores nothing.
    client_id = models.UUIDField(null=True, blank=True)
    client_made_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["day"]
        indexes = [
            # The outcome reports (practice_query) read each course's diary windows from the
            # index alone: a patient's entries lie scattered over the table, one row a day among
            # everyone's. Pains as key columns rather than INCLUDE, which SQLite lacks.
            models.Index(
                fields=["patient", "day", "back_pain", "leg_pain"],
                name="painentry_patient_day_pain",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "day"], name="%(app_label)s_%(class)s_one_per_day"
            ),
            models.UniqueConstraint(
                fields=["patient", "client_id"], name="%(app_label)s_%(class)s_one_per_client_id"
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

    @property
    def written_at(self) -> datetime:
        """When the person made the write this row holds: on their device for a synced write,
        else when the server saved it. Two devices' writes of one day are ordered by it."""
        return self.client_made_at if self.client_id and self.client_made_at else self.updated_at


class DiaryPreference(models.Model):
    """Whether the patient gets a daily email nudge to log their pain (off unless they ask)."""

    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="diary_preference"
    )
    daily_nudge = models.BooleanField(default=False)
    # The patient's own day (their zone) the last nudge went out on: one nudge a day however
    # often the hourly job runs or is retried (tasks.send_diary_nudges).
    last_nudged_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"nudge {'on' if self.daily_nudge else 'off'} for {self.patient_id}"


class ProgressReport(GeneratedFile):
    """A PDF progress report a patient asked for, to give their doctor; made by a task."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="progress_reports"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # How the doctor tells this patient from another: given on the request form, printed on the
    # report, and deleted with it (docs/architecture.md, Outcomes).
    date_of_birth = models.DateField(null=True, blank=True)
    patient_identifier = models.CharField(
        max_length=40,
        blank=True,
        help_text="NHS number, or another identifier the doctor uses, if the patient gives one.",
    )

    class Meta(GeneratedFile.Meta):
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["patient", "-requested_at"], name="progressreport_patient")]
        constraints = GeneratedFile.constraints_for(noun="report", content_word="PDF")

    def __str__(self) -> str:
        return f"Report {self.pk} for {self.patient_id} ({self.status})"


def _shown_only_from_threshold(value: str, count: str) -> models.CheckConstraint:
    # Privacy in the database itself: a figure over fewer patients is never stored.
    return models.CheckConstraint(
        condition=Q(**{f"{value}__isnull": True}) | Q(**{f"{count}__gte": MIN_PATIENTS}),
        name=f"%(app_label)s_%(class)s_{value}_from_threshold",
        violation_error_message=f"{value} is stored only from {MIN_PATIENTS} patients.",
    )


class PracticeFigures(models.Model):
    """Figures of outcomes across patients (``outcomes/practice.py``), as the daily refresh
    left them; a value is empty below the threshold, its count always kept."""

    patients = models.PositiveIntegerField()
    relief_median = models.FloatField(null=True, blank=True)
    relief_patients = models.PositiveIntegerField()
    responder_percent = models.FloatField(null=True, blank=True)
    responder_patients = models.PositiveIntegerField()
    questionnaire_change = models.FloatField(null=True, blank=True)
    questionnaire_patients = models.PositiveIntegerField()
    computed_at = models.DateTimeField()

    class Meta:
        abstract = True
        constraints = [
            _shown_only_from_threshold("relief_median", "relief_patients"),
            _shown_only_from_threshold("responder_percent", "responder_patients"),
            _shown_only_from_threshold("questionnaire_change", "questionnaire_patients"),
        ]


class TherapistOutcome(PracticeFigures):
    """A therapist's outcomes across all their patients, for the directory and their profile."""

    therapist = models.OneToOneField(
        "directory.TherapistProfile", on_delete=models.CASCADE, related_name="outcome"
    )

    class Meta(PracticeFigures.Meta):
        pass

    def __str__(self) -> str:
        return f"Outcomes of therapist {self.therapist_id} ({self.patients} patients)"


class ClinicOutcome(PracticeFigures):
    """A clinic's outcomes: its total (no therapist), or one therapist's patients there."""

    clinic = models.ForeignKey(
        "directory.Clinic", on_delete=models.CASCADE, related_name="outcomes"
    )
    therapist = models.ForeignKey(
        "directory.TherapistProfile",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="clinic_outcomes",
    )

    class Meta(PracticeFigures.Meta):
        constraints = [
            *PracticeFigures.Meta.constraints,
            models.UniqueConstraint(
                fields=["clinic", "therapist"], name="%(app_label)s_%(class)s_one_per_therapist"
            ),
            models.UniqueConstraint(
                fields=["clinic"],
                condition=Q(therapist__isnull=True),
                name="%(app_label)s_%(class)s_one_total",
            ),
        ]

    def __str__(self) -> str:
        return f"Outcomes at clinic {self.clinic_id} ({self.therapist_id or 'total'})"


class ClinicExerciseOutcome(models.Model):
    """A clinic's responders among its patients who kept up their home exercises and among
    those who did not (``practice.exercise_relief``), refreshed daily with the other figures.
    The clinic's total only: never per therapist. A share is stored only from the threshold."""

    clinic = models.OneToOneField(
        "directory.Clinic", on_delete=models.CASCADE, related_name="exercise_outcome"
    )
    adherent_patients = models.PositiveIntegerField()
    adherent_responder_percent = models.FloatField(null=True, blank=True)
    other_patients = models.PositiveIntegerField()
    other_responder_percent = models.FloatField(null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            _shown_only_from_threshold("adherent_responder_percent", "adherent_patients"),
            _shown_only_from_threshold("other_responder_percent", "other_patients"),
        ]

    def __str__(self) -> str:
        return f"Exercise and relief at clinic {self.clinic_id}"


class ReportShare(models.Model):
    """A ready report the patient sent to their doctor.

    The doctor gets an email holding only a secret link; the PDF opens with that link plus a code
    the patient passes on themselves (by phone or in person), so the mail alone opens nothing.
    Both secrets are kept as SHA-256 digests. The link expires, the patient can stop it, a few
    wrong codes lock it, and every opening is audited.
    """

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="shares")
    recipient_email = models.EmailField()
    token_digest = models.CharField(max_length=64, unique=True)
    code_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    times_opened = models.PositiveIntegerField(default=0)
    last_opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    MAX_WRONG_CODES = 5

    def __str__(self) -> str:
        return f"Report {self.report_id} shared with {self.recipient_email}"

    @property
    def state(self) -> str:
        """stopped, expired, locked or active: what the link does now."""
        if self.revoked_at is not None:
            return "stopped"
        if self.expires_at <= timezone.now():
            return "expired"
        if self.failed_attempts >= self.MAX_WRONG_CODES:
            return "locked"
        return "active"
