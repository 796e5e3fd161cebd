"""Therapists' licences and certifications, with the document and who checked it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sciaticare.core.names import validate_one_line
from sciaticare.directory.models.profiles import TherapistProfile


class CredentialKind(models.TextChoices):
    LICENCE = "licence", _("Licence")
    CERTIFICATION = "certification", _("Certification")


class CredentialStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a check")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")


class DocumentType(models.TextChoices):
    PDF = "pdf", _("PDF")
    PNG = "png", _("PNG image")
    JPEG = "jpeg", _("JPEG image")


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
        help_text=_("e.g. Licensed Massage Therapist, CNHC registration."),
        validators=[validate_one_line],
    )
    number = models.CharField(max_length=60, validators=[validate_one_line])
    issuing_body = models.CharField(max_length=200, validators=[validate_one_line])
    jurisdiction = models.CharField(max_length=120, blank=True, validators=[validate_one_line])
    expires_on = models.DateField(null=True, blank=True, help_text=_("Empty if it never expires."))
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
