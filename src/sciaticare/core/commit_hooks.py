"""What other apps asked to hear of a change, run once the change has committed.

The app that owns a change (a booking, a payment, a signed note, an intake) keeps a list of
hooks that other apps fill at start-up (their mail, webhooks, calendar writes), so that it
never imports them. `after_commit` runs each of them with the changed object's id once the
change's transaction has committed, on its own: a hook that fails (its task row meeting a
lock timeout) is logged, the hooks after it still run, and the change stands. The caller is
told it succeeded, never "try again" (core/outage.py answers only what had not committed).

Each runs outside any transaction, as a payment's must (a deposit settled may be refunded at
once, the processor called between two transactions of its own). Running a booking's three
hooks in one transaction instead, each in a savepoint, was measured: one commit instead of
three, but four more round trips, and no faster on this machine (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from django.db import transaction


def after_commit(hooks: Sequence[Callable[[int], None]], object_id: int) -> None:
    """Run each of `hooks` with `object_id` once the current transaction commits (at once
    outside one); robust: one failing is logged and the rest still run."""
    for hook in hooks:
        transaction.on_commit(partial(hook, object_id), robust=True)
