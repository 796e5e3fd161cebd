"""Home exercise programmes: the exercise library (built-in, a clinic's own, a patient's own),
which exercises a clinic lets its therapists recommend, programmes in versions, and the
patient's log of each exercise (docs/architecture.md, "Exercises")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sciaticare.directory.models import Clinic
from sciaticare.exercises.adherence import EVERY_DAY
from sciaticare.scheduling.models import Appointment

NAME_MAX_LENGTH = 120
TEXT_MAX_LENGTH = 2000
#: The most exercises in one version of a programme (a home programme is a handful).
MAX_ITEMS = 12


class Exercise(models.Model):
    """One exercise. Built in (no clinic, no patient: its words are the library's, in
    ``library.py``, shown in the reader's language), a clinic's own (``clinic``), or one a
    patient wrote down from their physio's or doctor's programme (``patient``)."""

    slug = models.SlugField(max_length=60)
    clinic = models.ForeignKey(
        Clinic, null=True, blank=True, on_delete=models.CASCADE, related_name="own_exercises"
    )
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="own_exercises",
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    how_to = models.TextField(max_length=TEXT_MAX_LENGTH, blank=True)
    how_often = models.CharField(max_length=300, blank=True)
    how_many = models.CharField(max_length=300, blank=True)
    when_to_stop = models.TextField(max_length=TEXT_MAX_LENGTH, blank=True)
    source = models.CharField(max_length=500, blank=True)
    #: Counted in minutes (walking) rather than repetitions.
    timed = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(clinic__isnull=True) | Q(patient__isnull=True),
                name="%(app_label)s_%(class)s_one_owner",
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(clinic__isnull=True, patient__isnull=True),
                name="%(app_label)s_%(class)s_built_in_slug",
            ),
            models.UniqueConstraint(
                fields=["clinic", "slug"],
                condition=Q(clinic__isnull=False),
                name="%(app_label)s_%(class)s_clinic_slug",
            ),
            models.UniqueConstraint(
                fields=["patient", "slug"],
                condition=Q(patient__isnull=False),
                name="%(app_label)s_%(class)s_patient_slug",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def built_in(self) -> bool:
        return self.clinic_id is None and self.patient_id is None


class ClinicExercises(models.Model):
    """The exercises a clinic's therapists may recommend (scope of practice differs by place).
    No row: the clinic has not chosen, and the whole built-in library is allowed."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="exercise_scope")
    allowed = models.ManyToManyField(Exercise, blank=True, related_name="allowed_by")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"exercises of clinic {self.clinic_id}"


class Origin(models.TextChoices):
    THERAPIST = "therapist", _("From your therapist")
    PATIENT = "patient", _("Entered by you")


class ExercisePlan(models.Model):
    """A patient's home programme. Its content lives in versions; the newest is current."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exercise_plans"
    )
    origin = models.CharField(max_length=10, choices=Origin.choices)
    #: The therapist who wrote it (origin therapist), kept for the record if they leave.
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="exercise_plans_written",
    )
    clinic = models.ForeignKey(
        Clinic, null=True, blank=True, on_delete=models.SET_NULL, related_name="exercise_plans"
    )
    #: Who gave a programme the patient entered ("my physiotherapist", "Dr Shah").
    prescriber = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(origin="patient")
                | Q(therapist__isnull=False)
                | Q(clinic__isnull=False),
                name="%(app_label)s_%(class)s_therapist_plan_has_author",
            ),
        ]

    def __str__(self) -> str:
        return f"exercise plan {self.pk} of {self.patient_id}"


class PlanVersion(models.Model):
    """One version of a programme; never changed once written (a change is a new version)."""

    plan = models.ForeignKey(ExercisePlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    start_date = models.DateField()
    review_date = models.DateField(null=True, blank=True)
    #: The session whose note it was written from ("home care"), if any.
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(max_length=TEXT_MAX_LENGTH, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"], name="%(app_label)s_%(class)s_one_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="%(app_label)s_%(class)s_number_from_one"
            ),
            models.CheckConstraint(
                condition=Q(review_date__isnull=True) | Q(review_date__gte=models.F("start_date")),
                name="%(app_label)s_%(class)s_review_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"plan {self.plan_id} v{self.number}"


class PlanItem(models.Model):
    """One exercise of a version, with its dose and days."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="items")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    #: Repetitions per set (0 for a timed exercise) and sets per session.
    repetitions = models.PositiveSmallIntegerField(default=0)
    sets = models.PositiveSmallIntegerField(default=1)
    #: Minutes per session, for a timed exercise (walking), else 0.
    minutes = models.PositiveSmallIntegerField(default=0)
    times_per_day = models.PositiveSmallIntegerField(default=1)
    #: Planned weekdays as a mask: bit 0 Monday … bit 6 Sunday (adherence.on_days).
    days = models.PositiveSmallIntegerField(default=EVERY_DAY)
    instructions = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["version_id", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "exercise"], name="%(app_label)s_%(class)s_once_per_version"
            ),
            models.CheckConstraint(
                condition=Q(days__gte=1, days__lte=EVERY_DAY),
                name="%(app_label)s_%(class)s_some_days",
            ),
            models.CheckConstraint(
                condition=Q(repetitions__gte=1) | Q(minutes__gte=1),
                name="%(app_label)s_%(class)s_has_dose",
            ),
            models.CheckConstraint(
                condition=Q(sets__gte=1, sets__lte=10, times_per_day__gte=1, times_per_day__lte=6)
                & Q(repetitions__lte=100, minutes__lte=180),
                name="%(app_label)s_%(class)s_dose_bounds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exercise_id} in {self.version_id}"


class LegPain(models.TextChoices):
    BETTER = "better", _("Better")
    SAME = "same", _("Same")
    WORSE = "worse", _("Worse")


class ExerciseLog(models.Model):
    """Whether the patient did an exercise of a programme on a day, and how the leg felt after.
    One row per plan, exercise and day: logging again (an offline queue replayed, a second tap)
    updates it."""

    plan = models.ForeignKey(ExercisePlan, on_delete=models.CASCADE, related_name="logs")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    done = models.BooleanField()
    leg_pain = models.CharField(max_length=6, choices=LegPain.choices, blank=True)
    spread_down_leg = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan_id", "date", "exercise_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "exercise", "date"], name="%(app_label)s_%(class)s_once_a_day"
            ),
        ]
        indexes = [models.Index(fields=["plan", "-date"], name="exercises_log_recent")]

    def __str__(self) -> str:
        return f"{self.exercise_id} on {self.date}: {'done' if self.done else 'not done'}"


class PausedExercise(models.Model):
    """An exercise of a programme the patient paused (suggested after a flag); resuming deletes
    the row. The therapist sees it on the brief."""

    plan = models.ForeignKey(ExercisePlan, on_delete=models.CASCADE, related_name="paused")
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="+")
    paused_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "exercise"], name="%(app_label)s_%(class)s_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exercise_id} paused in {self.plan_id}"
