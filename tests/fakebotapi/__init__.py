"""A fake Telegram Bot API server for end-to-end tests (see server.FakeBotAPI).

The server needs aiohttp; its names load on first use, so ``python -m tests.fakebotapi`` can say
which Python to use instead of failing with a traceback when aiohttp is missing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.fakebotapi.server import (
        ApiError,
        Call,
        FakeBotAPI,
        JoinOutcome,
        SendRefused,
        Upload,
        busiest_window,
    )

__all__ = [
    "ApiError",
    "Call",
    "FakeBotAPI",
    "JoinOutcome",
    "SendRefused",
    "Upload",
    "busiest_window",
]


def __getattr__(name: str) -> Any:
    """Load the server's names when first asked for (PEP 562)."""
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module("tests.fakebotapi.server"), name)
