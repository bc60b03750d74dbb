"""`elternlotse run`: check token, config and knowledge, then poll Telegram (or serve a webhook)."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import sqlite3
import sys
import threading
from dataclasses import dataclass
from typing import NoReturn, Protocol

from telegram import Bot
from telegram.error import BadRequest, Conflict, InvalidToken, NetworkError, TelegramError

from bot.config import Config, ConfigError, WebhookConfig, load_config
from bot.detector.langid import LangidDetector
from bot.dialogue.core import Dialogue
from bot.frontends.places import load_places
from bot.frontends.startup import EXIT_BAD_SETUP, Setup, StartupError, load_setup
from bot.frontends.understanding import Understanding, load_understanding
from bot.frontends.web.server import ConsoleServer
from bot.language.rare_words import german_zipf
from bot.storage.sqlite import SchemaVersionError, SqliteStore, open_store
from handlers.app import ALLOWED_UPDATES, BotApp, build_application
from handlers.health import HealthCheck, HealthServer, get_me_probe
from handlers.setup_check import (
    ANOTHER_INSTANCE,
    SetupProblem,
    check_setup,
    install_token_guard,
)
from handlers.webhook import MISSING_SERVER, run_webhook, webhook_server_installed

logger = logging.getLogger(__name__)

# SIGTERM is what systemd and `timeout` send; SIGINT is Ctrl+C.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
LEFTOVER_SECONDS = 5.0  # how long the clean-up waits for start-up steps a stop cancelled
# "<digits>:<letters, digits, - and _>" – the shape of every Bot API token.
TOKEN_SHAPE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{5,}$")


def _fail(message: str, code: int = EXIT_BAD_SETUP) -> int:
    print(f"elternlotse: {message}", file=sys.stderr)
    return code


@dataclass
class StopRequest:
    """The handler of SIGINT and SIGTERM: notes the request and stops like PTB's own handler.

    Attributes:
        application: The application whose start-up a signal may interrupt.
        requested: True once a stop signal came.

    """

    application: BotApp
    requested: bool = False

    def __call__(self) -> NoReturn:
        """Note the request and raise SystemExit, which PTB's run_* take as „stop now".

        During start-up (before the application runs) the start-up step under way is cancelled
        first: left pending, it would go on beside the clean-up (opening the store while it is
        closed) and end as „Task was destroyed but it is pending" once the loop is closed.

        Raises:
            SystemExit: Always.

        """
        self.requested = True
        if not self.application.running:
            current = asyncio.current_task()
            for task in asyncio.all_tasks():
                if task is not current:
                    task.cancel()
        raise SystemExit


def _exit_at_once(signum: int, frame: object) -> NoReturn:
    raise SystemExit(0)


def _not_a_bootstrap_failure(record: logging.LogRecord) -> bool:
    # PTB logs a failed start-up call (getMe, deleteWebhook, setWebhook) with its traceback,
    # then raises it; `_serve` reports that exception in one line, so the record goes.
    return not (
        record.levelno >= logging.ERROR
        and record.getMessage().startswith("Network Retry Loop (Bootstrap")
    )


def _not_a_conflict_at_stop(record: logging.LogRecord) -> bool:
    # On stop PTB calls getUpdates once more and logs its failure with a traceback, and a
    # getUpdates still open when it stops ends as a „Task exception was never retrieved". With
    # another process polling both are a Conflict, which the TokenGuard reports in one line.
    error = record.exc_info[1] if record.exc_info else None
    return not isinstance(error, Conflict)


def _without_update_content(record: logging.LogRecord) -> bool:
    """Keep the line about an unparsable update, but not the update (personal data)."""
    if "Received data was" in str(record.msg):
        record.msg, record.args, record.exc_info = "an update could not be parsed", (), None
    return True


def configure_logging(level: str) -> None:
    """Log to stderr; keep HTTP client logs quiet because their URLs contain the token."""
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    # httpx logs URLs, which contain the token. APScheduler's INFO lines (job added, scheduler
    # started) tell an operator nothing, and before the Bot API is reached they would turn an
    # unreachable-Bot-API exit into more than its one line.
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # DEBUG lines of PTB contain the token (the Bot API URL), the webhook secret (setWebhook's
    # parameters) and whole updates; those of aiosqlite every SQL parameter (user ids, texts).
    # So these stay at INFO or above, whatever the config says.
    floor = max(logging.getLogger().getEffectiveLevel(), logging.INFO)
    for chatty in ("telegram", "aiosqlite"):
        logging.getLogger(chatty).setLevel(floor)
    logging.getLogger("telegram.ext").addFilter(_not_a_bootstrap_failure)
    # PTB's webhook server logs a whole update (names, texts) when it cannot parse one.
    logging.getLogger("telegram.ext.Updater").addFilter(_without_update_content)
    logging.getLogger("telegram.ext.Updater").addFilter(_not_a_conflict_at_stop)
    logging.getLogger("asyncio").addFilter(_not_a_conflict_at_stop)


def run(
    config_path: str | None = None, webhook: bool = False, health_port: int | None = None
) -> int:
    """Run the Telegram bot until SIGINT or SIGTERM.

    Args:
        config_path: The config file, or None for $ELTERNLOTSE_CONFIG or ./config.yaml.
        webhook: Serve Telegram's webhook (section `webhook:`) instead of polling.
        health_port: Serve /healthz on this port (on `webhook.listen`); None: in webhook mode
            `webhook.health_port`, when polling no health endpoint.

    Returns:
        0 after a clean stop; 1 for an invalid knowledge base; 2 for a missing or invalid token
        or config, a counsellors' group that cannot work, another process polling with the
        same token, or a Bot API that cannot be reached or refuses to start the bot (with one
        line saying what is wrong and how to fix it).

    """
    # Until the event loop takes signals over (`_serve`), a stop signal ends the start at once
    # with exit code 0: nothing is running yet that would need cleaning up.
    for stop_signal in STOP_SIGNALS:
        signal.signal(stop_signal, _exit_at_once)
    # Opt in to python-telegram-bot's timedelta time periods (RetryAfter.retry_after etc.); the
    # int form is deprecated since v22.2 and warns on every access.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    try:
        config = load_config(config_path)
        if webhook:
            config.webhook.endpoint()  # public_url and secret_token are required
    except ConfigError as exc:
        return _fail(str(exc))
    problem = _token_problem(config.token)
    if problem is not None:
        return _fail(problem)
    if webhook and not webhook_server_installed():
        return _fail(MISSING_SERVER)
    configure_logging(config.log_level)
    try:
        setup = load_setup(config_path)
    except StartupError as exc:
        return exc.report()
    understanding = load_understanding(setup.config, setup.kb)
    store = open_store(setup.config.data_dir)
    dialogue = Dialogue(setup.kb, setup.config, detector=LangidDetector(), places=load_places())
    # The redaction's word list (~0.4 s): loaded beside the start, not on the first fallback.
    threading.Thread(target=german_zipf, name="word-frequencies", daemon=True).start()
    application = _application(setup, dialogue, store, understanding)
    if webhook and health_port is None:
        health_port = setup.config.webhook.health_port
    servers = _side_servers(setup.config, store, application, health_port)
    return _serve(application, setup.config.webhook if webhook else None, servers)


def _application(
    setup: Setup, dialogue: Dialogue, store: SqliteStore, understanding: Understanding
) -> BotApp:
    """Build the bot with the SQLite store behind every port (events and the console too)."""
    return build_application(
        setup.config,
        dialogue,
        store,
        announcement_store=store,
        understanding=understanding,
        console_store=store,
    )


def _side_servers(
    config: Config, store: SqliteStore, application: BotApp, health_port: int | None
) -> list[SideServer]:
    """Return the servers beside the bot: /healthz (when a port is given), the staff console."""
    servers: list[SideServer] = []
    if health_port is not None:
        servers.append(_health(config, store, application, health_port))
    console = application.bot_data.console
    if console is not None and config.console is not None:
        servers.append(ConsoleServer(console, config.console))
    return servers


def _bot_api_refusal(exc: SetupProblem | TelegramError) -> str:
    """Say in one line why the Bot API or the set-up it reports does not let the bot start."""
    if isinstance(exc, SetupProblem):
        return str(exc)
    if isinstance(exc, InvalidToken):
        return "Telegram rejected BOT_TOKEN (401 Unauthorized); copy it again from @BotFather."
    if isinstance(exc, NetworkError) and not isinstance(exc, BadRequest):
        # Also TimedOut; the message may contain a URL: the type only. A BadRequest is a
        # NetworkError in PTB, but Telegram did answer (e.g. setWebhook).
        return f"cannot reach the Bot API ({type(exc).__name__}); check TELEGRAM_API_URL."
    # Forbidden, Conflict, RetryAfter, BadRequest: the Bot API's description.
    return f"the Bot API refused to start the bot: {exc.message}"


def check_online(config_path: str | None = None) -> int:
    """Check the set-up against the Bot API without starting the bot (`check --online`).

    Prints the start-up summary, one line per feature.

    Returns:
        0 when the set-up works; 2 with one line saying what to do when it does not.

    """
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        return _fail(str(exc))
    problem = _token_problem(config.token)
    if problem is not None:
        return _fail(problem)
    try:
        summary = asyncio.run(_ask_bot_api(config))
    except (SetupProblem, TelegramError) as exc:
        return _fail(_bot_api_refusal(exc))
    for line in summary:
        print(line)
    return 0


async def _ask_bot_api(config: Config) -> list[str]:
    base = f"{config.api_url}/bot" if config.api_url else "https://api.telegram.org/bot"
    async with Bot(str(config.token), base_url=base) as bot:  # getMe first
        return await check_setup(bot, config)


def _token_problem(token: str | None) -> str | None:
    if not token:
        return (
            "BOT_TOKEN is not set. Get a token from @BotFather in Telegram (/newbot) and run "
            "`export BOT_TOKEN=<token>` – or use `elternlotse chat` without Telegram."
        )
    if not TOKEN_SHAPE.match(token):
        return (
            "BOT_TOKEN does not look like a Telegram token (expected <digits>:<letters>); "
            "copy it again from @BotFather."
        )
    return None


def _health(config: Config, store: SqliteStore, application: BotApp, port: int) -> HealthServer:
    """Build the /healthz server: a cheap query through the store, and getMe."""

    async def database() -> object:
        return await store.user_exists(0)  # no user has id 0: reads the tables, finds nothing

    check = HealthCheck(database, get_me_probe(application.bot))
    return HealthServer(check, config.webhook.listen, port)


class SideServer(Protocol):
    """A server beside the bot on its event loop: /healthz, the staff console."""

    async def start(self) -> None:
        """Start serving (OSError: the port is taken)."""

    async def stop(self) -> None:
        """Stop serving."""


def _serve(application: BotApp, webhook: WebhookConfig | None, servers: list[SideServer]) -> int:
    """Poll, or serve the webhook when `webhook` is given, with /healthz and the console beside.

    Returns:
        0 after a clean stop; 2 when the bot could not start, after one line saying why.

    """
    # PTB's run_* use the current event loop; the health server runs on the same one.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # Our own stop handler from the first moment, not PTB's from run_* on: a signal during
    # start-up then stops cleanly too, and what its interruption raises is known as such.
    stop = StopRequest(application)
    for stop_signal in STOP_SIGNALS:
        loop.add_signal_handler(stop_signal, stop)
    try:
        # Reach the Bot API (getMe) before anything listens or logs: an unreachable or refusing
        # Bot API then costs exactly one line. run_* skip the initialize that is already done.
        summary = loop.run_until_complete(_initialize(application))
        for server in servers:
            loop.run_until_complete(server.start())
        for line in summary:  # only now: a failed start stays one line
            logger.info("%s", line)
        if webhook is None:
            if not _poll(application):
                return _fail(ANOTHER_INSTANCE)
        else:
            run_webhook(application, webhook)
    except SystemExit:
        pass  # a stop signal before run_* took over; clean up below
    except (SetupProblem, TelegramError) as exc:
        if not stop.requested:  # else a request cut off by the stop signal
            return _fail(_bot_api_refusal(exc))
    except OSError as exc:  # a port in use, an address not on this machine, a read-only disk
        return _fail(f"cannot start: {exc}")
    except (SchemaVersionError, sqlite3.Error) as exc:  # the database file (path, no content)
        return _fail(f"cannot open the database: {exc}")
    except RuntimeError:
        # A signal between PTB's start-up steps can leave one of them unfinished („Event loop
        # stopped before Future completed"); the clean-up below finishes what was started.
        if not stop.requested:
            raise
    finally:
        # Now the default action: a second signal ends the process at once, not mid-clean-up.
        for stop_signal in STOP_SIGNALS:
            loop.remove_signal_handler(stop_signal)
        loop.run_until_complete(_shutdown(application, servers))
        loop.close()
        asyncio.set_event_loop(None)
    logger.info("stopped")
    return 0


def _poll(application: BotApp) -> bool:
    """Poll until SIGINT or SIGTERM; return False when another process polls this token."""
    guard = install_token_guard(application)
    guard.begin()
    # No stop signals of PTB's: `_serve` installed its own, which raise SystemExit like PTB's.
    application.run_polling(allowed_updates=ALLOWED_UPDATES, stop_signals=None, close_loop=False)
    return not guard.newcomer_refused


async def _initialize(application: BotApp) -> list[str]:
    """Initialize the application (getMe) and check the set-up against Telegram.

    The HTTP clients are closed again if either fails.

    Returns:
        The summary, one line per feature (`check_setup`).

    Raises:
        SetupProblem: A configured feature cannot work (one line says what to do).

    """
    try:
        await application.initialize()
        summary = await check_setup(application.bot, application.bot_data.config)
        understanding = application.bot_data.understanding
        if understanding is not None:
            summary.append(understanding.line)
        summary.append(application.bot_data.dialogue.local.status())
    except BaseException:
        await application.bot.shutdown()
        raise
    return summary


async def _shutdown(application: BotApp, servers: list[SideServer]) -> None:
    """Stop the side servers; finish what run_* left undone, down to closing the store."""
    for server in servers:
        await server.stop()
    # A signal during PTB's own clean-up can leave the application running („This Application
    # is still running!", review D8), and the store's thread then keeps the process alive.
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    # After a failed start-up between pre-flight and run_* (e.g. the health port is taken).
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)  # idempotent: stops senders, closes store
    # A start-up step cancelled by a stop signal may still be closing what it opened (the
    # store's connection thread would keep the process alive): let it finish, bounded.
    leftovers = asyncio.all_tasks() - {asyncio.current_task()}
    if leftovers:
        await asyncio.wait(leftovers, timeout=LEFTOVER_SECONDS)
