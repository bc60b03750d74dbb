"""The daily retention run on PTB's JobQueue."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from bot.privacy.retention import purge_due
from handlers.services import Context

logger = logging.getLogger(__name__)


async def purge(context: Context) -> None:
    """Delete what the retention periods say is due (the core decides; this only runs it)."""
    services = context.bot_data
    await purge_due(services.store, services.config.privacy, datetime.now(UTC))
