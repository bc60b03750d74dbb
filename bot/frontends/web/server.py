"""Wire and serve the console: its use cases over the bot's store and live dialogue, on uvicorn.

`run` starts it beside the bot on the same event loop (so a taught phrasing reaches the very
dialogue that answers parents); `elternlotse console` serves it alone for a local trial.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

import uvicorn

from bot.config import Config, ConsoleConfig
from bot.console.access import ConsoleAccess, Roles
from bot.console.curation import Curation
from bot.console.figures import Figures
from bot.console.knowledge import KnowledgeUpkeep, VoteStore
from bot.console.overview import Overview
from bot.console.ports import CurationStore, FiguresStore, LoginStore, OverviewStore
from bot.dialogue.core import Dialogue
from bot.frontends.checks import validate
from bot.frontends.web.app import ConsoleServices, build_console
from bot.groups.service import PeerGroups
from bot.knowledgeedit.yamlfiles import KnowledgeFiles

logger = logging.getLogger(__name__)


class ConsoleStore(LoginStore, CurationStore, OverviewStore, FiguresStore, VoteStore, Protocol):
    """The store the console needs (the SQLite store is one)."""


def roles_of(config: Config, console: ConsoleConfig) -> Roles:
    """Return the console's roles: staff ids, editors among them, counsellors."""
    staff = config.announcements.staff_ids if config.announcements else frozenset()
    counsellors = (
        frozenset(c.id for c in config.counselling.counsellors)
        if config.counselling
        else frozenset()
    )
    return Roles(staff, console.editors & staff, counsellors)


def console_services(
    config: Config,
    console: ConsoleConfig,
    store: ConsoleStore,
    dialogue: Dialogue,
    groups: PeerGroups | None = None,
) -> ConsoleServices:
    """Build the console's use cases over the store and the live dialogue (and the groups)."""

    def now() -> datetime:
        return datetime.now(UTC)

    access = ConsoleAccess(store, roles_of(config, console), now)
    editor = KnowledgeFiles(config.knowledge_dir, validate)
    writing = asyncio.Lock()  # one writer of the knowledge files at a time, reload included
    curation = Curation(store, store, dialogue, editor, now, writing)
    overview = Overview(store, pseudonyms(config), ZoneInfo(config.timezone), now)
    figures = Figures(store, ZoneInfo(config.timezone), now)
    return ConsoleServices(
        access,
        curation,
        lambda: dialogue.kb,
        # The association's calendar day, as the counters count it (not the server's).
        lambda: now().astimezone(ZoneInfo(config.timezone)).date(),
        overview=overview,
        secure_cookies=console.secure_cookies,
        public_url=console.public_url,
        figures=figures,
        upkeep=KnowledgeUpkeep(store, access, dialogue, editor, writing),
        groups=groups,
    )


def pseudonyms(config: Config) -> Callable[[int], str]:
    """Return who a counsellor is on the console: the pseudonym parents see, never the id."""
    counselling = config.counselling

    def name(counsellor_id: int) -> str:
        if counselling is None:
            return "Beratungsteam"
        found = counselling.counsellor(counsellor_id)
        return found.name if found else counselling.default_name

    return name


class _QuietServer(uvicorn.Server):
    """Uvicorn without its own signal handlers: the bot owns SIGINT and SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class ConsoleServer:
    """The console's HTTP server as a task on the running event loop."""

    def __init__(self, services: ConsoleServices, console: ConsoleConfig) -> None:
        """Prepare uvicorn (no signal handlers of its own: the bot owns them)."""
        config = uvicorn.Config(
            build_console(services),
            host=console.listen,
            port=console.port,
            log_level="warning",
            access_log=False,  # request lines hold login tokens
            lifespan="off",
        )
        self._server = _QuietServer(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start serving; raise OSError when the port is taken."""
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()  # re-raise why it stopped (a port in use)
                raise OSError("the console server stopped at start")
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        """Stop serving and wait for it."""
        self._server.should_exit = True
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task
