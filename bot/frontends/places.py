"""Load the place data for „Hilfe vor Ort"; without it the bot runs on and says so at start."""

from __future__ import annotations

import logging

from bot.geodata.geonames import PlaceDataError, load_gazetteer
from bot.places.gazetteer import Gazetteer

logger = logging.getLogger(__name__)


def load_places() -> Gazetteer | None:
    """Read the German postcodes; None (and why, at debug level) when the data is unusable.

    The start-up summary says whether places are on (`LocalHelp.status`); the reason is kept
    out of it so that a missing package costs no extra line before the bot is up.
    """
    try:
        return load_gazetteer()
    except PlaceDataError as error:
        logger.debug("no place data: %s", error)
        return None
