"""Session (SOAP) notes, their amendments, and the therapist's home-care library and templates.

A signed note is frozen: services refuse edits, the model refuses saves, the admin is
read-only, and a database trigger refuses UPDATE and DELETE of a signed row (migration 0002).
Corrections are amendments, which are append-only the same way.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any, NoReturn

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

from sciaticare.core.names import validate_one_line
from sciaticare.directory.models import TherapistProfile
from sciaticare.records.seal import SEALED_FIELDS, seal_intact
from sciaticare.scheduling.models import Appointment

# The longest texts a note and an amendment take: the one figure the editor's maxlength, the
# API schemas, the model's validation and the database's CHECK all use, so a text is refused
# with the same limit wherever it is typed.
NOTE_TEXT_MAX_LENGTH = 20_000  # subjective, objective, assessment, plan
ADVERSE_EVENT_DETAIL_MAX_LENGTH = 500
AMENDMENT_REASON_MAX_LENGTH = 300
AMENDMENT_TEXT_MAX_LENGTH = 20_000
NOTE_TEXT_FIELDS = ("subjective", "objective", "assessment", "plan")


def _at_most(field: str, limit: int) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), limit),
        name=f"%(app_label)s_%(class)s_{field}_max_length",
        violation_error_message=f"{field} takes at most {limit} characters.",
    )


def _text(limit: int) -> models.TextField:
    return models.TextField(blank=True, max_length=limit, validators=[MaxLengthValidator(limit)])


class NoteLocked(Exception):
    """A signed note, or an amendment, cannot change."""


class Pressure(models.TextChoices):
    LIGHT = "light", pgettext_lazy("pressure", "Light")
    MODERATE = "moderate", pgettext_lazy("pressure", "Moderate")
    FIRM = "firm", pgettext_lazy("pressure", "Firm")


class AdverseEvent(models.TextChoices):
    NONE = "none", pgettext_lazy("adverse events", "None")
    SORENESS = "soreness", _("Soreness")
    BRUISING = "bruising", _("Bruising")
    OTHER = "other", _("Other (describe)")


#: The built-in home-care library (docs/clinical.md, "Home care"), as migration 0003 put it in
#: the table (a migration keeps its own copy; a test checks they agree). A note keeps a line as
#: it was chosen, in English: marked here, each reader sees it in their own language.
BUILT_IN_HOME_CARE = (
    gettext_noop(
        "Stay active: keep walking a little more each day, as pain allows; avoid bed rest "
        "(NICE NG59)."
    ),
    gettext_noop("A heat pack on the lower back for 15–20 minutes can ease pain (ACP 2017)."),
    gettext_noop(
        "Keep doing the exercises your physiotherapist or doctor gave you: massage works best "
        "alongside exercise."
    ),
    gettext_noop("Break up long sitting every 30–45 minutes with a short walk."),
    gettext_noop(
        "If you get new numbness around your bottom or genitals, or bladder or bowel changes, "
        "go to an emergency department."
    ),
)


#: Lines the library offered once and no longer does (migration 0007): exercises are given in
#: the home exercise programme, each with its dose. Notes that chose them keep them as written,
#: so they stay marked for the reader's language.
RETIRED_HOME_CARE = (
    gettext_noop(
        "Knee-to-chest stretch: 3 × 30 seconds each side, gently, stop if leg pain increases."
    ),
    gettext_noop(
        "Seated piriformis stretch: 3 × 30 seconds each side, gently, stop if tingling increases."
    ),
)


def _pain(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0, f"{name}__lte": 10}),
        name=f"%(app_label)s_%(class)s_{name}_0_10",
        violation_error_message=f"{name} must be between 0 and 10.",
    )


class SessionNote(models.Model):
    """The therapist's SOAP note of one appointment: a draft until signed, then frozen."""

    appointment = models.OneToOneField(Appointment, on_delete=models.PROTECT, related_name="note")
    therapist = models.ForeignKey(TherapistProfile, on_delete=models.PROTECT, related_name="notes")
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="session_notes"
    )
    subjective = _text(NOTE_TEXT_MAX_LENGTH)
    objective = _text(NOTE_TEXT_MAX_LENGTH)
    assessment = _text(NOTE_TEXT_MAX_LENGTH)
    assessment_shared = models.BooleanField(
        default=False, help_text="Show the assessment to the patient."
    )
    plan = _text(NOTE_TEXT_MAX_LENGTH)
    regions = models.JSONField(
        default=list, blank=True, help_text="Body-map codes of the regions treated."
    )
    techniques = models.JSONField(default=list, blank=True, help_text="Modality codes (directory).")
    pressure = models.CharField(max_length=10, choices=Pressure.choices, blank=True)
    pressure_warning_acknowledged = models.BooleanField(default=False)
    minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(480)]
    )
    back_pain_before = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    back_pain_after = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    leg_pain_before = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    leg_pain_after = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    adverse_event = models.CharField(
        max_length=10, choices=AdverseEvent.choices, default=AdverseEvent.NONE
    )
    adverse_event_detail = models.CharField(max_length=ADVERSE_EVENT_DETAIL_MAX_LENGTH, blank=True)
    home_care = models.JSONField(default=list, blank=True, help_text="Advice given, as text lines.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    seal = models.CharField(
        max_length=80, blank=True, help_text="Digest of the signed content (records/seal.py)."
    )

    class Meta:
        ordering = ["-appointment__start"]
        indexes = [
            models.Index(fields=["patient", "signed_at"], name="records_note_patient_signed")
        ]
        constraints = (
            *(
                _pain(n)
                for n in (
                    "back_pain_before",
                    "back_pain_after",
                    "leg_pain_before",
                    "leg_pain_after",
                )
            ),
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True) | Q(signed_by__isnull=False),
                name="%(app_label)s_%(class)s_signed_has_signer",
            ),
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True) | ~Q(seal=""),
                name="%(app_label)s_%(class)s_signed_is_sealed",
            ),
            *(_at_most(name, NOTE_TEXT_MAX_LENGTH) for name in NOTE_TEXT_FIELDS),
            _at_most("adverse_event_detail", ADVERSE_EVENT_DETAIL_MAX_LENGTH),
        )

    def __str__(self) -> str:
        return f"Note of appointment {self.appointment_id}{' (signed)' if self.signed_at else ''}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if (
            not self._state.adding
            and type(self).objects.filter(pk=self.pk, signed_at__isnull=False).exists()
        ):
            raise NoteLocked("a signed note cannot change; add an amendment")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise NoteLocked("session notes are records and are never deleted")

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def version(self) -> str:
        """Changes with every save, empty before the first: an editor sends the version it was
        opened on, and a save based on an older one is refused (409 ``note_changed``)."""
        if self._state.adding:
            return ""
        return self.updated_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S%f")

    def sealed_values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in SEALED_FIELDS}

    @property
    def is_seal_intact(self) -> bool:
        """True when the signed content still matches its seal."""
        return seal_intact(self.sealed_values(), self.seal)


class Amendment(models.Model):
    """A correction to a signed note: reason, text, author and time; kept in order, never edited."""

    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="amendments")
    reason = models.CharField(max_length=AMENDMENT_REASON_MAX_LENGTH)
    text = models.TextField(
        max_length=AMENDMENT_TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(AMENDMENT_TEXT_MAX_LENGTH)],
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            _at_most("reason", AMENDMENT_REASON_MAX_LENGTH),
            _at_most("text", AMENDMENT_TEXT_MAX_LENGTH),
        ]

    def __str__(self) -> str:
        return f"Amendment {self.pk} to note {self.note_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise NoteLocked("amendments cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise NoteLocked("amendments are never deleted")


class HomeCareAdvice(models.Model):
    """One line of home-care advice; the built-in library has no therapist, a therapist's own
    additions have theirs."""

    therapist = models.ForeignKey(
        TherapistProfile,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="home_care_library",
    )
    text = models.CharField(max_length=300)

    class Meta:
        ordering = ["therapist_id", "text"]
        constraints = [
            models.UniqueConstraint(
                fields=["therapist", "text"], name="%(app_label)s_%(class)s_unique_text"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class NoteTemplate(models.Model):
    """A therapist's template for a common session: fields that prefill a new note."""

    therapist = models.ForeignKey(
        TherapistProfile, on_delete=models.CASCADE, related_name="note_templates"
    )
    name = models.CharField(max_length=80, validators=[validate_one_line])
    values = models.JSONField(default=dict, help_text="Note field → value.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["therapist", "name"], name="%(app_label)s_%(class)s_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


IMPORTED_SUMMARY_MAX_LENGTH = 10_000


class ImportedSummary(models.Model):
    """A past session's summary written in another clinic system and imported with the clinic's
    move (integrations): shown read-only as "Imported from <system>", never as a signed note."""

    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, related_name="imported_summary"
    )
    therapist = models.ForeignKey(TherapistProfile, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="imported_summaries"
    )
    text = _text(IMPORTED_SUMMARY_MAX_LENGTH)
    source_system = models.CharField(max_length=40, help_text="The system it was written in.")
    source_id = models.CharField(max_length=100)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-appointment__start", "-id"]
        constraints = [_at_most("text", IMPORTED_SUMMARY_MAX_LENGTH)]

    def __str__(self) -> str:
        return f"Summary imported from {self.source_system} ({self.source_id})"
