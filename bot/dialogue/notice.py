"""The data-protection notice (/datenschutz), generated from the config.

The retention periods and the controller come from the config, so the notice cannot drift from
what the bot does; the wording is in knowledge/texts.yaml.
"""

from __future__ import annotations

from bot.config import PrivacyConfig
from bot.datafiles.texts import Texts


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
