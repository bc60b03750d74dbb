"""Retention: what is due for deletion, run daily by the front end's timer."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.config import PrivacyConfig
from bot.privacy.ports import PersonalData, Retention

logger = logging.getLogger(__name__)


def retention_of(config: PrivacyConfig) -> Retention:
    """Return the retention periods of the privacy config."""
    return Retention(
        unanswered_days=config.unanswered_days,
        inactive_days=config.inactive_days,
        closed_case_days=config.closed_case_days,
        outbox_days=config.outbox_days,
    )


async def purge_due(store: PersonalData, config: PrivacyConfig, now: datetime) -> dict[str, int]:
    """Delete what the retention periods say is due; log only the counts."""
    counts = await store.purge(retention_of(config), now)
    logger.info(
        "retention: deleted %s", ", ".join(f"{k} {v}" for k, v in counts.items() if v) or "nothing"
    )
    return counts
