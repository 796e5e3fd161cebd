"""What the therapist must do differently: the massage precautions a "yes" gives, each with its
source (docs/clinical.md, "Massage precautions")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from sciaticare.core.translation import gettext_noop

__all__ = ["PRECAUTIONS", "Precaution"]


@dataclass(frozen=True)
class Precaution:
    """What the therapist must do differently; the level is unchanged by a precaution. The
    words are English, marked for translation: pages translate them where they show them."""

    code: str
    plain: str
    clinical: str
    source: str


# The attribution to these lists is the product's reading, pending confirmation (docs/clinical.md).
_MASSAGE_SOURCE = gettext_noop("NCCIH; NIH patient information; Mayo-style contraindication lists")

# Order here is the fixed order precautions are listed in a result (the table's order).
PRECAUTIONS: Mapping[str, Precaution] = MappingProxyType(
    {
        p.code: p
        for p in (
            Precaution(
                "no_massage_affected_leg",
                gettext_noop("No massage on the swollen or painful leg."),
                gettext_noop(
                    "Possible deep vein thrombosis: do not massage the affected leg "
                    "(strict contraindication)."
                ),
                gettext_noop("UCLH DVT patient page"),
            ),
            Precaution(
                "gentle_pressure",
                gettext_noop("Gentle pressure only."),
                gettext_noop("Osteoporosis or long-term steroid use: gentle pressure only."),
                _MASSAGE_SOURCE,
            ),
            Precaution(
                "no_deep_pressure",
                gettext_noop("No deep or forceful pressure."),
                gettext_noop(
                    "Anticoagulants, bleeding disorder or low platelets: no deep or forceful pressure."
                ),
                _MASSAGE_SOURCE,
            ),
            Precaution(
                "check_with_midwife",
                gettext_noop(
                    "Check with your midwife or doctor before massage. You will lie on your side."
                ),
                gettext_noop(
                    "Pregnancy: the person checks with their midwife or doctor first; "
                    "side-lying positioning."
                ),
                _MASSAGE_SOURCE,
            ),
            Precaution(
                "avoid_surgical_site",
                gettext_noop(
                    "No massage over the area of your operation. Ask your surgeon when massage "
                    "is safe."
                ),
                gettext_noop(
                    "Recent surgery: avoid the surgical site; ask the surgeon about timing "
                    "(no agreed window)."
                ),
                _MASSAGE_SOURCE,
            ),
            Precaution(
                "avoid_affected_skin",
                gettext_noop("No massage over wounds, burns, rashes or infected skin."),
                gettext_noop(
                    "Open or healing wounds, burns, rashes, infection or acute inflammation: "
                    "avoid the area."
                ),
                _MASSAGE_SOURCE,
            ),
        )
    }
)
