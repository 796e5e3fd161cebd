"""The flare-up plans patients make from the directory."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from sciaticare.directory.models.profiles import TherapistProfile

#: A patient's flare-up plan holds the preferred therapist and up to three backups.
PLAN_SIZE = 4


class FlareUpPlanEntry(models.Model):
    """A therapist in a patient's flare-up plan: rank 0 is the preferred one, 1 to 3 backups."""

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flare_up_plan"
    )
    therapist = models.ForeignKey(TherapistProfile, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["patient", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "rank"], name="%(app_label)s_%(class)s_unique_rank"
            ),
            models.UniqueConstraint(
                fields=["patient", "therapist"],
                name="%(app_label)s_%(class)s_unique_therapist",
                violation_error_message="This therapist is already in the plan.",
            ),
            models.CheckConstraint(
                condition=Q(rank__gte=0, rank__lt=PLAN_SIZE),
                name="%(app_label)s_%(class)s_rank_range",
                violation_error_message="A plan holds a preferred therapist and three backups.",
            ),
        ]

    def __str__(self) -> str:
        return f"plan of {self.patient_id}: #{self.rank} {self.therapist_id}"

    @property
    def is_preferred(self) -> bool:
        return self.rank == 0
