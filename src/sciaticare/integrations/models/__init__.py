"""The integrations app's tables, one module per integration (calendars, imports, webhooks)."""
