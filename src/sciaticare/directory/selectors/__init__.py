"""Reads of the directory that views, the API and other apps share, one module per domain:
``search`` (therapist search), ``profile`` (the public profile and the therapist's own pages),
``access`` (who may see or run what), ``moderation`` (what clinic admins check and hide) and
``plan`` (the flare-up plan). Callers import the module they need; this package re-exports
nothing.

Functions that fetch one object for a person (``profile_for_edit``, ``credential_for``…) check
access too, and answer :class:`NotFound` alike when the object is missing or not theirs to see.
"""
