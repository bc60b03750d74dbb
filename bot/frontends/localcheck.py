"""`elternlotse local check`: where the association's directory has gaps, and what is old.

For staff who maintain `knowledge/local/`: every Kreis and kreisfreie Stadt that no regional
place of help covers (a place for everyone does not close a gap), and every place whose facts
were checked more than a year ago. The example file never counts.
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
    stale: tuple[LocalService, ...]
    districts: int


def covers(
    service: LocalService, district: District, points: list[Point], postcodes: set[str]
) -> bool:
    """Tell whether a regional place covers (part of) a district: a place of it is in reach."""
    cover = service.coverage
    if district.land in cover.lands or district.key in cover.districts:
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
    regional = [s for s in services if s.coverage.regional()]
    points, postcodes = gazetteer.district_points(), gazetteer.district_postcodes()
    gaps = tuple(
        district
        for key, district in sorted(gazetteer.districts.items())
        if not any(covers(s, district, points[key], postcodes[key]) for s in regional)
    )
    return LocalReport(
        services=len(services),
        examples=examples,
        nationwide=sum(s.coverage.nationwide for s in services),
        gaps=gaps,
        stale=tuple(s for s in services if s.stale(today)),
        districts=len(gazetteer.districts),
    )


def report_lines(report: LocalReport) -> list[str]:
    """Return the report as the lines `local check` prints (German, for staff)."""
    lines = [
        f"Verzeichnis: {report.services} Stellen, davon {report.nationwide} bundesweit "
        f"({report.examples} Beispiel(e) nicht gezählt)",
        f"Stand älter als 12 Monate: {len(report.stale)}",
        *(f"  {s.file.name}:{s.line} {s.id} (geprüft {s.checked:%d.%m.%Y})" for s in report.stale),
        f"Kreise und kreisfreie Städte ohne regionale Stelle: {len(report.gaps)} "
        f"von {report.districts}",
    ]
    land = None
    for district in sorted(report.gaps, key=lambda d: (d.land, d.name)):
        if district.land != land:
            land = district.land
            lines.append(f"  {land}:")
        lines.append(f"    {district.key} {district.name}")
    return lines
