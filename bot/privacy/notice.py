"""The data-protection notice (/datenschutz), generated from config and the registry.

What is stored and for how long is not written by hand: the personal-data registry names every
table with data about a parent and why, and the retention periods come from the config, so the
notice cannot drift from what the bot does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from bot.config import PrivacyConfig
from bot.content.texts import Texts
from bot.dialogue.model import Attachment, Reply
from bot.privacy.overview import machine_readable, overview

EXPORT_FILENAME = "elternlotse-meine-daten.json"


def privacy_notice(texts: Texts, config: PrivacyConfig) -> str:
    """Return the notice: controller, what is kept and how long, Telegram, rights, complaints."""
    missing = texts("privacy_not_configured")
    parts = [
        texts("privacy_intro"),
        texts("privacy_controller", controller=config.controller or missing),
        texts("privacy_dpo", dpo=config.dpo_contact or missing),
        texts(
            "privacy_stored",
            inactive_days=config.inactive_days,
            closed_case_days=config.closed_case_days,
            outbox_days=config.outbox_days,
        ),
        texts("privacy_unlinked", unanswered_days=config.unanswered_days),
        texts("privacy_telegram"),
        texts("privacy_rights"),
        texts("privacy_complaint", authority=config.authority or missing),
    ]
    return "\n\n".join(parts)


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
