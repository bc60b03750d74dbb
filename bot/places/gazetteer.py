"""Resolve a postcode, a town's name or a shared location to a place and its districts. Pure.

The rows come from an adapter (`bot.geodata`): one per postcode and place, with the place's
Kreis or kreisfreie Stadt by its key. Everything here is lookups in memory: a postcode is a
dict lookup, a name a dict lookup or one rapidfuzz pass over the ~13,000 names, a location one
vectorised distance over the postcodes' centres.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from rapidfuzz import fuzz, process

from bot.places.model import District, DistrictKind, Found, Place, Point

# Berlin and Hamburg: one district each in the data, a Jugendamt per Bezirk in life.
CITY_STATES = frozenset({"11000", "02000"})
# Kreisfreie Städte the data names plainly and with several towns, which would read as a Kreis:
# Dessau-Roßlau (checked over all 400 districts of the data, December 2026).
_PLAIN_CITIES = frozenset({"15001"})
_COUNTY_PREFIXES = ("landkreis ", "kreis ", "region ", "städteregion ", "regionalverband ")
_CITY_PREFIXES = ("kreisfreie stadt ", "landeshauptstadt ", "stadtkreis ")
# Words after a town that narrow it down, not part of its name („Speyer Nord", „hamm westf").
QUALIFIERS = frozenset(
    {
        *("nord", "sud", "ost", "west", "mitte", "innenstadt", "zentrum", "altstadt", "city"),
        *("stadt", "umgebung", "umland", "westf", "westfalen"),
        *("i", "iw", "in", "im", "der", "die", "am", "an"),
    }
)
# Qualifiers that name a Land: „Hamm (Westf.)" is the one in NRW, not Hamm (Sieg) in RLP.
_LANDQUALIFIERS = {"westf": "Nordrhein-Westfalen", "westfalen": "Nordrhein-Westfalen"}
_POSTCODE = re.compile(r"(?<![\d€.,])\b(\d{5})\b(?![.,]\d)(?!\s*(?:€|euro|eur\b))", re.IGNORECASE)
FUZZY_CUTOFF = 88.0
NEAREST_KM = 30.0  # a shared location farther than this from any postcode is not in Germany


@dataclass(frozen=True)
class PostcodeRow:
    """One row of the place data: a place within a postcode area, with its district."""

    postcode: str
    place: str
    land: str
    district_name: str
    district_key: str
    point: Point


def name_key(text: str) -> str:
    """Fold a place name for lookup: lowercase, umlauts as vowels, hyphens and marks as spaces."""
    folded = text.casefold().replace("ß", "ss")
    for a, b in (("ä", "a"), ("ö", "o"), ("ü", "u"), ("ae", "a"), ("oe", "o"), ("ue", "u")):
        folded = folded.replace(a, b)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", folded).split())


def district_kind(key: str, name: str, places: int) -> DistrictKind:
    """Tell a kreisfreie Stadt from a Kreis by the data's name, else by how many towns it has.

    The data writes „Bonn, Stadt", „Kreisfreie Stadt Dresden", „Landkreis Neuwied", but also
    plain „Stuttgart" (a city) and „Paderborn" (a Kreis): a plain name with one or two towns
    is a city.
    """
    lowered = name.casefold()
    if key in CITY_STATES:
        return DistrictKind.CITY_STATE
    if key in _PLAIN_CITIES:
        return DistrictKind.CITY
    if lowered.startswith(_CITY_PREFIXES) or "stadt" in lowered.partition(", ")[2]:
        return DistrictKind.CITY
    if lowered.startswith(_COUNTY_PREFIXES) or "kreis" in lowered:
        return DistrictKind.COUNTY
    return DistrictKind.CITY if places <= 2 else DistrictKind.COUNTY


def district_name(name: str, kind: DistrictKind) -> str:
    """Return a district's name as a reply says it: „Bonn", „Kreis Paderborn", „Region Hannover"."""
    base = name.partition(", ")[0]
    if kind is DistrictKind.COUNTY:
        plain = not base.casefold().startswith(_COUNTY_PREFIXES) and "kreis" not in base.casefold()
        return f"Kreis {base}" if plain else base
    for prefix in ("Kreisfreie Stadt ", "Landeshauptstadt ", "Stadtkreis "):
        base = base.removeprefix(prefix)
    return base


class Gazetteer:
    """Every German postcode and place with its district, searchable by code, name and point."""

    def __init__(self, rows: Iterable[PostcodeRow]) -> None:
        """Index the rows; rows without a district (Jungholz, an exclave) are left out."""
        self._rows: dict[str, list[PostcodeRow]] = defaultdict(list)
        towns: dict[str, set[str]] = defaultdict(set)
        names: dict[str, tuple[str, str]] = {}
        for row in rows:
            if row.district_key:
                self._rows[row.postcode].append(row)
                towns[row.district_key].add(name_key(row.place).split(" ")[0])
                names[row.district_key] = (row.district_name, row.land)
        self.districts = {
            key: self._district(key, name, len(towns[key]), land)
            for key, (name, land) in names.items()
        }
        self._names = self._name_index()
        self._choices = list(self._names)
        self._heads: dict[str, list[str]] = defaultdict(list)
        for name, codes in self._names.items():
            if " " in name:
                self._heads[name.split(" ")[0]].extend(codes)
        codes = sorted(self._rows)
        self._codes = codes
        centres = [self._centre(self._rows[c]) for c in codes]
        self._lat = np.radians(np.array([p.lat for p in centres]))
        self._lon = np.radians(np.array([p.lon for p in centres]))

    @staticmethod
    def _district(key: str, raw: str, towns: int, land: str) -> District:
        kind = district_kind(key, raw, towns)
        return District(key, district_name(raw, kind), kind, land)

    @staticmethod
    def _centre(rows: Sequence[PostcodeRow]) -> Point:
        return Point(
            sum(r.point.lat for r in rows) / len(rows), sum(r.point.lon for r in rows) / len(rows)
        )

    def _name_index(self) -> dict[str, list[str]]:
        """Map every folded place name, part-of-town name and district name to its postcodes."""
        index: dict[str, set[str]] = defaultdict(set)
        by_district: dict[str, set[str]] = defaultdict(set)
        for code, rows in self._rows.items():
            for row in rows:
                key = name_key(row.place)
                index[key].add(code)
                head, _, part = key.partition(" ")
                city = self.districts[row.district_key]
                if part and city.kind is not DistrictKind.COUNTY and head in name_key(city.name):
                    index[part].add(code)  # „Hamburg Eilbek" is found as „Eilbek" too
                by_district[row.district_key].add(code)
        for key, codes in by_district.items():
            district = self.districts[key]
            for name in {district.name, district_name(district.name, DistrictKind.CITY)}:
                index.setdefault(name_key(name), set()).update(codes)
        return {name: sorted(codes) for name, codes in index.items()}

    def district_points(self) -> dict[str, list[Point]]:
        """Return the places (with their coordinates) that lie in each district."""
        found: dict[str, list[Point]] = defaultdict(list)
        for code_rows in self._rows.values():
            for row in code_rows:
                found[row.district_key].append(row.point)
        return found

    def district_postcodes(self) -> dict[str, set[str]]:
        """Return the postcodes that lie (partly) in each district."""
        found: dict[str, set[str]] = defaultdict(set)
        for code, code_rows in self._rows.items():
            for row in code_rows:
                found[row.district_key].add(code)
        return found

    @property
    def postcodes(self) -> int:
        """Return how many postcodes the data has."""
        return len(self._codes)

    def postcode(self, code: str) -> Place | None:
        """Return the place of a five-digit postcode; None if there is no such postcode."""
        rows = self._rows.get(code.strip())
        if not rows:
            return None
        return self._place(rows, Found.POSTCODE, code.strip())

    def _place(self, rows: Sequence[PostcodeRow], found: Found, code: str | None = None) -> Place:
        """Build a place from its rows: districts by how many rows lie in each, most first."""
        counts = Counter(r.district_key for r in rows)
        districts = tuple(self.districts[k] for k, _ in counts.most_common())
        names = Counter(r.place for r in rows)
        name = min(names, key=lambda n: (-names[n], len(n)))
        return Place(name, code, rows[0].land, districts, self._centre(rows), found)

    def named(self, text: str, *, fuzzy: bool = True, exact: bool = False) -> Place | None:
        """Return the town a text names („Gütersloh", „hamm westf", „Speyer Nord", „Sigen").

        Args:
            text: The name, with umlauts or without, qualifiers and typos.
            fuzzy: Whether a misspelt name is looked for too (not for single words picked from
                a sentence, where a near word is more often no town).
            exact: Only the whole name, as the data has it (words picked from a sentence:
                „Sorge um mein" is no town even though „Sorge" is a village).

        Returns:
            The place; where several towns share the name, the largest (most postcodes) in the
            Land a qualifier names, and the other Länder are listed on the place.

        """
        words = name_key(text).split()
        land = next((_LANDQUALIFIERS[w] for w in words if w in _LANDQUALIFIERS), None)
        while words and words[-1] in QUALIFIERS:
            words.pop()
        key = " ".join(words)
        found: tuple[str, Sequence[str]] | None
        if exact:
            found = (key, self._names[key]) if key in self._names else None
        else:
            found = self._lookup(key, fuzzy)
        return self._by_codes(*found, land) if found else None

    def _lookup(self, key: str, fuzzy: bool) -> tuple[str, Sequence[str]] | None:
        """Return the postcodes of a folded name: exact, by its first word, misspelt, or shorter.

        „frankfurt" is Frankfurt am Main and Frankfurt (Oder); „berlin neukolln", which the
        data names only as Berlin, is Berlin.
        """
        codes = [*self._names.get(key, ()), *self._heads.get(key, ())]
        if codes:
            return key, codes
        if fuzzy and len(key) >= 4:
            hits = process.extract(
                key, self._choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=5
            )
            # Equal scores: the larger town („Müchen" is München, not the hamlet Mucheln).
            best = max(hits, key=lambda h: (h[1], len(self._names[h[0]])), default=None)
            if best is not None:
                return best[0], self._names[best[0]]
        words = key.split(" ")
        while len(words) > 1:
            words.pop()
            shorter = " ".join(words)
            if shorter in self._names:
                return shorter, self._names[shorter]
        return None

    def _by_codes(self, key: str, codes: Sequence[str], land: str | None) -> Place:
        """Pick the place among postcodes that share a name: in the named Land, else the largest."""
        every = [r for c in codes for r in self._rows[c]]
        towns = [
            r for r in every if name_key(r.place) == key or name_key(r.place).endswith(" " + key)
        ]
        kreis = [r for r in every if name_key(self.districts[r.district_key].name).endswith(key)]
        rows = towns or kreis or every
        groups: dict[tuple[str, str], list[PostcodeRow]] = defaultdict(list)
        for row in rows:
            groups[(row.land, row.district_key)].append(row)
        ranked = sorted(groups.values(), key=lambda g: (g[0].land != land, -len(g)))
        best = ranked[0]
        others = tuple(sorted({g[0].land for g in ranked[1:]} - {best[0].land}))
        place = self._place(best, Found.NAME)
        named = [r for r in every if (name_key(r.place) + " ").startswith(key + " ")]
        spread = len({(r.land, r.district_key) for r in named or every}) > 1
        return replace(place, other_lands=others, ambiguous=spread)

    def at(self, point: Point) -> Place | None:
        """Return the postcode area nearest to a shared location; None outside Germany."""
        lat, lon = np.radians(point.lat), np.radians(point.lon)
        h = (
            np.sin((self._lat - lat) / 2) ** 2
            + np.cos(lat) * np.cos(self._lat) * np.sin((self._lon - lon) / 2) ** 2
        )
        best = int(np.argmin(h))
        km = 2 * 6371.0088 * float(np.arcsin(np.sqrt(min(1.0, float(h[best])))))
        if km > NEAREST_KM:
            return None
        code = self._codes[best]
        return self._place(self._rows[code], Found.LOCATION, code)

    def postcode_in(self, text: str) -> Place | None:
        """Return the place of the first real postcode in a text (not an amount like 12000 €)."""
        for match in _POSTCODE.finditer(text):
            place = self.postcode(match.group(1))
            if place is not None:
                return place
        return None
