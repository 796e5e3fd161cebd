"""Distances on the Earth, and the latitude/longitude box that prefilters a radius search.

The directory search runs in two steps: a cheap, indexed range filter on the latitude and
longitude columns (:func:`bounding_box`), then the exact distance (:func:`great_circle_km`) on
the few rows that survive. The box only has to be a superset of the circle; the exact distance
decides.

The Earth is taken as a sphere of the IUGG mean radius. Against the WGS 84 ellipsoid this is
off by at most about 0.5 %, which is far below what matters for "how far is my therapist".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: IUGG mean Earth radius R1 = (2a + b) / 3 of WGS 84, in km (Moritz, "Geodetic Reference
#: System 1980", Journal of Geodesy 2000).
EARTH_MEAN_RADIUS_KM = 6371.0088

# Widen the box by about 0.1 mm so that floating-point rounding can never drop a point lying
# exactly on the circle; the exact distance check afterwards removes anything extra.
_MARGIN_DEG = 1e-9


#: A home-visit base is listed on this grid (about 2.2 km north-south, 1.3 km east-west in
#: Britain), never at its own point: the base is often the therapist's home, and exact
#: distances from three places would pin it down. Deterministic, so it cannot be averaged out.
HOME_BASE_GRID_DEG = 0.02


def snap_to_grid(
    lat: float, lon: float, *, step: float = HOME_BASE_GRID_DEG
) -> tuple[float, float]:
    """The grid point nearest `(lat, lon)`: what the search measures a home-visit base from."""
    return (
        max(-90.0, min(90.0, round(round(lat / step) * step, 6))),
        max(-180.0, min(180.0, round(round(lon / step) * step, 6))),
    )


#: The search table indexes places by strips of latitude this high (about 2.2 km), then by
#: longitude: a search reads each strip its box crosses from the box's west edge to its east
#: edge. Ordered by latitude alone, it read every place at the box's latitudes from coast to
#: coast (a third more than the box near New York, far more for a small box).
LATITUDE_BAND_DEG = 0.02


def latitude_band(lat: float) -> int:
    """The strip of latitude ``lat`` lies in: 0 at the South Pole, counting north (9,000 at
    the North Pole). Non-decreasing in ``lat``, so the strips of a box's edges bound those of
    every point inside it."""
    return math.floor((lat + 90.0) / LATITUDE_BAND_DEG)


def _check_latitude(lat: float, name: str) -> None:
    if not (-90.0 <= lat <= 90.0):  # also rejects NaN
        raise ValueError(f"{name} must be between -90 and 90 degrees, got {lat!r}")


def _check_longitude(lon: float, name: str) -> None:
    if not math.isfinite(lon):
        raise ValueError(f"{name} must be a finite number of degrees, got {lon!r}")


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in km between two points given in decimal degrees.

    Haversine formula (R. W. Sinnott, "Virtues of the Haversine", Sky & Telescope 68(2), 1984),
    in its ``atan2`` form so that it stays accurate for both tiny and antipodal separations.
    Latitudes must lie in [-90, 90]; any finite longitude is accepted (it wraps).
    """
    _check_latitude(lat1, "lat1")
    _check_latitude(lat2, "lat2")
    _check_longitude(lon1, "lon1")
    _check_longitude(lon2, "lon2")
    phi1 = math.radians(lat1)
    phi2 = math.radians(lat2)
    d_phi = math.radians(lat2 - lat1)
    d_lambda = math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    h = min(1.0, max(0.0, h))  # rounding can push h a hair outside [0, 1]
    return 2 * EARTH_MEAN_RADIUS_KM * math.atan2(math.sqrt(h), math.sqrt(1 - h))


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """A latitude/longitude box, in decimal degrees, that contains a search circle.

    Longitudes lie in [-180, 180]. When the box crosses the antimeridian (180°), ``min_lon``
    is *greater* than ``max_lon`` — the convention of GeoJSON bounding boxes (RFC 7946 §5.2) —
    and :attr:`crosses_antimeridian` is true. A plain ``BETWEEN min_lon AND max_lon`` is then
    wrong: query the ranges from :meth:`lon_ranges` instead, OR-ed together.
    """

    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float

    @property
    def crosses_antimeridian(self) -> bool:
        """True when the box wraps past 180°, so it is two longitude ranges, not one."""
        return self.min_lon > self.max_lon

    def lon_ranges(self) -> tuple[tuple[float, float], ...]:
        """The longitude ranges to filter on, each ``(low, high)`` with ``low <= high``.

        One range normally; two (``(min_lon, 180)`` and ``(-180, max_lon)``) when the box
        crosses the antimeridian.
        """
        if self.crosses_antimeridian:
            return ((self.min_lon, 180.0), (-180.0, self.max_lon))
        return ((self.min_lon, self.max_lon),)

    def latitude_bands(self) -> range:
        """The strips of latitude (:func:`latitude_band`) the box crosses, south to north."""
        return range(latitude_band(self.min_lat), latitude_band(self.max_lat) + 1)

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point is inside the box (edges included); longitude may be any value."""
        if not (self.min_lat <= lat <= self.max_lat):
            return False
        width = self.max_lon - self.min_lon
        if self.crosses_antimeridian:
            width += 360.0
        if width >= 360.0:
            return True
        # Measure eastwards from the western edge, modulo a full turn, so -180 and 180 agree.
        return (lon - self.min_lon) % 360.0 <= width


def _wrap_longitude(lon: float) -> float:
    """Bring a longitude into [-180, 180), leaving values already in [-180, 180] alone."""
    if -180.0 <= lon <= 180.0:
        return lon
    return (lon + 180.0) % 360.0 - 180.0


def bounding_box(lat: float, lon: float, radius_km: float) -> BoundingBox:
    """Return a box containing every point within ``radius_km`` of ``(lat, lon)``.

    Method: J. P. Matuschek, "Finding Points Within a Distance of a Latitude/Longitude Using
    Bounding Coordinates" (2011). The latitude span is ``±radius / R``. The longitude half-width
    is ``asin(sin(radius / R) / cos(lat))``, which widens as the centre moves towards a pole.

    - **Poles.** When the circle reaches a pole, latitudes are clamped to ±90 and the box spans
      every longitude (-180 to 180).
    - **Antimeridian.** When the circle crosses 180°, the box is returned with
      ``min_lon > max_lon``; use :meth:`BoundingBox.lon_ranges` to split it into two ranges.

    The box is widened by about 0.1 mm so rounding never excludes a point on the circle itself.
    """
    _check_latitude(lat, "lat")
    _check_longitude(lon, "lon")
    if not (radius_km >= 0.0 and math.isfinite(radius_km)):
        raise ValueError(f"radius_km must be a finite number >= 0, got {radius_km!r}")

    angular = radius_km / EARTH_MEAN_RADIUS_KM  # radians
    d_lat = math.degrees(angular) + _MARGIN_DEG
    min_lat = lat - d_lat
    max_lat = lat + d_lat
    if min_lat <= -90.0 or max_lat >= 90.0 or angular >= math.pi / 2:
        # A pole lies inside the circle (or the circle is a hemisphere or more): the circle
        # touches every meridian.
        return BoundingBox(max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0)

    # Here |lat| + angular < 90°, so sin(angular) < cos(lat) and the asin is defined.
    d_lon = math.degrees(math.asin(math.sin(angular) / math.cos(math.radians(lat))))
    d_lon += _MARGIN_DEG
    centre = _wrap_longitude(lon)
    min_lon = centre - d_lon
    max_lon = centre + d_lon
    # Wrap an edge that reaches ±180 exactly as well, so the ranges from lon_ranges() also
    # match points stored with the other spelling of the antimeridian (-180 vs 180).
    if min_lon <= -180.0:
        min_lon += 360.0
    if max_lon >= 180.0:
        max_lon -= 360.0
    return BoundingBox(min_lat, max_lat, min_lon, max_lon)
