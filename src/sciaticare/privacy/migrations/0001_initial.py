"""DeletionRequest moves from accounts to privacy with its table: state only, no row moves
(accounts 0005 removes it from the accounts app's state)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0004_names_refuse_control_characters"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DeletionRequest",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("requested_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("due_at", models.DateTimeField()),
                        ("cancelled_at", models.DateTimeField(blank=True, null=True)),
                        ("carried_out_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="deletion_requests",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "accounts_deletionrequest",
                        "ordering": ["-requested_at", "-id"],
                        "indexes": [
                            models.Index(
                                condition=models.Q(
                                    ("cancelled_at__isnull", True), ("carried_out_at__isnull", True)
                                ),
                                fields=["due_at"],
                                name="accounts_deletion_open_due",
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(
                                    ("cancelled_at__isnull", True), ("carried_out_at__isnull", True)
                                ),
                                fields=("user",),
                                name="accounts_deletionrequest_one_open",
                                violation_error_message="A deletion is already pending for this account.",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("due_at__gt", models.F("requested_at"))),
                                name="accounts_deletionrequest_due_after_request",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("cancelled_at__isnull", True),
                                    ("carried_out_at__isnull", True),
                                    _connector="OR",
                                ),
                                name="accounts_deletionrequest_cancelled_or_done",
                                violation_error_message="A deletion is either cancelled or carried out.",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
