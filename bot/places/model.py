"""Where a parent is: places, districts and the distance between two points. Pure values."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

EARTH_RADIUS_KM = 6371.0088


class DistrictKind(Enum):
    """What kind of district runs the Jugendamt for a place."""

    CITY = "city"  # a kreisfreie Stadt: the town runs its own Jugendamt
    COUNTY = "county"  # a Kreis: the Kreis runs it, some larger towns in it run their own
    CITY_STATE = "city_state"  # Berlin, Hamburg: the Bezirk's Jugendamt


@dataclass(frozen=True)
class District:
    """A Kreis or kreisfreie Stadt, by its official key (the first five digits of the AGS).

    Attributes:
        key: The Kreisschlüssel, e.g. "05774" (Kreis Paderborn).
        name: Its name as people write it: "Paderborn", "Landkreis Neuwied", "Bonn".
        kind: City, county or city state.
        land: The Land's name, e.g. "Nordrhein-Westfalen".

    """

    key: str
    name: str
    kind: DistrictKind
    land: str


@dataclass(frozen=True)
class Point:
    """A position in degrees (WGS 84)."""

    lat: float
    lon: float


class Found(Enum):
    """How a place was found: what the parent gave."""

    POSTCODE = "postcode"
    NAME = "name"
    LOCATION = "location"


@dataclass(frozen=True)
class Place:
    """A resolved place: a postcode area or a town, with the districts it lies in.

    Attributes:
        name: The town (and part of town) as the data names it: "Siegen", "Hamburg Eilbek".
        postcode: The postcode she gave or the nearest one to her location; None for a town.
        land: The Land's name.
        districts: The districts it lies in, the one with most of its area first (a postcode
            or a town name can span two).
        point: Its centre, for distances to the association's places.
        found: What she gave.
        other_lands: Other Länder that have a place of the same name (she may mean one).
        ambiguous: Other towns or districts share the name: the reply asks for the postcode.

    """

    name: str
    postcode: str | None
    land: str
    districts: tuple[District, ...]
    point: Point
    found: Found
    other_lands: tuple[str, ...] = ()
    ambiguous: bool = False

    def label(self) -> str:
        """Return how a reply names the place: „57072 Siegen" or „Siegen"."""
        return f"{self.postcode} {self.name}" if self.postcode else self.name


def distance_km(a: Point, b: Point) -> float:
    """Return the great-circle distance between two points (haversine; enough for a town)."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
