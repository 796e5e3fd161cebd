"""Moving in from another system: an upload and its steps (`ImportRun`), and what each of the
other system's ids became here (`ImportedRecord`), which makes a second import of the same file
create nothing."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from sciaticare.directory.models import Clinic
from sciaticare.integrations.mappings import Kind, Source


class RunStatus(models.TextChoices):
    UPLOADED = "uploaded", pgettext_lazy("import status", "Uploaded, not imported")
    IMPORTED = "imported", pgettext_lazy("import status", "Imported")
    DISCARDED = "discarded", pgettext_lazy("import status", "Discarded")


class ImportRun(models.Model):
    """One CSV file a clinic admin uploaded to import: the file (until it is imported or
    discarded, at most `KEEP_FILE_DAYS`), the column chosen for each field, and the result."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="import_runs")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_system = models.CharField(max_length=10, choices=[(s.value, s.value) for s in Source])
    kind = models.CharField(max_length=12, choices=[(k.value, k.value) for k in Kind])
    file_name = models.CharField(max_length=200, blank=True)
    #: The uploaded bytes: patient data, emptied once imported or discarded (and by the daily
    #: purge after `KEEP_FILE_DAYS`).
    content = models.BinaryField(null=True, blank=True, editable=False)
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.UPLOADED)
    #: What the import did: counts by outcome and the refused rows (row number and reasons).
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["clinic", "-created_at"], name="integ_importrun_clinic")]
        constraints = [
            models.CheckConstraint(
                condition=Q(source_system__in=[s.value for s in Source]),
                name="%(app_label)s_%(class)s_known_source",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in Kind]),
                name="%(app_label)s_%(class)s_known_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"Import {self.pk} of {self.kind} from {self.source_system} ({self.status})"


KEEP_FILE_DAYS = 7


class ImportedRecord(models.Model):
    """That the other system's row `source_id` (of a kind) was imported as our `target_id`: a
    user for a patient, an appointment for an appointment, an imported summary for a summary."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    source_system = models.CharField(max_length=10)
    kind = models.CharField(max_length=12)
    source_id = models.CharField(max_length=100)
    target_id = models.PositiveBigIntegerField()
    run = models.ForeignKey(ImportRun, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "source_system", "kind", "source_id"],
                name="%(app_label)s_%(class)s_once_per_source_id",
                violation_error_message="That row of the other system is imported already.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_system} {self.kind} {self.source_id} → {self.target_id}"
