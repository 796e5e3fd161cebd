"""The phase of an episode by its duration (ACP 2017; docs/clinical.md, "Episode phases")."""

from __future__ import annotations

import math
from typing import Literal

from sciaticare.core.translation import gettext_noop

__all__ = ["PHASE_WORDS", "Phase", "episode_phase"]

Phase = Literal["acute", "subacute", "chronic"]

#: Each phase in words, marked for translation: the brief shows ``gettext(PHASE_WORDS[phase])``.
PHASE_WORDS: dict[str, str] = {
    "acute": gettext_noop("acute"),
    "subacute": gettext_noop("subacute"),
    "chronic": gettext_noop("chronic"),
}


def episode_phase(onset_weeks: float) -> Phase:
    """The phase of the episode by ACP 2017 (docs/clinical.md), which the product uses.

    - under 4 weeks: "acute";
    - 4 to 12 weeks inclusive: "subacute" (so exactly 4 and exactly 12 are both subacute);
    - over 12 weeks: "chronic".

    UK GP guidance calls under 6 weeks acute; the product follows ACP. Raises ``ValueError``
    for a negative or NaN duration, which has no phase.
    """
    if math.isnan(onset_weeks) or onset_weeks < 0:
        raise ValueError(f"onset_weeks must be 0 or more, got {onset_weeks!r}")
    if onset_weeks < 4:
        return "acute"
    if onset_weeks <= 12:
        return "subacute"
    return "chronic"
