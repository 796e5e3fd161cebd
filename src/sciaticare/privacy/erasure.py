"""Where each app says how to erase a person's data and tidy its kept copies.

Privacy sits low in the order of apps (docs/architecture.md) so that the apps it erases from
can read its policy; it cannot import them. Each app that holds a row of ``services.ERASED``
registers its own eraser in its ``AppConfig.ready()``, so only the owner of a table writes it,
while what is erased and what is kept still reads in one place (``services.ERASED``/``KEPT``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sciaticare.accounts.models import User


class Eraser(Protocol):
    def __call__(self, *, patient: User, now: datetime) -> None: ...


@dataclass(frozen=True)
class Purge:
    """A daily deletion of copies past their keeping time; ``what`` names them in the command's
    report ("old archive(s)")."""

    what: str
    run: Callable[[], int]


_erasers: dict[str, Eraser] = {}
_purges: dict[str, Purge] = {}


def register_eraser(app_label: str, eraser: Eraser) -> None:
    """``eraser(patient=, now=)`` erases the app's rows listed in ``services.ERASED`` inside the
    caller's transaction. Registering again under one label replaces (ready() may run twice in
    tests)."""
    _erasers[app_label] = eraser


def register_purge(app_label: str, what: str, run: Callable[[], int]) -> None:
    _purges[f"{app_label}:{what}"] = Purge(what=what, run=run)


def erasers() -> dict[str, Eraser]:
    return dict(_erasers)


def purges() -> list[Purge]:
    return list(_purges.values())
