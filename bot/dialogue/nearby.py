"""The association's places of help for a parent's place: nearest first, each with why. Pure.

A place within its radius of her comes first, then those whose coverage names her postcode, her
district, her Land, then those for everyone; among equals, those for her topic, then the
nearest (haversine). Everything is vectorised over the whole directory (`bench/places.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
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
    """The directory as arrays, so that finding her places is a few vectorised steps.

    Distances, radii and „for everyone" are arrays over all places; Länder, districts,
    postcodes and topics map to the indices of the places that name them. Only the (at most
    five) places returned become objects.
    """

    def __init__(self, services: Sequence[LocalService]) -> None:
        """Index the places by what their coverage names and put their coordinates in arrays."""
        self.services = tuple(services)
        nan = float("nan")
        points = [s.point for s in self.services]
        self._lat = np.radians(np.array([p.lat if p else nan for p in points], dtype=np.float64))
        self._lon = np.radians(np.array([p.lon if p else nan for p in points], dtype=np.float64))
        radii = [s.coverage.radius_km for s in self.services]
        self._radius = np.array([nan if r is None else r for r in radii], dtype=np.float64)
        self._nationwide = np.array([s.coverage.nationwide for s in self.services], dtype=bool)
        self._any_topic = np.array([not s.topics for s in self.services], dtype=bool)
        self._lands = _indices((i, land) for i, s in self._each() for land in s.coverage.lands)
        self._districts = _indices((i, d) for i, s in self._each() for d in s.coverage.districts)
        self._postcodes = _indices((i, p) for i, s in self._each() for p in s.coverage.postcodes)
        self._topics = _indices((i, t) for i, s in self._each() for t in s.topics)

    def _each(self) -> Iterator[tuple[int, LocalService]]:
        return iter(enumerate(self.services))

    def _km(self, place: Place) -> np.ndarray:
        """Return the distance from her place to every place (NaN where it has no coordinates)."""
        lat, lon = np.radians(place.point.lat), np.radians(place.point.lon)
        h = (
            np.sin((self._lat - lat) / 2) ** 2
            + np.cos(lat) * np.cos(self._lat) * np.sin((self._lon - lon) / 2) ** 2
        )
        km: np.ndarray = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, h)))
        return km

    def distances(self, place: Place) -> dict[int, float]:
        """Return the distance in km from her place to every place that has coordinates."""
        km = self._km(place)
        return {int(i): float(km[i]) for i in np.flatnonzero(~np.isnan(km))}

    def _fits(self, place: Place, km: np.ndarray) -> np.ndarray:
        """Return each place's narrowest fit for her (len(Fit) where none)."""
        fit = np.full(len(self.services), len(Fit), dtype=np.int64)
        fit[self._nationwide] = Fit.NATIONWIDE
        steps = [
            (Fit.LAND, self._lands.get(place.land)),
            *((Fit.DISTRICT, self._districts.get(d.key)) for d in place.districts),
            (Fit.POSTCODE, self._postcodes.get(place.postcode or "")),
        ]
        for step, indices in steps:
            if indices is not None:
                fit[indices] = np.minimum(fit[indices], step)
        with np.errstate(invalid="ignore"):
            fit[km <= self._radius] = Fit.NEAR  # NaN (no radius, no coordinates) is never ≤
        return fit

    def near(self, place: Place, topic: str | None = None, most: int = MOST) -> list[Nearby]:
        """Return at most `most` places for her: the narrowest fit first, then the nearest.

        Args:
            place: Where she is.
            topic: The FAQ entry she asked about, if any: a place that names it (or names no
                topic: it helps with all) comes first among equally fitting ones.
            most: How many to return.

        """
        if not self.services:
            return []
        km = self._km(place)
        fit = self._fits(place, km)
        names = self._any_topic.copy()
        if topic is not None and topic in self._topics:
            names[self._topics[topic]] = True
        found = np.flatnonzero(fit < len(Fit))
        order = np.lexsort((np.nan_to_num(km[found]), ~names[found], fit[found]))[:most]
        return [
            Nearby(
                self.services[i],
                Fit(int(fit[i])),
                None if np.isnan(km[i]) else float(km[i]),
                bool(names[i]),
            )
            for i in found[order].tolist()
        ]


def _indices(pairs: Iterable[tuple[int, str]]) -> dict[str, np.ndarray]:
    """Map each key to the indices of the places that name it."""
    grouped: dict[str, list[int]] = {}
    for index, key in pairs:
        grouped.setdefault(key, []).append(index)
    return {key: np.array(found, dtype=np.int64) for key, found in grouped.items()}
