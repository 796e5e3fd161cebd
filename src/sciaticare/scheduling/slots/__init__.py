"""Free bookable slots from a therapist's availability at one location (pure, no Django).

Inputs are plain frozen dataclasses: `hours.Availability` (time zone, weekly `WorkingHours`,
`DateException`s, time off), the busy `spans.Interval`s of existing appointments, a
`rules.Service` and a booking `rules.Policy`. Three entry points share one definition of
"bookable":

* `free.free_slots(...)`: every bookable slot in a window, sorted by start, no duplicates;
* `free.earliest_slot(...)`: the first of those, found lazily (stops at the first hit);
* `rules.check_start(start, ...)`: ``None`` when ``start`` is bookable, else a `Refusal` code
  (`is_bookable` is the boolean form). ``check_start(s) is None`` exactly when ``s`` is the
  start of a slot that `free_slots` returns for a window containing ``s``.

All instants are UTC-aware datetimes (any aware datetime is accepted and normalised to UTC;
naive datetimes raise ``ValueError``). Slots come back with ``tzinfo=UTC``.

What is where (callers import the module they need; this package re-exports nothing):

* ``spans``: `Interval` and `Slot` (half-open spans of UTC time) and the arithmetic on them;
* ``hours``: the weekly `WorkingHours`, a date's `DateException` and a location's
  `Availability` (the local wall-clock rules, before any time zone is applied);
* ``wall_clock``: a local date's working ranges as UTC spans (`local_ranges_utc`), with the
  DST rules;
* ``rules``: what "bookable" means (`Service`, `Policy`, the `Refusal` codes, `check_start`);
* ``free``: the sweep that finds every free slot in a window (`free_slots`, `earliest_slot`).
"""
