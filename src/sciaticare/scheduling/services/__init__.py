"""Every write of scheduling, by subdomain: booking (book, cancel, reschedule, no-show),
waitlist offers, and calendar feeds."""
