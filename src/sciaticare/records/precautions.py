"""Which pressures an intake's precautions forbid (docs/clinical.md, massage precautions). Pure.

The warnings are in the language being answered in (``core.translation``)."""

from __future__ import annotations

from collections.abc import Iterable

from sciaticare.core.translation import gettext, gettext_noop

# precaution code -> pressures it rules out, with why (NCCIH; NIH; contraindication lists whose
# attribution is pending confirmation: docs/clinical.md).
FORBIDDEN: dict[str, tuple[frozenset[str], str]] = {
    "no_deep_pressure": (
        frozenset({"firm"}),
        gettext_noop("Blood thinners or a bleeding disorder: no deep or forceful pressure."),
    ),
    "gentle_pressure": (
        frozenset({"moderate", "firm"}),
        gettext_noop("Osteoporosis or long-term steroids: gentle pressure only."),
    ),
}


def pressure_warnings(pressure: str, precautions: Iterable[str]) -> list[str]:
    """Warnings the therapist must acknowledge before signing a note with this pressure."""
    return [
        gettext(why)
        for code in precautions
        if code in FORBIDDEN
        for ruled_out, why in [FORBIDDEN[code]]
        if pressure in ruled_out
    ]
