"""Episodes of pain, the intakes that describe them, consent to share, and questionnaires."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from sciaticare.intake.triage.assessment import advice
from sciaticare.intake.triage.levels import Level


class TriageLevel(models.TextChoices):
    # "with precautions" is added only when there are some: see Intake.triage_headline.
    OK = Level.OK.code, _("Massage is a reasonable option")
    SOON = Level.SOON.code, _("See a doctor within two weeks, before massage")
    URGENT = Level.URGENT.code, _("See a doctor today")
    EMERGENCY = Level.EMERGENCY.code, _("Emergency: go now")


#: The instruments' interpretation bands (scoring/instruments.py, rules.py), stored as these
#: English codes, in words in the language being answered in.
BAND_WORDS = {
    "recovered": pgettext_lazy("questionnaire band", "recovered"),
    "minimal": pgettext_lazy("questionnaire band", "minimal"),
    "moderate": pgettext_lazy("questionnaire band", "moderate"),
    "severe": pgettext_lazy("questionnaire band", "severe"),
    "crippled": pgettext_lazy("questionnaire band", "crippled"),
    "bed-bound": pgettext_lazy("questionnaire band", "bed-bound"),
    "low": pgettext_lazy("questionnaire band", "low"),
    "medium": pgettext_lazy("questionnaire band", "medium"),
    "high": pgettext_lazy("questionnaire band", "high"),
}


def band_words(band: str | None) -> str:
    """A stored band code in words ("moderate"); an unknown code as it is; "" for none."""
    return str(BAND_WORDS.get(band, band)) if band else ""


#: The six 0–10 pain scores of an intake; none is answered yet in a safety intake.
PAIN_SCORES = (
    "back_pain_now",
    "back_pain_average",
    "back_pain_worst",
    "leg_pain_now",
    "leg_pain_average",
    "leg_pain_worst",
)

#: What a safety intake leaves for after booking, in the words the patient and the therapist
#: read ("Still missing: …"): the intake form's parts beyond age, onset and the red flags.
PARTS_ASKED_AFTER_BOOKING = (
    _("where it hurts (the body map)"),
    _("how it feels"),
    _("how bad it is (pain scores)"),
    _("what makes it worse or better"),
    _("goals, medicines and notes for the therapist"),
)


def level_blocks_booking(level: Level, *, doctor_cleared: bool = False) -> bool:
    """The booking gate's rule on a triage level (docs/clinical.md): emergency and urgent
    block booking; soon blocks it until a doctor's clearance is confirmed."""
    if level >= Level.URGENT:
        return True
    return level == Level.SOON and not doctor_cleared


def _pain(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{name}__gte": 0, f"{name}__lte": 10}),
        name=f"%(app_label)s_%(class)s_{name}_0_10",
        violation_error_message=f"{name} must be between 0 and 10.",
    )


class Episode(models.Model):
    """One episode of back pain or sciatica in a patient's life; its intakes describe it."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="episodes"
    )
    started_on = models.DateField(help_text="When the pain began.")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(closed_at__isnull=True),
                name="%(app_label)s_%(class)s_one_open_per_patient",
                violation_error_message="A patient has one open episode at a time.",
            )
        ]

    def __str__(self) -> str:
        return f"Episode from {self.started_on} ({self.patient_id})"


class Intake(models.Model):
    """One filled intake: a revision within an episode. Never edited; a later one supersedes it.

    A *safety intake* (``safety_only``) holds only age, onset and every red-flag answer: what a
    new patient confirmed from their symptom check when they booked first (docs/architecture.md,
    "Book first, explain later"). Its other parts were never answered (the pain scores are
    null), and are added once, to the same row, before the session (``details_added_at``):
    nothing answered changes, so its triage and the time its red flags were answered stay true.
    """

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="intakes")
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="intakes"
    )
    created_at = models.DateTimeField(default=timezone.now)
    age = models.PositiveSmallIntegerField()
    onset_date = models.DateField()
    regions = models.JSONField(default=list, help_text="Body-map region codes (intake/bodymap.py).")
    qualities = models.JSONField(default=list)
    # Null only while a safety intake's other parts are not yet answered (the constraint).
    back_pain_now = models.PositiveSmallIntegerField(null=True, blank=True)
    back_pain_average = models.PositiveSmallIntegerField(null=True, blank=True)
    back_pain_worst = models.PositiveSmallIntegerField(null=True, blank=True)
    leg_pain_now = models.PositiveSmallIntegerField(null=True, blank=True)
    leg_pain_average = models.PositiveSmallIntegerField(null=True, blank=True)
    leg_pain_worst = models.PositiveSmallIntegerField(null=True, blank=True)
    worse_with = models.JSONField(default=list)
    better_with = models.JSONField(default=list)
    goals = models.TextField(blank=True)
    medications = models.TextField(blank=True, help_text="Medicines that matter for massage.")
    notes = models.TextField(blank=True, help_text="Anything else the therapist should know.")
    answers = models.JSONField(help_text="Every triage question code → true/false.")
    triage_level = models.CharField(max_length=10, choices=TriageLevel.choices)
    triage_reasons = models.JSONField(default=list)
    triage_precautions = models.JSONField(default=list)
    triage_advice = models.TextField(help_text="The advice shown to the patient when saved.")
    # For a `soon` result: the patient's confirmation that a doctor has cleared massage.
    doctor_cleared_at = models.DateTimeField(null=True, blank=True)
    safety_only = models.BooleanField(
        default=False,
        help_text="Only age, onset and the red flags are answered yet (booked first).",
    )
    details_added_at = models.DateTimeField(
        null=True, blank=True, help_text="When the rest of a safety intake was added."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "-created_at"], name="intake_patient_created")]
        constraints = (
            *(_pain(name) for name in PAIN_SCORES),
            models.CheckConstraint(
                condition=Q(safety_only=True, **{f"{name}__isnull": True for name in PAIN_SCORES})
                | Q(safety_only=False, **{f"{name}__isnull": False for name in PAIN_SCORES}),
                name="%(app_label)s_%(class)s_pain_scores_unless_safety_only",
                violation_error_message=(
                    "An intake has every pain score, unless only its safety part is answered."
                ),
            ),
            models.CheckConstraint(
                condition=Q(age__gte=1, age__lte=120),
                name="%(app_label)s_%(class)s_age_1_120",
                violation_error_message="Age must be between 1 and 120.",
            ),
        )

    def __str__(self) -> str:
        return f"Intake {self.pk} ({self.triage_level})"

    @property
    def level(self) -> Level:
        return Level.from_code(self.triage_level)

    @property
    def triage_headline(self) -> str:
        """The level in words, in the language being answered in; an `ok` result says "with
        precautions" only when it has some."""
        label = TriageLevel(self.triage_level).label
        if self.level is Level.OK and self.triage_precautions:
            return gettext("%(level)s, with precautions") % {"level": label}
        return str(label)

    @property
    def advice(self) -> str:
        """The triage advice in the language being answered in, said again from the saved
        level, reasons and precautions (``triage_advice`` keeps the words shown when saved)."""
        return advice(
            self.level, self.triage_reasons, has_precautions=bool(self.triage_precautions)
        )

    @property
    def blocks_booking(self) -> bool:
        """emergency and urgent block booking; soon needs the doctor's clearance (docs/clinical.md)."""
        return level_blocks_booking(self.level, doctor_cleared=self.doctor_cleared_at is not None)

    @property
    def missing_parts(self) -> list[str]:
        """The parts still to answer, in the language being answered in ([] when complete)."""
        return [str(part) for part in PARTS_ASKED_AFTER_BOOKING] if self.safety_only else []


class RedFlagRecheck(models.Model):
    """The patient's fresh answers to the red-flag questions before a booking, against an
    intake more than a day old (intake/recheck.py). "None of these" keeps the intake; any
    "yes" makes a new intake revision (`result`), whose triage then gates the booking."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="red_flag_rechecks"
    )
    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="rechecks")
    checked_at = models.DateTimeField(default=timezone.now)
    answers = models.JSONField(help_text="Each question asked → true/false.")
    result = models.ForeignKey(
        Intake,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The intake revision a 'yes' made.",
    )

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["intake", "-checked_at"], name="recheck_intake_checked")]

    def __str__(self) -> str:
        return f"Red-flag re-check {self.pk} of intake {self.intake_id}"

    @property
    def found_red_flags(self) -> bool:
        return any(self.answers.values())


class IntakeShare(models.Model):
    """A patient's consent for the therapist with an email address to read their intake and
    the brief made from it (nothing else); revocable, never deleted.

    The share is kept and listed by the address the patient typed, whether or not a therapist
    has it, so the answer never tells a patient whose address it is. ``therapist`` is the
    therapist account that had the address when the patient shared; empty, the share opens
    nothing (it is not linked later to whoever signs up with that address)."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="intake_shares"
    )
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    email = models.EmailField(help_text="The address the patient typed, in lower case.")
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "therapist"],
                condition=Q(revoked_at__isnull=True),
                name="%(app_label)s_%(class)s_one_active_per_pair",
                violation_error_message="The intake is already shared with this therapist.",
            ),
            models.UniqueConstraint(
                fields=["patient", "email"],
                condition=Q(revoked_at__isnull=True),
                name="%(app_label)s_%(class)s_one_active_per_email",
                violation_error_message="The intake is already shared with this address.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient_id} → {self.therapist_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class QuestionnaireDefinition(models.Model):
    """Item text of a licensed instrument (ODI, STarT Back), imported by a clinic that holds
    the licence; only that clinic's therapists, admins and patients see it
    (docs/architecture.md, "Licensed questionnaires"). Shipped instruments are read from the
    package instead."""

    # The clinic whose licence covers this text. Empty only for rows imported before texts
    # belonged to a clinic whose importer ran no clinic: nobody is shown those.
    clinic = models.ForeignKey(
        "directory.Clinic",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    code = models.CharField(max_length=20)
    version = models.CharField(max_length=20)
    resource = models.JSONField(help_text="The FHIR R4 Questionnaire.")
    licence_statement = models.TextField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code", "-imported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "code", "version"],
                name="%(app_label)s_%(class)s_clinic_code_version",
                violation_error_message="This clinic has already imported this version.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.version}"


class QuestionnaireResponse(models.Model):
    """A patient's completed questionnaire, as FHIR QuestionnaireResponse JSON, with its score."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="questionnaire_responses"
    )
    episode = models.ForeignKey(
        Episode, null=True, blank=True, on_delete=models.PROTECT, related_name="responses"
    )
    instrument = models.CharField(max_length=20)
    instrument_version = models.CharField(max_length=20)
    resource = models.JSONField()
    score = models.FloatField()
    band = models.CharField(max_length=40, blank=True)
    subscores = models.JSONField(default=dict)
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-completed_at", "-id"]
        indexes = [
            models.Index(
                fields=["patient", "instrument", "-completed_at"], name="qr_patient_instr_done"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.score:g} ({self.patient_id})"
