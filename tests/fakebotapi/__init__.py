"""A fake Telegram Bot API server for end-to-end tests (see server.FakeBotAPI)."""

from tests.fakebotapi.server import ApiError, Call, FakeBotAPI, Upload

__all__ = ["ApiError", "Call", "FakeBotAPI", "Upload"]
