"""Reads of scheduling that views, the API and other apps share, one module per domain:
``calendars`` (therapists' calendars loaded in bulk, a location's clock and booking rules),
``bookable`` (free slots, the earliest one, whether a start is bookable, which session type),
``appointments`` (people's own appointments and a therapist's sessions), ``care`` (who treats
whom, the rule intake's seam asks), ``waitlist`` (a patient's entries and offers) and
``calendar_feeds`` (what a calendar feed shows and how a session reads as an event). Callers
import the module they need; this package re-exports nothing.
"""
