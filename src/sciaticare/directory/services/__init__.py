"""Every write to the directory: one function per use case, transactional, raising domain errors;
one module per domain: ``profile`` (the therapist's entry and session types), ``credentials``,
``reviews`` and ``plan`` (the flare-up plan), with ``checks`` (what every write checks).
Callers import the module they need; this package re-exports nothing.

Callers fetch the object with a selector that checks access (404 for what the caller may not
see); the service checks again that this actor may do this, so it is safe from any caller.
The derived columns of ``TherapistProfile`` (licence summary, review figures) are kept in sync
here and nowhere else, and so is the search table: every write that changes one of its inputs
calls ``search_table.refresh`` for that therapist in its transaction.
"""
