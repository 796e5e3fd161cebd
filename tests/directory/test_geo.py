import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.directory.geo import (
    EARTH_MEAN_RADIUS_KM,
    LATITUDE_BAND_DEG,
    BoundingBox,
    bounding_box,
    great_circle_km,
    latitude_band,
)

R = EARTH_MEAN_RADIUS_KM

latitudes = st.floats(min_value=-90.0, max_value=90.0)
longitudes = st.floats(min_value=-180.0, max_value=180.0)


def chord_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Independent reference: straight chord between unit vectors, turned into an arc.

    d = 2R·asin(|u1 − u2| / 2) for unit vectors u on the sphere; no haversine involved.
    """

    def unit(lat: float, lon: float) -> tuple[float, float, float]:
        phi, lam = math.radians(lat), math.radians(lon)
        return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))

    chord = math.dist(unit(lat1, lon1), unit(lat2, lon2))
    return 2 * R * math.asin(min(1.0, chord / 2))


def destination(
    lat: float, lon: float, bearing_deg: float, distance_km: float
) -> tuple[float, float]:
    """Point reached from (lat, lon) along an initial bearing (spherical direct formula)."""
    phi1, lam1, theta = math.radians(lat), math.radians(lon), math.radians(bearing_deg)
    delta = distance_km / R
    sin_phi2 = math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta)
    phi2 = math.asin(max(-1.0, min(1.0, sin_phi2)))
    lam2 = lam1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi1),
        math.cos(delta) - math.sin(phi1) * sin_phi2,
    )
    lon2 = (math.degrees(lam2) + 540.0) % 360.0 - 180.0
    return math.degrees(phi2), lon2


# Expected distances on the sphere of radius 6371.0088 km. Where a published worked example used
# another radius, the figure is rescaled by 6371.0088 / R_published (distance is linear in R).
CITY_PAIRS = [
    # City centres; 343.557 km by the chord method above, matching the ≈343.5 km usually
    # quoted for London–Paris (e.g. Veness, movable-type.co.uk/scripts/latlong.html, R=6371).
    pytest.param(51.5074, -0.1278, 48.8566, 2.3522, 343.557, id="london-paris"),
    # 3935.752 km by the chord method; commonly quoted as ≈3936 km great-circle.
    pytest.param(40.7128, -74.0060, 34.0522, -118.2437, 3935.752, id="new_york-los_angeles"),
    # Published: 5918.185064088764 km with R = 6371 (Stack Overflow answer "Calculate distance
    # between 2 GPS coordinates", London (51.5, 0) to Arlington (38.8, -77.1)).
    pytest.param(51.5, 0.0, 38.8, -77.1, 5918.185064088764 * R / 6371.0, id="london-arlington"),
    # Published: 5574.840456848555 km with R = 6371, Statue of Liberty to Big Ben.
    pytest.param(
        40.6892, -74.0445, 51.5007, -0.1246, 5574.840456848555 * R / 6371.0, id="liberty-big_ben"
    ),
    # Published: 17760.054 km with R = 6372.1 (Project Lovelace, "Flight paths" example).
    pytest.param(
        46.283, 86.667, -48.877, -123.393, 17760.054 * R / 6372.1, id="lovelace-long_haul"
    ),
    # Across the antimeridian: Sydney to Auckland, 2155.901 km by the chord method.
    pytest.param(-33.8688, 151.2093, -36.8485, 174.7633, 2155.901, id="sydney-auckland"),
    pytest.param(-18.1416, 178.4419, -13.8333, -171.7667, 1150.704, id="suva-apia"),
]


@pytest.mark.parametrize(("lat1", "lon1", "lat2", "lon2", "expected_km"), CITY_PAIRS)
def test_known_city_pairs_match_reference_within_100_m(lat1, lon1, lat2, lon2, expected_km):
    assert great_circle_km(lat1, lon1, lat2, lon2) == pytest.approx(expected_km, abs=0.1)
    assert great_circle_km(lat2, lon2, lat1, lon1) == pytest.approx(expected_km, abs=0.1)


def test_london_paris_is_about_343_5_km():
    assert 343.4 <= great_circle_km(51.5074, -0.1278, 48.8566, 2.3522) <= 343.7


def test_new_york_los_angeles_is_between_3935_and_3945_km():
    assert 3935.0 <= great_circle_km(40.7128, -74.0060, 34.0522, -118.2437) <= 3945.0


@given(latitudes, longitudes)
def test_distance_from_a_point_to_itself_is_zero(lat, lon):
    assert great_circle_km(lat, lon, lat, lon) == 0.0


@pytest.mark.parametrize(
    ("lat1", "lon1", "lat2", "lon2"),
    [
        (0.0, 0.0, 0.0, 180.0),
        (90.0, 0.0, -90.0, 0.0),
        (51.5074, -0.1278, -51.5074, 179.8722),
        (-33.8688, 151.2093, 33.8688, -28.7907),
    ],
)
def test_antipodes_are_half_the_circumference_apart(lat1, lon1, lat2, lon2):
    # π · 6371.0088 = 20015.087 km
    assert great_circle_km(lat1, lon1, lat2, lon2) == pytest.approx(math.pi * R, abs=0.1)


def test_longitudes_wrap():
    assert great_circle_km(0.0, 179.5, 0.0, -179.5) == pytest.approx(
        great_circle_km(0.0, 0.0, 0.0, 1.0)
    )
    assert great_circle_km(10.0, 370.0, 10.0, 10.0) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    ("lat1", "lon1", "lat2", "lon2"),
    [
        (91.0, 0.0, 0.0, 0.0),
        (0.0, 0.0, -90.5, 0.0),
        (math.nan, 0.0, 0.0, 0.0),
        (0.0, math.inf, 0, 0),
    ],
)
def test_invalid_coordinates_are_rejected(lat1, lon1, lat2, lon2):
    with pytest.raises(ValueError, match="must be"):
        great_circle_km(lat1, lon1, lat2, lon2)


@given(latitudes, longitudes, latitudes, longitudes)
def test_haversine_agrees_with_independent_chord_formula(lat1, lon1, lat2, lon2):
    assert great_circle_km(lat1, lon1, lat2, lon2) == pytest.approx(
        chord_km(lat1, lon1, lat2, lon2), abs=0.1
    )


@given(
    lat=latitudes,
    lon=longitudes,
    radius_km=st.floats(min_value=0.0, max_value=2_000.0),
    bearing=st.floats(min_value=0.0, max_value=360.0),
    fraction=st.floats(min_value=0.0, max_value=1.0),
)
def test_bounding_box_contains_every_point_within_the_radius(
    lat, lon, radius_km, bearing, fraction
):
    box = bounding_box(lat, lon, radius_km)
    p_lat, p_lon = destination(lat, lon, bearing, radius_km * fraction)
    assert great_circle_km(lat, lon, p_lat, p_lon) <= radius_km + 1e-6
    assert box.contains(p_lat, p_lon)
    # The same answer through the ranges a database query would use.
    assert box.min_lat <= p_lat <= box.max_lat
    assert any(low <= p_lon <= high for low, high in box.lon_ranges())
    assert latitude_band(p_lat) in box.latitude_bands()


@given(a=latitudes, b=latitudes)
def test_latitude_bands_follow_latitude(a, b):
    low, high = sorted((a, b))
    assert 0 <= latitude_band(low) <= latitude_band(high) <= round(180 / LATITUDE_BAND_DEG)


def test_latitude_bands_are_strips_of_a_fiftieth_of_a_degree():
    assert latitude_band(-90.0) == 0
    assert latitude_band(0.0) == 4500
    assert latitude_band(40.71427) == 6535  # New York City
    assert latitude_band(-0.000001) == 4499
    assert latitude_band(90.0) == 9000
    box = bounding_box(40.71427, -74.00597, 25.0)  # 0.45° of latitude: 23 strips
    assert list(box.latitude_bands()) == list(range(6524, 6547))


@given(lat=st.floats(min_value=-80.0, max_value=80.0), lon=longitudes)
def test_bounding_box_is_tight_in_latitude(lat, lon):
    box = bounding_box(lat, lon, 100.0)
    assert great_circle_km(lat, lon, box.max_lat, lon) == pytest.approx(100.0, abs=0.01)
    assert great_circle_km(lat, lon, box.min_lat, lon) == pytest.approx(100.0, abs=0.01)


def test_bounding_box_widens_in_longitude_away_from_the_equator():
    at_equator = bounding_box(0.0, 0.0, 100.0)
    at_sixty = bounding_box(60.0, 0.0, 100.0)
    width_equator = at_equator.max_lon - at_equator.min_lon
    width_sixty = at_sixty.max_lon - at_sixty.min_lon
    # 100 km at the equator is 0.8993°; at 60° N a degree of longitude is half as long.
    assert width_equator / 2 == pytest.approx(math.degrees(100.0 / R), rel=1e-6)
    assert width_sixty == pytest.approx(2 * width_equator, rel=1e-3)


def test_zero_radius_gives_a_box_around_the_point():
    box = bounding_box(48.8566, 2.3522, 0.0)
    assert box.contains(48.8566, 2.3522)
    assert box.max_lat - box.min_lat < 1e-8
    assert box.lon_ranges() == ((box.min_lon, box.max_lon),)


def test_box_crossing_the_antimeridian_is_flagged_and_splits_in_two():
    box = bounding_box(-17.7134, 178.065, 300.0)  # Fiji
    assert box.crosses_antimeridian
    assert box.min_lon > box.max_lon
    assert box.lon_ranges() == ((box.min_lon, 180.0), (-180.0, box.max_lon))
    assert box.contains(-17.7134, 179.9)
    assert box.contains(-17.7134, -179.9)
    assert box.contains(-17.7134, 180.0)
    assert box.contains(-17.7134, -180.0)
    assert not box.contains(-17.7134, 0.0)
    # A database holding either spelling of the antimeridian is matched by the ranges.
    for stored_lon in (180.0, -180.0):
        assert any(low <= stored_lon <= high for low, high in box.lon_ranges())


@pytest.mark.parametrize("lon", [180.0, -180.0])
def test_box_centred_on_the_antimeridian(lon):
    box = bounding_box(0.0, lon, 50.0)
    assert box.crosses_antimeridian
    assert box.contains(0.0, 179.9)
    assert box.contains(0.0, -179.9)


def test_box_reaching_a_pole_spans_all_longitudes_and_is_clamped():
    north = bounding_box(89.5, 10.0, 100.0)
    assert north.max_lat == 90.0
    assert (north.min_lon, north.max_lon) == (-180.0, 180.0)
    assert not north.crosses_antimeridian
    assert north.contains(89.9, -170.0)
    south = bounding_box(-90.0, 0.0, 10.0)
    assert south.min_lat == -90.0
    assert south.contains(-89.95, 123.0)


def test_radius_covering_the_whole_earth_gives_the_whole_earth():
    box = bounding_box(0.0, 0.0, 25_000.0)
    assert box == BoundingBox(-90.0, 90.0, -180.0, 180.0)


@pytest.mark.parametrize("radius_km", [-1.0, math.nan, math.inf])
def test_bad_radius_is_rejected(radius_km):
    with pytest.raises(ValueError, match="radius_km"):
        bounding_box(0.0, 0.0, radius_km)
