"""How well a therapist matches a person's search, as a score with reasons in plain words.

The score is a weighted mean of *terms*, each a number in [0, 1]::

    score = sum(weight[t] * term[t]) / sum(weight[t])        # always in [0, 1]

Terms, with their default weights (:class:`Weights`):

- ``distance`` 0.30 — ``1 - distance_km / radius_km``, floored at 0.
- ``sciatica`` 0.20 — ``y / (y + 3)`` for ``y = sciatica_years``: half value at 3 years.
- ``experience`` 0.05 — ``y / (y + 5)`` for ``y = experience_years``.
- ``licence`` 0.10 — 1 when ``licence_verified_on`` is set, else 0.
- ``reviews`` 0.15 — the Bayesian mean star rating, rescaled from 1–5 to 0–1.
- ``fit`` 0.10 — the share of the person's needs (:class:`PatientFit`) the modalities meet;
  1 when the person has none.
- ``soonness`` 0.05 — ``7 / (7 + next_available_days)``: half value a week away; 0 when None.
- ``outcome`` 0.05 — shrunk median relief in 0–10 points over 4 points, clamped to [0, 1].

Terms fed by other apps (soonness from scheduling, outcome from outcomes) take ``None`` until
those apps supply them. ``None`` has a fixed value — 0 for soonness ("no free slot known"), the
prior for outcomes — so while a term is unwired it is the same for every candidate and reorders
nothing.

Reviews use the Bayesian average ``(n * mean + m * prior_mean) / (n + m)``: with few reviews the
figure stays near the site-wide mean, so one 5★ review ranks below forty 4.8★ reviews.

Outcomes are observational and confounded (who chooses whom), so their weight is small, they
count only from ``outcome_min_patients`` patients on, and they are shrunk towards a prior the
same way reviews are.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Protocol, Self

from sciaticare.core.display import day, decimal
from sciaticare.core.translation import gettext, gettext_noop, language, ngettext

#: Massage modalities a therapist can offer: stable code → label for people, in English (the
#: directory's catalogue translates them: :func:`modality_name`).
MODALITIES: Mapping[str, str] = MappingProxyType(
    {
        "swedish": gettext_noop("Swedish massage"),
        "deep_tissue": gettext_noop("Deep tissue massage"),
        "trigger_point": gettext_noop("Trigger point therapy"),
        "myofascial_release": gettext_noop("Myofascial release"),
        "neuromuscular": gettext_noop("Neuromuscular therapy"),
        "sports": gettext_noop("Sports massage"),
        "prenatal": gettext_noop("Prenatal massage"),
    }
)


def modality_name(code: str) -> str:
    """A modality's label in the language being answered in; an unknown code as words."""
    return gettext(MODALITIES[code]) if code in MODALITIES else code.replace("_", " ")


#: Modalities that can be given with gentle pressure, for people whose precautions ask for
#: gentle or no deep pressure (docs/clinical.md: anticoagulants, osteoporosis, cancer).
GENTLE_MODALITIES: frozenset[str] = frozenset({"swedish", "myofascial_release"})

#: The modality that suits a pregnant person (side-lying positioning; docs/clinical.md).
PRENATAL_MODALITY = "prenatal"


@dataclass(frozen=True, slots=True)
class Candidate:
    """What the ranking knows about one therapist in one search.

    ``review_mean`` is on the 1–5 star scale and is ignored when ``review_count`` is 0.
    ``next_available_days`` is the time from now to the first free slot (None: none known).
    ``outcome_median_relief`` is the median drop in 0–10 pain points that this therapist's
    patients report, over ``outcome_patients`` patients (None / 0 when unknown).
    ``outcome_term_stored`` is the outcome term already worked out from those and the measured
    overall mean, as the search table keeps it (the SQL ranked by it); None: it is worked out
    here, shrunk towards the weights' prior. A stored term was shrunk with the default
    weights' prior strength, so it stands whatever weights ``score`` is given.
    ``whole_km``: the distance is said in whole kilometres (a home visit's, which must not
    narrow down where the therapist's base is); it is scored as given.
    """

    distance_km: float
    radius_km: float
    sciatica_years: int
    experience_years: int
    licence_verified_on: date | None
    review_count: int
    review_mean: float | None
    modalities: frozenset[str]
    next_available_days: float | None = None
    outcome_median_relief: float | None = None
    outcome_patients: int = 0
    outcome_term_stored: float | None = None
    whole_km: bool = False

    def __post_init__(self) -> None:
        if not (self.distance_km >= 0.0 and math.isfinite(self.distance_km)):
            raise ValueError(f"distance_km must be a finite number >= 0, got {self.distance_km}")
        if not (self.radius_km >= 0.0 and math.isfinite(self.radius_km)):
            raise ValueError(f"radius_km must be a finite number >= 0, got {self.radius_km}")
        if self.sciatica_years < 0 or self.experience_years < 0:
            raise ValueError("years of experience cannot be negative")
        if self.review_count < 0 or self.outcome_patients < 0:
            raise ValueError("counts cannot be negative")
        if self.review_mean is not None and not (1.0 <= self.review_mean <= 5.0):
            raise ValueError(f"review_mean must be between 1 and 5, got {self.review_mean}")
        if self.next_available_days is not None and not (self.next_available_days >= 0.0):
            raise ValueError("next_available_days must be >= 0")
        if self.outcome_term_stored is not None and not (0.0 <= self.outcome_term_stored <= 1.0):
            raise ValueError("outcome_term_stored must be between 0 and 1")
        unknown = self.modalities - MODALITIES.keys()
        if unknown:
            raise ValueError(f"unknown modality codes: {sorted(unknown)}")


@dataclass(frozen=True, slots=True)
class PatientFit:
    """What about the person searching changes which therapist suits them.

    ``gentle_pressure`` is true when any precaution asks for gentle pressure or no deep
    pressure (docs/clinical.md precautions ``gentle_pressure`` and ``no_deep_pressure``).
    """

    pregnant: bool = False
    gentle_pressure: bool = False
    preferred_modalities: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Weights:
    """The weight of each term, and the constants that shape the terms.

    Defaults sum to 1 and were chosen by judgement, not fitted: distance and sciatica experience
    matter most for a person in pain; reviews next, shrunk; a verified licence and a fit with
    the person's precautions are safety signals; soonness and outcomes start small until there
    is data to tune them. A weight of 0 switches a term off.
    """

    distance: float = 0.30
    sciatica: float = 0.20
    experience: float = 0.05
    licence: float = 0.10
    reviews: float = 0.15
    fit: float = 0.10
    soonness: float = 0.05
    outcome: float = 0.05

    #: Years at which experience counts half of its full value (diminishing returns).
    sciatica_half_years: float = 3.0
    experience_half_years: float = 5.0
    #: Site-wide mean star rating that few reviews are pulled towards, and its weight in
    #: reviews. Replace ``prior_mean`` with the measured site mean once there are reviews.
    prior_mean: float = 4.3
    prior_weight: float = 10.0
    #: Days until a free slot at which soonness counts half.
    soonness_half_days: float = 7.0
    #: Outcomes count only from this many patients on (fewer: the prior stands).
    outcome_min_patients: int = 10
    #: Median relief in 0–10 points that unknown outcomes are assumed to have, and its weight
    #: in patients. A placeholder until the site-wide median is measured.
    outcome_prior_relief: float = 1.5
    outcome_prior_weight: float = 10.0
    #: Median relief at which the outcome term is full (two MCIDs of 2 points, docs/clinical.md).
    outcome_full_points: float = 4.0

    def __post_init__(self) -> None:
        weights = self.term_weights()
        if any(not (w >= 0.0 and math.isfinite(w)) for w in weights.values()):
            raise ValueError("weights must be finite numbers >= 0")
        if sum(weights.values()) <= 0.0:
            raise ValueError("at least one weight must be positive")
        if not (1.0 <= self.prior_mean <= 5.0):
            raise ValueError("prior_mean must be between 1 and 5")
        positive = (
            self.sciatica_half_years,
            self.experience_half_years,
            self.soonness_half_days,
            self.outcome_full_points,
        )
        if any(not (v > 0.0) for v in positive):
            raise ValueError("half-values and outcome_full_points must be > 0")
        if self.prior_weight < 0.0 or self.outcome_prior_weight < 0.0:
            raise ValueError("prior weights must be >= 0")

    def term_weights(self) -> dict[str, float]:
        """The weight of each term by name, in the order the terms are documented."""
        return {
            "distance": self.distance,
            "sciatica": self.sciatica,
            "experience": self.experience,
            "licence": self.licence,
            "reviews": self.reviews,
            "fit": self.fit,
            "soonness": self.soonness,
            "outcome": self.outcome,
        }


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True, slots=True)
class Ranked:
    """A candidate's score in [0, 1], the plain-word reasons, and each term's value in [0, 1]."""

    score: float
    reasons: tuple[str, ...]
    terms: Mapping[str, float] = field(default_factory=dict)

    @property
    def percent(self) -> int:
        """The score as a whole percentage, for display (sort on :attr:`score`)."""
        return round(self.score * 100)


def bayesian_mean(count: int, mean: float | None, prior_mean: float, prior_weight: float) -> float:
    """``(n * mean + m * prior) / (n + m)``; the prior alone when there is nothing to average."""
    if count <= 0 or mean is None:
        return prior_mean
    return (count * mean + prior_weight * prior_mean) / (count + prior_weight)


def _saturating(value: float, half: float) -> float:
    return value / (value + half) if value > 0 else 0.0


def _distance_term(c: Candidate) -> float:
    if c.radius_km <= 0.0:
        return 1.0 if c.distance_km <= 0.0 else 0.0
    return max(0.0, 1.0 - c.distance_km / c.radius_km)


def fit_needs(fit: PatientFit) -> tuple[frozenset[str], ...]:
    """The person's needs, each as the modalities any one of which meets it.

    The ``fit`` term is the share of these needs a therapist's modalities meet (1 when there
    are none). The directory's SQL ranking builds its fit expression from this list.
    """
    needs: list[frozenset[str]] = []
    if fit.pregnant:
        needs.append(frozenset({PRENATAL_MODALITY}))
    if fit.gentle_pressure:
        needs.append(GENTLE_MODALITIES)
    if fit.preferred_modalities:
        needs.append(frozenset(fit.preferred_modalities))
    return tuple(needs)


def unwired_term_values(weights: Weights = DEFAULT_WEIGHTS) -> dict[str, float]:
    """The value of each term whose input no app supplies yet (the same for every candidate)."""
    return {
        "soonness": 0.0,
        "outcome": min(1.0, max(0.0, weights.outcome_prior_relief / weights.outcome_full_points)),
    }


def _fit(c: Candidate, fit: PatientFit) -> tuple[float, list[str]]:
    """Share of the person's needs the therapist meets (1 when there are none), and reasons."""
    needs = 0
    met = 0
    reasons: list[str] = []
    if fit.pregnant:
        needs += 1
        if PRENATAL_MODALITY in c.modalities:
            met += 1
            reasons.append(gettext("offers prenatal massage"))
    if fit.gentle_pressure:
        needs += 1
        if c.modalities & GENTLE_MODALITIES:
            met += 1
            reasons.append(gettext("gentle techniques suited to your precautions"))
    if fit.preferred_modalities:
        needs += 1
        wanted = sorted(fit.preferred_modalities & c.modalities)
        if wanted:
            met += 1
            labels = ", ".join(modality_name(code) for code in wanted)
            reasons.append(
                gettext("offers techniques you asked for: %(labels)s") % {"labels": labels}
            )
    return (met / needs if needs else 1.0), reasons


# A search page writes some 150 reasons, nearly all the same few words about the same
# therapists: each is written once per language and kept (a third of a search's Python went
# on translating and formatting them; docs/benchmarks.md, "Kept answers").
@functools.lru_cache(maxsize=4096)
def _km_away(said_in: str, km: str) -> str:
    """`km` as written to one decimal ("2.5") or whole ("4"), so that the same words are
    kept once."""
    digits = len(km.partition(".")[2])
    return gettext("%(km)s km away") % {"km": decimal(float(km), digits)}


@functools.lru_cache(maxsize=20_000)
def _standing_reasons(
    said_in: str,
    sciatica_years: int,
    experience_years: int,
    licence_verified_on: date | None,
    review_count: int,
    review_mean: float | None,
) -> tuple[str, ...]:
    """The reasons that depend on the therapist alone, in `said_in` (the active language)."""
    reasons = []
    if sciatica_years > 0:
        n = sciatica_years
        reasons.append(
            ngettext("treats sciatica for %(n)d year", "treats sciatica for %(n)d years", n)
            % {"n": n}
        )
    if experience_years > 0:
        n = experience_years
        reasons.append(ngettext("%(n)d year in practice", "%(n)d years in practice", n) % {"n": n})
    if licence_verified_on is not None:
        reasons.append(
            gettext("licence verified %(day)s") % {"day": day(licence_verified_on, "medium")}
        )
    else:
        reasons.append(gettext("licence not yet verified"))
    if review_count > 0 and review_mean is not None:
        reasons.append(
            ngettext("%(stars)s★ from %(n)d review", "%(stars)s★ from %(n)d reviews", review_count)
            % {"stars": decimal(review_mean), "n": review_count}
        )
    else:
        reasons.append(gettext("no reviews yet"))
    return tuple(reasons)


@functools.lru_cache(maxsize=20_000)
def _outcome_line(
    said_in: str, median_relief: float | None, patients: int, min_patients: int
) -> str | None:
    if median_relief is None or patients < min_patients or median_relief <= 0:
        return None
    return ngettext(
        "patients report a median %(points)s-point drop in pain (%(n)d patient)",
        "patients report a median %(points)s-point drop in pain (%(n)d patients)",
        patients,
    ) % {"points": decimal(median_relief), "n": patients}


def _soonness_reason(days: float) -> str:
    if days < 1.0:
        return gettext("free within a day")
    whole = math.ceil(days)
    return ngettext("free within %(n)d day", "free within %(n)d days", whole) % {"n": whole}


def therapist_part(
    *,
    sciatica_years: int,
    experience_years: int,
    review_count: int,
    review_mean: float | None,
    weights: Weights = DEFAULT_WEIGHTS,
) -> float:
    """The weighted sum of the terms that depend on the therapist alone: sciatica, experience
    and reviews (``weights.sciatica * term + …``, not yet divided by the total weight).

    The directory's search table stores it per therapist so that SQL adds only the terms that
    depend on the search; it equals those terms of :func:`score`, computed the same way.
    """
    review_avg = bayesian_mean(review_count, review_mean, weights.prior_mean, weights.prior_weight)
    return (
        weights.sciatica * _saturating(sciatica_years, weights.sciatica_half_years)
        + weights.experience * _saturating(experience_years, weights.experience_half_years)
        + weights.reviews * min(1.0, max(0.0, (review_avg - 1.0) / 4.0))
    )


def score(
    candidate: Candidate,
    fit: PatientFit,
    weights: Weights = DEFAULT_WEIGHTS,
    *,
    prior_mean: float | None = None,
    prior_weight: float | None = None,
) -> Ranked:
    """Score one candidate for one person; see the module docstring for the formula.

    ``prior_mean`` / ``prior_weight`` override the review prior in ``weights`` for this call,
    for callers that measure the site-wide mean at query time.
    """
    c = candidate
    m_mean = weights.prior_mean if prior_mean is None else prior_mean
    m_weight = weights.prior_weight if prior_weight is None else prior_weight
    said_in = language()
    reasons = [
        _km_away(said_in, f"{c.distance_km:.0f}" if c.whole_km else f"{c.distance_km:.1f}"),
        *_standing_reasons(
            said_in,
            c.sciatica_years,
            c.experience_years,
            c.licence_verified_on,
            c.review_count,
            c.review_mean,
        ),
    ]
    review_avg = bayesian_mean(c.review_count, c.review_mean, m_mean, m_weight)

    fit_value, fit_reasons = _fit(c, fit)
    reasons.extend(fit_reasons)

    if c.next_available_days is None:
        soonness = unwired_term_values(weights)["soonness"]
    else:
        soonness = weights.soonness_half_days / (weights.soonness_half_days + c.next_available_days)
        reasons.append(_soonness_reason(c.next_available_days))

    outcome_line = _outcome_line(
        said_in, c.outcome_median_relief, c.outcome_patients, weights.outcome_min_patients
    )
    if outcome_line is not None:
        reasons.append(outcome_line)

    terms = {
        "distance": _distance_term(c),
        "sciatica": _saturating(c.sciatica_years, weights.sciatica_half_years),
        "experience": _saturating(c.experience_years, weights.experience_half_years),
        "licence": 1.0 if c.licence_verified_on is not None else 0.0,
        "reviews": min(1.0, max(0.0, (review_avg - 1.0) / 4.0)),
        "fit": fit_value,
        "soonness": soonness,
        "outcome": c.outcome_term_stored
        if c.outcome_term_stored is not None
        else outcome_term(c.outcome_median_relief, c.outcome_patients, weights),
    }
    term_weights = weights.term_weights()
    total = sum(term_weights[name] * value for name, value in terms.items())
    value = total / sum(term_weights.values())
    return Ranked(score=min(1.0, max(0.0, value)), reasons=tuple(reasons), terms=terms)


class _Orderable(Protocol):
    def __lt__(self, other: Self, /) -> bool: ...


def rank[K: _Orderable](
    candidates: Sequence[tuple[K, Candidate]],
    fit: PatientFit,
    weights: Weights = DEFAULT_WEIGHTS,
    *,
    prior_mean: float | None = None,
    prior_weight: float | None = None,
) -> list[tuple[K, Ranked]]:
    """Score every candidate and order them: score descending, then distance, then key.

    The order is total and repeatable for distinct keys, so pagination is stable.
    """
    scored = [
        (key, c, score(c, fit, weights, prior_mean=prior_mean, prior_weight=prior_weight))
        for key, c in candidates
    ]
    scored.sort(key=lambda item: (-item[2].score, item[1].distance_km, item[0]))
    return [(key, ranked) for key, _, ranked in scored]


# --- The outcome term (issue 7, point 4) ----------------------------------------------------
#
# Fed by ``outcomes.practice_selectors.outcome_terms(therapist_ids)``: each therapist's median
# immediate relief and the patients behind it (stored daily, only from 10 patients), and the
# overall patient-weighted mean to shrink towards.


def outcome_relief(
    median_relief: float | None,
    patients: int,
    weights: Weights = DEFAULT_WEIGHTS,
    *,
    prior_relief: float | None = None,
) -> float:
    """A therapist's median relief (0–10 points) shrunk towards the overall figure.

    ``(n * median + m * prior) / (n + m)`` with ``m = weights.outcome_prior_weight``, like
    the reviews' Bayesian mean: few patients leave the figure near the prior, many let it speak.
    Below ``weights.outcome_min_patients`` patients, or with no median, the prior stands.
    ``prior_relief`` is the measured overall mean; ``weights.outcome_prior_relief`` until then.
    """
    prior = weights.outcome_prior_relief if prior_relief is None else prior_relief
    if median_relief is None or patients < weights.outcome_min_patients:
        return prior
    return (patients * median_relief + weights.outcome_prior_weight * prior) / (
        patients + weights.outcome_prior_weight
    )


def outcome_term(
    median_relief: float | None,
    patients: int,
    weights: Weights = DEFAULT_WEIGHTS,
    *,
    prior_relief: float | None = None,
) -> float:
    """The ``outcome`` term in [0, 1]: shrunk relief over ``outcome_full_points``, clamped."""
    relief = outcome_relief(median_relief, patients, weights, prior_relief=prior_relief)
    return min(1.0, max(0.0, relief / weights.outcome_full_points))


def outcome_reason(
    median_relief: float | None, patients: int, weights: Weights = DEFAULT_WEIGHTS
) -> str | None:
    """The reason line, stating what patients reported (not the shrunk figure), or None when
    there is nothing to say: too few patients, or no drop."""
    return _outcome_line(language(), median_relief, patients, weights.outcome_min_patients)
