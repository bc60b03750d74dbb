"""`elternlotse local check`: where the association's directory has gaps, and what is old.

For staff who maintain `knowledge/local/`: every Kreis and kreisfreie Stadt that no place of help
covers itself (by its key, a postcode in it, or a radius that reaches one of its towns; a place
for the whole Land or for everyone leaves the gap open, and the count says how many such gaps
have at least a Land-wide offer), district keys and postcodes that do not exist, and every place
whose facts were checked more than a year ago. The example file never counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.content.local import LocalService
from bot.places.gazetteer import Gazetteer
from bot.places.model import District, Point, distance_km


@dataclass(frozen=True)
class LocalReport:
    """What `local check` prints."""

    services: int
    examples: int
    nationwide: int
    gaps: tuple[District, ...]
    land_only: tuple[District, ...]  # covered only by a place for the whole Land
    stale: tuple[LocalService, ...]
    districts: int
    unknown: tuple[str, ...]  # district keys and postcodes in the directory that do not exist


def covers(
    service: LocalService, district: District, points: list[Point], postcodes: set[str]
) -> bool:
    """Tell whether a place covers (part of) a district itself: not just by its Land."""
    cover = service.coverage
    if district.key in cover.districts:
        return True
    if postcodes & set(cover.postcodes):
        return True
    point, radius = service.point, cover.radius_km
    if point is None or radius is None:
        return False
    return any(distance_km(point, p) <= radius for p in points)


def local_report(
    services: Sequence[LocalService],
    examples: int,
    gazetteer: Gazetteer,
    today: date,
) -> LocalReport:
    """Find the districts no regional place covers, and the places with old facts."""
    points, postcodes = gazetteer.district_points(), gazetteer.district_postcodes()
    gaps = tuple(
        district
        for key, district in sorted(gazetteer.districts.items())
        if not any(covers(s, district, points[key], postcodes[key]) for s in services)
    )
    lands = {land for s in services for land in s.coverage.lands}
    return LocalReport(
        services=len(services),
        examples=examples,
        nationwide=sum(s.coverage.nationwide for s in services),
        gaps=gaps,
        land_only=tuple(d for d in gaps if d.land in lands),
        stale=tuple(s for s in services if s.stale(today)),
        districts=len(gazetteer.districts),
        unknown=_unknown(services, gazetteer),
    )


def _unknown(services: Sequence[LocalService], gazetteer: Gazetteer) -> tuple[str, ...]:
    """Return „file:line id: key" for district keys and postcodes that do not exist."""
    found = []
    for s in services:
        keys = [k for k in s.coverage.districts if k not in gazetteer.districts]
        keys += [c for c in s.coverage.postcodes if gazetteer.postcode(c) is None]
        found += [f"{s.file.name}:{s.line} {s.id}: {key}" for key in keys]
    return tuple(found)


def report_lines(report: LocalReport) -> list[str]:
    """Return the report as the lines `local check` prints (German, for staff)."""
    lines = [
        f"Verzeichnis: {report.services} Stellen, davon {report.nationwide} bundesweit "
        f"({report.examples} Beispiel(e) nicht gezählt)",
        f"Unbekannte Kreisschlüssel oder Postleitzahlen: {len(report.unknown)}",
        *(f"  {u}" for u in report.unknown),
        f"Stand älter als 12 Monate: {len(report.stale)}",
        *(f"  {s.file.name}:{s.line} {s.id} (geprüft {s.checked:%d.%m.%Y})" for s in report.stale),
        f"Kreise und kreisfreie Städte ohne eigene Stelle: {len(report.gaps)} "
        f"von {report.districts} (davon {len(report.land_only)} nur mit einem landesweiten "
        "Angebot)",
    ]
    land = None
    for district in sorted(report.gaps, key=lambda d: (d.land, d.name)):
        if district.land != land:
            land = district.land
            lines.append(f"  {land}:")
        lines.append(f"    {district.key} {district.name}")
    return lines
