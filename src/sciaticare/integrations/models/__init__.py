"""The integrations app's tables, one module per integration (calendars, imports, webhooks)."""

from sciaticare.integrations.models import webhooks  # noqa: F401
from sciaticare.integrations.models.calendars import (  # noqa: F401
    BusyInterval,
    CalendarConnection,
    CalendarEvent,
)
from sciaticare.integrations.models.imports import ImportedRecord, ImportRun, RunStatus  # noqa: F401
