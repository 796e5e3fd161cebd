"""What an import keeps verbatim (another system's session history for a patient), and the
patient's "download everything" archives."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from sciaticare.core.generated import GeneratedFile


class ExternalResource(models.Model):
    """A FHIR resource imported as read-only history (another clinic's appointments,
    encounters, procedures, session measurements, practitioners and places), exported again
    as it came; its patient reference is blanked and filled in on export."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="external_resources"
    )
    resource_type = models.CharField(max_length=40)
    resource_id = models.CharField(max_length=64)
    resource = models.JSONField()
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["resource_type", "resource_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "resource_type", "resource_id"],
                name="%(app_label)s_%(class)s_one_per_id",
                violation_error_message="This resource was already imported for the patient.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_type}/{self.resource_id} ({self.patient_id})"


class ImportedResource(models.Model):
    """A resource of another system's FHIR Bundle that became part of a patient's record (a
    pain score, a questionnaire response, a sciatica episode), by its key
    (``interop.fhir.standard.resource_key``: its identifier, else a digest of its content), so
    that importing it again adds nothing."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="imported_resources"
    )
    resource_type = models.CharField(max_length=40)
    key = models.CharField(max_length=64)  # sha256, hex
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["imported_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "key"],
                name="%(app_label)s_%(class)s_one_per_key",
                violation_error_message="This resource was already imported for the patient.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_type} {self.key[:12]} ({self.patient_id})"


class DataExport(GeneratedFile):
    """A patient's "download everything" zip (FHIR Bundle, CSVs, PDF report, README), made by a
    task and downloadable by the patient alone for a few days (selectors.EXPORT_KEPT_FOR)."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_exports"
    )

    class Meta(GeneratedFile.Meta):
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["patient", "-requested_at"], name="dataexport_patient")]
        constraints = GeneratedFile.constraints_for(noun="export", content_word="archive")

    def __str__(self) -> str:
        return f"Export {self.pk} for {self.patient_id} ({self.status})"
