"""Typed application-wide services (PTB `bot_data`), filled in once by `build_application`."""

from __future__ import annotations

from dataclasses import dataclass, replace

from telegram.ext import CallbackContext, ExtBot

from bot.announcements.desk import StaffDesk
from bot.announcements.service import Announcements
from bot.cases.service import Counselling
from bot.config import Config
from bot.conversation.service import Conversation
from bot.dialogue.core import Dialogue
from bot.frontends.understanding import Understanding
from bot.frontends.web.app import ConsoleServices
from bot.groups.service import PeerGroups
from bot.language.encoding import AsyncEncoder
from bot.storage.ports import Store


@dataclass(frozen=True)
class Bound:
    """The services once bound."""

    config: Config
    dialogue: Dialogue
    conversation: Conversation
    store: Store
    counselling: Counselling | None = None
    announcements: Announcements | None = None
    desk: StaffDesk | None = None
    understanding: Understanding | None = None
    encoder: AsyncEncoder | None = None
    console: ConsoleServices | None = None
    groups: PeerGroups | None = None


class Services:
    """What every handler needs: the config, the dialogue core (texts), the use cases.

    PTB instantiates `bot_data` without arguments, so the fields are bound after construction
    by `build_application`; reading one before that is a programming error.
    """

    def __init__(self) -> None:
        """Create an empty container."""
        self._bound: Bound | None = None

    def bind(self, bound: Bound) -> None:
        """Bind the services (called once while wiring the application)."""
        self._bound = bound

    def bind_console(self, console: ConsoleServices | None) -> None:
        """Add the web console's use cases (after `bind`)."""
        self._bound = replace(self._services, console=console)

    @property
    def _services(self) -> Bound:
        if self._bound is None:
            raise RuntimeError("services are not bound yet")
        return self._bound

    @property
    def config(self) -> Config:
        """Return the configuration."""
        return self._services.config

    @property
    def dialogue(self) -> Dialogue:
        """Return the dialogue core (for its texts; decisions go through the use cases)."""
        return self._services.dialogue

    @property
    def conversation(self) -> Conversation:
        """Return the parents' use case."""
        return self._services.conversation

    @property
    def counselling(self) -> Counselling | None:
        """Return the hand-over use cases, or None when no counsellors' group is configured."""
        return self._services.counselling

    @property
    def announcements(self) -> Announcements | None:
        """Return the events and broadcasts use case, or None when no staff are configured."""
        return self._services.announcements

    @property
    def desk(self) -> StaffDesk | None:
        """Return the staff's dialogues, or None when no staff are configured."""
        return self._services.desk

    @property
    def console(self) -> ConsoleServices | None:
        """Return the staff console's use cases (None: no `console:` in the config)."""
        return self._services.console

    @property
    def groups(self) -> PeerGroups | None:
        """Return the peer groups' use cases (None: no `groups:` in the config)."""
        return self._services.groups

    @property
    def understanding(self) -> Understanding | None:
        """Return the encoder's load result and the semantic index (None: not wired, e.g. tests)."""
        return self._services.understanding

    @property
    def encoder(self) -> AsyncEncoder | None:
        """Return the encoder off the event loop, or None when it is off or could not load."""
        return self._services.encoder

    @property
    def store(self) -> Store:
        """Return the store, for opening and closing it with the application."""
        return self._services.store


class Context(CallbackContext[ExtBot[None], dict[object, object], dict[object, object], Services]):
    """The callback context with typed `bot_data` (a real class: PTB checks it with issubclass)."""
