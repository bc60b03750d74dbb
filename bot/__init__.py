"""Elternlotse core: knowledge, matching, crisis guard and dialogue, free of any Telegram code."""
