"""Plumbing every app shares: errors, API schemas, plain-SQL and time helpers, rate limits.

The lowest layer: it imports no app. It is installed as an app (label ``core``) only to own
the rate counters' table (``models.RateCounter``, written by ``ratelimits``).
"""
