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
# First words of many names that name no town alone („Bad", „Sankt", „Neu").
GENERIC_HEADS = frozenset(
    {"bad", "sankt", "neu", "alt", "gross", "klein", "ober", "nieder", "unter", "hohen", "markt"}
)
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
    """Fold a place name for lookup: lowercase, umlauts as vowels, hyphens and marks as spaces.

    „St. Ingbert" is „Sankt Ingbert", as the data writes it.
    """
    folded = text.casefold().replace("ß", "ss")
    for a, b in (("ä", "a"), ("ö", "o"), ("ü", "u"), ("ae", "a"), ("oe", "o"), ("ue", "u")):
        folded = folded.replace(a, b)
    words = re.sub(r"[^a-z0-9]+", " ", folded).split()
    return " ".join("sankt" if w == "st" and i < len(words) - 1 else w for i, w in enumerate(words))


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


def _names_town(place: str, key: str) -> bool:
    """Tell whether a folded name is the key, starts with it or ends with it („Hamburg Eilbek")."""
    return place == key or place.startswith(key + " ") or place.endswith(" " + key)


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
        self._heads = self._head_index()
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
        """Map every folded place name and district name to its postcodes.

        A county is found as „Kreis X" and „Landkreis X" too (the data says either).
        """
        index: dict[str, set[str]] = defaultdict(set)
        by_district: dict[str, set[str]] = defaultdict(set)
        for code, rows in self._rows.items():
            for row in rows:
                index[name_key(row.place)].add(code)
                by_district[row.district_key].add(code)
        for key, codes in by_district.items():
            district = self.districts[key]
            plain = district_name(district.name, DistrictKind.CITY)
            names = {district.name, plain}
            if district.kind is DistrictKind.COUNTY:
                bare = re.sub(r"^(Landkreis|Kreis) ", "", plain)
                names |= {f"Kreis {bare}", f"Landkreis {bare}"}
            for name in names:
                index[name_key(name)].update(codes)
        return {name: sorted(codes) for name, codes in index.items()}

    def _head_index(self) -> dict[str, list[str]]:
        """Map the first words of longer names to their postcodes, then parts of towns.

        „frankfurt" → Frankfurt am Main and (Oder), „bad homburg" → Bad Homburg v.d. Höhe; a
        generic first word alone („Bad", „Sankt") is no town. Parts of a city („Hamburg
        Eilbek" as „Eilbek") come only where no town has that name („Neustadt" is a town).
        """
        heads: dict[str, set[str]] = defaultdict(set)
        for name, codes in self._names.items():
            words = name.split(" ")
            for n in range(1, len(words)):
                head = " ".join(words[:n])
                if head not in GENERIC_HEADS:
                    heads[head].update(codes)
        for code, rows in self._rows.items():
            for row in rows:
                city = self.districts[row.district_key]
                head, _, part = name_key(row.place).partition(" ")
                in_city = city.kind is not DistrictKind.COUNTY and head in name_key(city.name)
                if part and in_city and part not in self._names and part not in heads:
                    heads[part].add(code)
        return {head: sorted(codes) for head, codes in heads.items()}

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
        if codes and key not in GENERIC_HEADS:
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
        """Pick the place among postcodes that share a name: in the named Land, else the largest.

        A name that is a town's (or its first words) picks among the towns; one that is only a
        district's („Landkreis Harburg") is answered as that district.
        """
        every = [r for c in codes for r in self._rows[c]]
        towns = [r for r in every if _names_town(name_key(r.place), key)]
        kreis = [r for r in every if _names_town(self._district_key_name(r), key)]
        rows = towns or kreis or every
        groups: dict[tuple[str, str], list[PostcodeRow]] = defaultdict(list)
        for row in rows:
            groups[(row.land, row.district_key)].append(row)
        ranked = sorted(groups.values(), key=lambda g: (g[0].land != land, -len(g)))
        best = ranked[0]
        others = tuple(sorted({g[0].land for g in ranked[1:]} - {best[0].land}))
        place = self._place(best, Found.NAME)
        if not towns and kreis:
            place = replace(place, name=self.districts[best[0].district_key].name)
        spread = len({(r.land, r.district_key) for r in towns}) > 1
        return replace(place, other_lands=others, ambiguous=spread)

    def _district_key_name(self, row: PostcodeRow) -> str:
        return name_key(self.districts[row.district_key].name)

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
