"""The local part of the knowledge base: the offices' finders and the association's directory.

`knowledge/offices.yaml` says, per kind of office, who runs it and where its own finder is (the
bot cannot know a street: the office's finder is the truthful answer). `knowledge/local/*.yaml`
is the association's directory of advice centres, groups and family centres, which staff
maintain; each place says whom it is for (its coverage) and when its facts were last checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path

from bot.places.model import Point

LANDS = (
    "Baden-Württemberg", "Bayern", "Berlin", "Brandenburg", "Bremen", "Hamburg", "Hessen",
    "Mecklenburg-Vorpommern", "Niedersachsen", "Nordrhein-Westfalen", "Rheinland-Pfalz",
    "Saarland", "Sachsen", "Sachsen-Anhalt", "Schleswig-Holstein", "Thüringen",
)  # fmt: skip
STALE_AFTER_DAYS = 365  # older facts are shown with their „Stand" and listed for review


class OfficeRun(Enum):
    """Who runs an office, so the reply can name the one for a place."""

    DISTRICT = "district"  # the Kreis or kreisfreie Stadt (Jugendamt, Jobcenter)
    FEDERAL = "federal"  # a federal agency with regional offices (Familienkasse)
    COURT = "court"  # the Amtsgericht of the place (Familiengericht)


@dataclass(frozen=True)
class Office:
    """A kind of public office and how a parent finds the one for her place."""

    id: str
    name: str
    what: str
    run_by: OfficeRun
    how: str
    finder: str | None
    legal_basis: tuple[str, ...]
    source: str


class ServiceKind(Enum):
    """What a directory entry is."""

    ADVICE = "beratung"
    ONLINE = "onlineberatung"
    ASSOCIATION = "verband"
    GROUP = "gruppe"
    FAMILY_CENTRE = "familienzentrum"
    EARLY_HELP = "fruehe-hilfen"


@dataclass(frozen=True)
class Coverage:
    """Whom a place is for: everyone, some Länder, districts or postcodes, or a radius."""

    nationwide: bool = False
    lands: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()  # Kreisschlüssel, five digits
    postcodes: tuple[str, ...] = ()
    radius_km: float | None = None  # around the place's coordinates

    def regional(self) -> bool:
        """Tell whether the place is for a region (not only for everyone)."""
        return bool(self.lands or self.districts or self.postcodes or self.radius_km)


@dataclass(frozen=True)
class LocalService:
    """One place of help in the association's directory."""

    id: str
    name: str
    kind: ServiceKind
    topics: tuple[str, ...]  # FAQ entry ids it helps with; empty: everything
    coverage: Coverage
    url: str | None
    phone: str | None
    address: str | None
    point: Point | None
    hours: str | None
    languages: tuple[str, ...]
    accessibility: str | None
    source: str
    checked: date
    file: Path
    line: int

    def stale(self, today: date) -> bool:
        """Tell whether its facts were checked more than a year ago."""
        return (today - self.checked).days > STALE_AFTER_DAYS


@dataclass(frozen=True)
class LocalKnowledge:
    """Everything „Hilfe vor Ort" knows: offices, where it is offered, the directory."""

    offices: tuple[Office, ...] = ()  # knowledge/offices.yaml
    offer_under: frozenset[str] = frozenset()  # entries whose answers offer „📍 … Nähe"
    services: tuple[LocalService, ...] = ()  # knowledge/local/*.yaml, shown to parents
    examples: tuple[LocalService, ...] = ()  # files marked `example: true`: never shown
