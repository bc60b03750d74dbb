"""The parent's data export (/meine_daten): a German overview and the machine-readable file.

What is stored is not written by hand: the personal-data registry names every table with data
about a parent and why, so the export cannot drift from what the bot keeps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from bot.config import PrivacyConfig
from bot.dialogue.model import Attachment, Reply
from bot.privacy.overview import machine_readable, overview

EXPORT_FILENAME = "elternlotse-meine-daten.json"


def export_reply(
    texts: Callable[..., str],
    rows: Mapping[str, list[dict[str, Any]]],
    now: datetime,
    privacy: PrivacyConfig,
) -> Reply:
    """Return the parent's data: a German overview, with every row as a JSON file beside it.

    Args:
        texts: The fixed wordings.
        rows: Every stored row about the parent, by table.
        now: The moment of the export, in the service's time zone (dates are shown in it).
        privacy: The retention periods the overview names.

    """
    title, text = overview(texts, rows, now, privacy)
    content = machine_readable(rows, now, texts)
    attachment = Attachment(EXPORT_FILENAME, content, "application/json")
    return Reply(text, title=title, attachment=attachment)
