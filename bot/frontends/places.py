"""Load the place data for „Hilfe vor Ort", or say in one line why the bot runs without it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.geodata.geonames import PlaceDataError, load_gazetteer
from bot.places.gazetteer import Gazetteer


@dataclass(frozen=True)
class Places:
    """The gazetteer (None: unavailable) and the start-up line that says so."""

    gazetteer: Gazetteer | None
    line: str


def load_places() -> Places:
    """Read the German postcodes; a missing or changed package means none, said in one line."""
    try:
        gazetteer = load_gazetteer()
    except PlaceDataError as error:
        return Places(
            None, f"places: off — {error}; „Hilfe vor Ort“ gives the offices' own finders"
        )
    districts = len(gazetteer.districts)
    return Places(
        gazetteer, f"places: {gazetteer.postcodes} postcodes in {districts} districts (GeoNames)"
    )
