"""The integrations app's tables, one module per integration (calendars, imports, webhooks)."""

from sciaticare.integrations.models.imports import ImportedRecord, ImportRun, RunStatus  # noqa: F401
