"""UK postcodes and US ZIP codes to coordinates, offline.

A UK postcode ("M20 2RN", "m202rn" or just its outward code "M20") is placed at the centre of
its district from ``data/uk_outward_codes.csv`` (the demo area, Greater Manchester); any other
UK postcode is placed at its area's main town (``AREA_TOWNS``: "B15 2TT" → Birmingham), looked up
in the gazetteer. A US ZIP code ("10001", "10001-1234") is placed at its centroid from the
``zipcodes`` package, which embeds the data. Nothing is fetched at run time.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import zipcodes

from sciaticare.core.translation import gettext

_UK = re.compile(r"^([A-Z]{1,2})([0-9][0-9A-Z]?)(?:\s*([0-9][A-Z]{2}))?$")
_US = re.compile(r"^([0-9]{5})(?:-[0-9]{4})?$")
_TABLE = Path(__file__).with_name("data") / "uk_outward_codes.csv"

#: Postcode area → the town it is named for (looked up in the gazetteer with ", GB"). The
#: demo area's letters are here too, for districts the table lacks.
AREA_TOWNS = {
    "M": "Manchester", "BL": "Bolton", "OL": "Oldham", "SK": "Stockport", "WA": "Warrington",
    "WN": "Wigan", "L": "Liverpool", "PR": "Preston", "BB": "Blackburn", "FY": "Blackpool",
    "CH": "Chester", "CW": "Crewe", "ST": "Stoke-on-Trent", "B": "Birmingham",
    "CV": "Coventry", "LE": "Leicester", "NG": "Nottingham", "DE": "Derby", "S": "Sheffield",
    "LS": "Leeds", "BD": "Bradford", "HD": "Huddersfield", "HX": "Halifax", "WF": "Wakefield",
    "YO": "York", "HU": "Kingston upon Hull", "NE": "Newcastle upon Tyne", "SR": "Sunderland",
    "BS": "Bristol", "EX": "Exeter", "PL": "Plymouth", "SO": "Southampton",
    "PO": "Portsmouth", "BN": "Brighton", "OX": "Oxford", "CB": "Cambridge", "NR": "Norwich",
    "MK": "Milton Keynes", "RG": "Reading", "LU": "Luton", "CF": "Cardiff", "SA": "Swansea",
    "G": "Glasgow", "EH": "Edinburgh", "AB": "Aberdeen", "DD": "Dundee", "BT": "Belfast",
    "E": "London", "EC": "London", "N": "London", "NW": "London", "SE": "London",
    "SW": "London", "W": "London", "WC": "London",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class PostcodeMatch:
    """What a typed code named: a point, a label, or (``town``) only a town to look up."""

    label: str
    latitude: float | None = None
    longitude: float | None = None
    town: str | None = None


@lru_cache(maxsize=1)
def _districts() -> dict[str, tuple[float, float, str]]:
    with _TABLE.open(encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return {
            r["outward"]: (float(r["latitude"]), float(r["longitude"]), r["place"]) for r in rows
        }


def looks_like_postcode(text: str) -> bool:
    key = text.strip().upper()
    return bool(_UK.match(key) or _US.match(key))


def lookup(text: str) -> PostcodeMatch | None:
    """The place of a UK postcode or US ZIP code; None when ``text`` is neither, or unknown."""
    key = " ".join(text.strip().upper().split())
    if us := _US.match(key):
        found = zipcodes.matching(us.group(1))
        if not found:
            return None
        z = found[0]
        return PostcodeMatch(
            label=f"{z['zip_code']} ({z['city']}, {z['state']})",
            latitude=float(z["lat"]),
            longitude=float(z["long"]),
        )
    uk = _UK.match(key)
    if uk is None:
        return None
    area, district = uk.group(1), uk.group(2)
    outward = area + district
    if outward in _districts():
        lat, lon, place = _districts()[outward]
        return PostcodeMatch(label=f"{outward} ({place})", latitude=lat, longitude=lon)
    town = AREA_TOWNS.get(area)
    if town is None:
        return None
    return PostcodeMatch(
        label=gettext("%(code)s (%(town)s area)") % {"code": outward, "town": town}, town=town
    )
