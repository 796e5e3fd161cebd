"""What other apps asked to hear of a change, run once the change has committed.

The app that owns a change (a booking, a payment, a signed note, an intake) keeps a list of
hooks that other apps fill at start-up (their mail, webhooks, calendar writes), so that it
never imports them. `after_commit` runs them, with the changed object's id, once the change's
transaction has committed:

- together, in one transaction of their own: each hook queues work (a task's row), and one
  commit for all of them is one flush of the database's log where a commit each was one
  flush each (a booking's three hooks: docs/benchmarks.md, "Commit hooks");
- each in a savepoint: a hook that fails (its task row meeting a lock timeout) is logged and
  undone alone, the hooks after it still run, and the change stands. The caller is told it
  succeeded, never "try again" (core/outage.py answers only what had not committed).

Hooks that call a processor between two transactions of their own (a payment's: a deposit
settled may be refunded at once) must not run inside another: their owner asks for them
`apart`, each on its own, outside any transaction, with the same logging.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)

Hook = Callable[[int], None]


def after_commit(hooks: Sequence[Hook], object_id: int, *, apart: bool = False) -> None:
    """Run `hooks` with `object_id` once the current transaction commits (at once outside one):
    together in one transaction, or with `apart` (or when there is only one) each on its own."""
    if apart or len(hooks) < 2:
        for hook in hooks:
            transaction.on_commit(partial(hook, object_id), robust=True)
    else:
        registered = list(hooks)  # those registered when the change was made
        transaction.on_commit(lambda: _run(registered, object_id), robust=True)


def _run(hooks: list[Hook], object_id: int) -> None:
    with transaction.atomic():
        for hook in hooks:
            try:
                with transaction.atomic():
                    hook(object_id)
            except Exception:
                logger.exception("After-commit hook %s(%s) failed", _name(hook), object_id)


def _name(hook: Hook) -> str:
    return getattr(hook, "__qualname__", repr(hook))
