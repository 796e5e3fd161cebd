"""``{% public_outcomes profile %}``: a therapist's stored outcome figures on their public
profile, only when one reaches the threshold (one query; nothing shown otherwise)."""

from __future__ import annotations

from typing import Any

from django import template

from sciaticare.outcomes import practice, practice_selectors

register = template.Library()


@register.inclusion_tag("outcomes/_public_outcomes.html")
def public_outcomes(profile: Any) -> dict[str, Any]:
    return {
        "public": practice_selectors.public_outcomes(profile_id=profile.pk),
        "min_patients": practice.MIN_PATIENTS,
    }
