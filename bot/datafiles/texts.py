"""Fixed wordings of the bot, looked up by key (`knowledge/texts.yaml`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Texts:
    """Fixed wordings, looked up by key and filled with placeholders."""

    values: Mapping[str, str]

    def __call__(self, key: str, **fields: object) -> str:
        """Return text `key`, with `{placeholders}` filled from `fields`."""
        text = self.values[key].strip()
        return text.format(**fields) if fields else text
