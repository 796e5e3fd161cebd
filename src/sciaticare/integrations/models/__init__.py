"""The integrations app's tables, one module per integration (calendars, imports, webhooks)."""

from sciaticare.integrations.models.calendars import (  # noqa: F401
    BusyInterval,
    CalendarConnection,
    CalendarEvent,
)
