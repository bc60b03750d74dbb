"""The association's places of help for a parent's place: nearest first, each with why. Pure.

A place with coordinates is ranked by its distance (haversine, vectorised over the whole
directory: 10,000 places take well under a millisecond); one without is ranked by how narrowly
its coverage names her: her postcode, her district, her Land, everyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from bot.content.local import LocalService
from bot.places.model import EARTH_RADIUS_KM, Place

MOST = 5


class Fit(IntEnum):
    """Why a place fits her, narrowest first (the order of the list after distance)."""

    NEAR = 0  # within its radius of her
    POSTCODE = 1
    DISTRICT = 2
    LAND = 3
    NATIONWIDE = 4


@dataclass(frozen=True)
class Nearby:
    """A place of help for her, with why it fits and how far it is (where it has coordinates)."""

    service: LocalService
    fit: Fit
    km: float | None
    topic: bool  # it names the topic she asked about


class Directory:
    """The directory's places with their coordinates as arrays, for one vectorised distance."""

    def __init__(self, services: Sequence[LocalService]) -> None:
        """Keep the places and put the coordinates of those that have them into arrays."""
        self.services = tuple(services)
        located = [(i, s.point) for i, s in enumerate(self.services) if s.point is not None]
        self._located = np.array([i for i, _ in located], dtype=np.int64)
        self._lat = np.radians(np.array([p.lat for _, p in located], dtype=np.float64))
        self._lon = np.radians(np.array([p.lon for _, p in located], dtype=np.float64))

    def distances(self, place: Place) -> dict[int, float]:
        """Return the distance in km from her place to every place that has coordinates."""
        if not len(self._located):
            return {}
        lat, lon = np.radians(place.point.lat), np.radians(place.point.lon)
        h = (
            np.sin((self._lat - lat) / 2) ** 2
            + np.cos(lat) * np.cos(self._lat) * np.sin((self._lon - lon) / 2) ** 2
        )
        km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, h)))
        return dict(zip(self._located.tolist(), km.tolist(), strict=True))

    def near(self, place: Place, topic: str | None = None, most: int = MOST) -> list[Nearby]:
        """Return at most `most` places for her: the narrowest fit first, then the nearest.

        Args:
            place: Where she is.
            topic: The FAQ entry she asked about, if any: a place that names it comes first
                among equally fitting ones.
            most: How many to return.

        """
        km = self.distances(place)
        found = []
        for index, service in enumerate(self.services):
            fit = _fit(service, place, km.get(index))
            if fit is not None:
                names = topic is not None and topic in service.topics
                found.append(Nearby(service, fit, km.get(index), names or not service.topics))
        found.sort(key=lambda n: (n.fit, not n.topic, n.km if n.km is not None else 0.0))
        return found[:most]


def _fit(service: LocalService, place: Place, km: float | None) -> Fit | None:
    """Return why a place of help is for her; None when it is not."""
    cover = service.coverage
    if cover.radius_km is not None and km is not None and km <= cover.radius_km:
        return Fit.NEAR
    if place.postcode is not None and place.postcode in cover.postcodes:
        return Fit.POSTCODE
    if any(d.key in cover.districts for d in place.districts):
        return Fit.DISTRICT
    if place.land in cover.lands:
        return Fit.LAND
    return Fit.NATIONWIDE if cover.nationwide else None
