"""What the shared plumbing keeps: request-rate counters (core/ratelimits.py)."""

from django.db import models


class RateCounter(models.Model):
    """One client's requests in the current window of one limit (a fixed-window counter).

    `ident` is the limit's scope and a digest of the client (no address or account in clear);
    one row per client and scope, reused window after window; rows of ended windows are deleted
    daily (ratelimits.prune), so the table stays as small as the number of recent clients.
    Written only by ratelimits' single upsert statement, which hands out a lease of hits at a
    time; UNLOGGED on PostgreSQL (migration 0002).
    """

    ident = models.CharField(max_length=64, primary_key=True)
    period = models.BigIntegerField(help_text="Window number: Unix time // the rate's seconds.")
    hits = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.ident}: {self.hits} in window {self.period}"
