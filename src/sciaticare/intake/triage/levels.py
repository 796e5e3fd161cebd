"""The triage levels, from ok to emergency (docs/clinical.md, "Triage levels")."""

from __future__ import annotations

import enum

__all__ = ["Level"]


class Level(enum.IntEnum):
    """Triage level; an IntEnum so that "the highest level wins" is plain ``max()``."""

    OK = 0
    SOON = 1
    URGENT = 2
    EMERGENCY = 3

    @property
    def code(self) -> str:
        """Stable lower-case code used in the API and the database: "ok", "soon", ..."""
        return self.name.lower()

    @classmethod
    def from_code(cls, code: str) -> Level:
        """The level for a code such as "urgent"; ``ValueError`` for anything else."""
        for level in cls:
            if level.code == code:
                return level
        raise ValueError(f"unknown triage level code: {code!r}")
