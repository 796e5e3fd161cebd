"""The directory's part of erasing a deleted account (registered with the privacy app)."""

from __future__ import annotations

from datetime import datetime

from sciaticare.accounts.models import User
from sciaticare.directory.models import FlareUpPlanEntry, Review
from sciaticare.directory.services.reviews import refresh_review_figures


def erase_patient_data(*, patient: User, now: datetime) -> None:
    """The flare-up plan and the reviews the person wrote, with the figures those reviews fed.
    Caller: inside its transaction."""
    FlareUpPlanEntry.objects.filter(patient=patient).delete()
    reviewed = set(Review.objects.filter(patient=patient).values_list("therapist_id", flat=True))
    Review.objects.filter(patient=patient).delete()
    for profile_id in reviewed:
        refresh_review_figures(profile_id=profile_id)
