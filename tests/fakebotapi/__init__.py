"""A fake Telegram Bot API server for end-to-end tests (see server.FakeBotAPI)."""

from tests.fakebotapi.server import (
    ApiError,
    Call,
    FakeBotAPI,
    JoinOutcome,
    Upload,
    busiest_window,
)

__all__ = ["ApiError", "Call", "FakeBotAPI", "JoinOutcome", "Upload", "busiest_window"]
