"""Plumbing every app shares: plain-SQL helpers (``sql``) and time helpers (``time``).

Not an app (no models, not in ``INSTALLED_APPS``): the lowest layer, importing no app.
"""
