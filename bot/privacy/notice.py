"""The data-protection notice (/datenschutz), generated from config and the registry.

What is stored and for how long is not written by hand: the personal-data registry names every
table with data about a parent and why, and the retention periods come from the config, so the
notice cannot drift from what the bot does.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from bot.config import PrivacyConfig
from bot.content.texts import Texts
from bot.dialogue.model import Attachment, Reply
from bot.storage.registry import PERSONAL_DATA

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
    texts: Callable[..., str], rows: Mapping[str, list[dict[str, Any]]], now: datetime
) -> Reply:
    """Return the parent's data as a JSON file, with what each table is for."""
    purposes = {table.table: table.purpose for table in PERSONAL_DATA}
    document = {
        "exported_at": now.isoformat(timespec="seconds"),
        "tables": {
            name: {"purpose": purposes.get(name, ""), "rows": found} for name, found in rows.items()
        },
    }
    content = json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    count = sum(len(found) for found in rows.values())
    attachment = Attachment(EXPORT_FILENAME, content, "application/json")
    return Reply(texts("export_ready", count=count), attachment=attachment)
