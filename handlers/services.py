"""Typed application-wide services (PTB `bot_data`), filled in once by `build_application`."""

from __future__ import annotations

from telegram.ext import CallbackContext, ExtBot

from bot.config import Config
from bot.dialogue import Dialogue
from bot.storage.base import Store


class Services:
    """What every handler needs: the config, the dialogue core and the store.

    PTB instantiates `bot_data` without arguments, so the fields are bound after construction
    by `build_application`; reading one before that is a programming error.
    """

    def __init__(self) -> None:
        """Create an empty container."""
        self._config: Config | None = None
        self._dialogue: Dialogue | None = None
        self._store: Store | None = None

    def bind(self, config: Config, dialogue: Dialogue, store: Store) -> None:
        """Bind the services (called once while wiring the application)."""
        self._config, self._dialogue, self._store = config, dialogue, store

    @property
    def config(self) -> Config:
        """Return the configuration."""
        if self._config is None:
            raise RuntimeError("services are not bound yet")
        return self._config

    @property
    def dialogue(self) -> Dialogue:
        """Return the dialogue core."""
        if self._dialogue is None:
            raise RuntimeError("services are not bound yet")
        return self._dialogue

    @property
    def store(self) -> Store:
        """Return the store."""
        if self._store is None:
            raise RuntimeError("services are not bound yet")
        return self._store


class Context(CallbackContext[ExtBot[None], dict[object, object], dict[object, object], Services]):
    """The callback context with typed `bot_data` (a real class: PTB checks it with issubclass)."""
