"""Requests to delete an account, carried out by the daily job after a cooling-off period."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from sciaticare.accounts.models import User


class DeletionRequest(models.Model):
    """A patient's request to delete their account, carried out once its cooling-off period
    ends unless they cancel it first (privacy/services.py, docs/privacy.md)."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="deletion_requests")
    requested_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    carried_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table and its constraints keep the names they had in the accounts app, where
        # the model began: moving it changed no row.
        db_table = "accounts_deletionrequest"
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=models.Q(cancelled_at__isnull=True, carried_out_at__isnull=True),
                name="accounts_deletion_open_due",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(cancelled_at__isnull=True, carried_out_at__isnull=True),
                name="accounts_deletionrequest_one_open",
                violation_error_message="A deletion is already pending for this account.",
            ),
            models.CheckConstraint(
                condition=models.Q(due_at__gt=models.F("requested_at")),
                name="accounts_deletionrequest_due_after_request",
            ),
            models.CheckConstraint(
                condition=models.Q(cancelled_at__isnull=True)
                | models.Q(carried_out_at__isnull=True),
                name="accounts_deletionrequest_cancelled_or_done",
                violation_error_message="A deletion is either cancelled or carried out.",
            ),
        ]

    def __str__(self) -> str:
        return f"Deletion of {self.user_id} due {self.due_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.cancelled_at is None and self.carried_out_at is None
