"""The search table: one row per therapist and place, kept by ``search_table.py``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import models
from django.db.models import Q

from sciaticare.directory.models.places import Location
from sciaticare.directory.models.profiles import TherapistProfile
from sciaticare.directory.ranking import MODALITIES

#: ``SearchEntry.licence_valid_until`` of a verified licence that does not expire.
NO_EXPIRY = date(9999, 12, 31)


class SearchEntry(models.Model):
    """One place where a therapist can be met — a location they work at, or their base for
    home visits — with everything the radius search filters and ranks on (derived data).

    Why a table of copies: a search near a city centre meets thousands of therapists and shows
    20. Reading each one's profile, user and session rows to filter and score them costs a
    lookup per candidate; with these rows, and ``directory_search_covering`` holding every
    column the ranked statement reads, the search reads index entries only
    (docs/architecture.md, "Directory").

    Rows exist for active therapists' places only. They are written by
    ``search_table.refresh`` in the same transaction as every change to an input (the
    services, the admin, a user's ``is_active``) and by ``search_table.rebuild``; nothing else
    writes them.
    """

    therapist = models.ForeignKey(TherapistProfile, on_delete=models.CASCADE, related_name="+")
    # None: a home visit from the therapist's base.
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    latitude = models.FloatField()
    longitude = models.FloatField()
    #: The strip of latitude the place lies in (``geo.latitude_band``): the covering index's
    #: first key, so that a search reads each strip its box crosses from the box's west edge to
    #: its east edge, and not every row at the box's latitudes across the country.
    latitude_band = models.PositiveSmallIntegerField()
    # How far from this place the therapist sees a client: their service radius for home
    # visits; None at premises (the search radius alone decides).
    reach_km = models.FloatField(null=True, blank=True)
    #: Bit ``i`` set when the therapist offers the ``i``-th modality of ``ranking.MODALITIES``.
    modalities = models.PositiveIntegerField(default=0)
    #: ISO 639-1 codes between commas (",en,pl,"), so one ``LIKE`` tests one language.
    languages = models.CharField(max_length=200, default=",")
    #: The standard session's price (None: no standard session, so no ``max_price`` match).
    standard_price = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    # A home visit meets step-free and parking; nobody has checked a portable table.
    step_free = models.BooleanField(default=False)
    parking = models.BooleanField(default=False)
    adjustable_table = models.BooleanField(default=False)
    accepting_new = models.BooleanField(default=True)
    #: Last day the verified licence is in force (``NO_EXPIRY`` when it does not expire);
    #: None when no licence is verified. Search compares it with today itself.
    licence_valid_until = models.DateField(null=True, blank=True)
    #: The therapist-only terms of ``ranking.score`` (sciatica, experience, reviews), weighted
    #: by ``ranking.DEFAULT_WEIGHTS`` and summed: ``ranking.therapist_part``.
    therapist_score = models.FloatField(default=0.0)
    #: The outcome term's value in [0, 1]; the prior (``ranking.unwired_term_values``) until
    #: outcomes supply a per-therapist figure (``search_table._outcome_terms``).
    outcome_term = models.FloatField(default=0.0)

    class Meta:
        indexes = [
            # Covering: the ranked statement reads every column it needs from this index, in a
            # range scan on longitude within each strip of latitude the box crosses (latitude
            # tested in the entry), with no table lookups.
            models.Index(
                fields=[
                    "latitude_band",
                    "longitude",
                    "latitude",
                    "modalities",
                    "licence_valid_until",
                    "therapist",
                    "reach_km",
                    "therapist_score",
                    "outcome_term",
                    "accepting_new",
                    "step_free",
                    "parking",
                    "adjustable_table",
                    "standard_price",
                    "languages",
                ],
                name="directory_search_covering",
            ),
            # The best figures anyone has, read at the top of each index: the bound on the score
            # of a place farther out, which lets a search near a crowded centre rank the places
            # nearest it alone (search_query.ranked_therapists).
            models.Index(fields=["therapist_score"], name="directory_search_top_score"),
            models.Index(fields=["outcome_term"], name="directory_search_top_outcome"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["therapist", "location"],
                name="%(app_label)s_%(class)s_one_per_location",
            ),
            models.UniqueConstraint(
                fields=["therapist"],
                condition=Q(location__isnull=True),
                name="%(app_label)s_%(class)s_one_home_visit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.therapist_id} at {self.location_id or 'home visits'}"


def modality_bits(codes: Iterable[str]) -> int:
    """``SearchEntry.modalities`` for these codes: bit ``i`` for the ``i``-th of MODALITIES."""
    wanted = set(codes)
    return sum(1 << i for i, code in enumerate(MODALITIES) if code in wanted)
