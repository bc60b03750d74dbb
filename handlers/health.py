"""`/healthz`: is the database usable and the Bot API reachable? A tiny HTTP server of its own.

PTB's webhook server (tornado) has no public way to add a route: `Updater.start_webhook` builds
its `WebhookAppClass` with the one Telegram handler and keeps the server private. So the health
endpoint is its own server on `webhook.health_port`, built on asyncio streams: it needs no web
framework, runs in polling mode as well, and answers nothing but `GET /healthz` (and HEAD).

The answer is `{"database": "ok"|"error", "bot_api": "ok"|"error"}`: HTTP 200 when both are
ok, 503 otherwise. It never contains secrets, ids or error texts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable

from telegram import Bot

logger = logging.getLogger(__name__)

Probe = Callable[[], Awaitable[object]]

# getMe is asked at most once per this many seconds, however often /healthz is called, so the
# endpoint cannot be used to hammer Telegram (or to wait in Telegram's flood control).
BOT_API_CACHE_SECONDS = 5.0
# Each probe gets this long; a slower answer counts as an error.
PROBE_SECONDS = 3.0
# A client gets this long to send its request head, of at most this many lines and bytes.
REQUEST_SECONDS = 5.0
MAX_HEADER_LINES = 100
MAX_LINE_BYTES = 8192
PATH = "/healthz"
_REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}


def get_me_probe(bot: Bot) -> Probe:
    """Return a probe that asks the Bot API `getMe` with short timeouts."""

    async def probe() -> object:
        return await bot.get_me(
            connect_timeout=PROBE_SECONDS,
            read_timeout=PROBE_SECONDS,
            write_timeout=PROBE_SECONDS,
            pool_timeout=PROBE_SECONDS,
        )

    return probe


class HealthCheck:
    """Run the database and Bot API probes; remember the Bot API's answer for a few seconds."""

    def __init__(
        self,
        database: Probe,
        bot_api: Probe,
        cache_seconds: float = BOT_API_CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Keep the probes (each fails by raising or by taking longer than PROBE_SECONDS)."""
        self._database = database
        self._bot_api = bot_api
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._lock = asyncio.Lock()
        self._bot_api_ok: bool | None = None  # None: not asked yet
        self._checked_at = 0.0

    async def report(self) -> dict[str, str]:
        """Return `{"database": "ok"|"error", "bot_api": "ok"|"error"}`."""
        database = await _passes(self._database, "database")
        bot_api = await self._bot_api_status()
        return {"database": _word(database), "bot_api": _word(bot_api)}

    async def _bot_api_status(self) -> bool:
        # One getMe at a time: concurrent requests wait for it and share its answer.
        async with self._lock:
            fresh = self._clock() - self._checked_at < self._cache_seconds
            if self._bot_api_ok is not None and fresh:
                return self._bot_api_ok
            ok = await _passes(self._bot_api, "Bot API")
            if ok != self._bot_api_ok:  # log changes only: /healthz may be asked every second
                level = logging.INFO if ok else logging.WARNING
                logger.log(level, "health: the Bot API is %s", "reachable" if ok else "unreachable")
            self._bot_api_ok, self._checked_at = ok, self._clock()
            return ok


async def _passes(probe: Probe, name: str) -> bool:
    try:
        async with asyncio.timeout(PROBE_SECONDS + 1):
            await probe()
    # Any failure means "not healthy"; only the exception's type is logged, because messages
    # of network errors may contain URLs (with the token) and database errors may quote data.
    except Exception as exc:
        logger.debug("health: %s probe failed (%s)", name, type(exc).__name__)
        return False
    return True


def _word(ok: bool) -> str:
    return "ok" if ok else "error"


class HealthServer:
    """Serve `GET /healthz` on one address and port."""

    def __init__(self, check: HealthCheck, host: str, port: int) -> None:
        """Keep the check and where to listen; `start` binds."""
        self._check = check
        self._host = host
        self._port = port
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        """Bind and start answering (raises OSError when the port is taken)."""
        self._server = await asyncio.start_server(
            self._serve, self._host, self._port, limit=MAX_LINE_BYTES
        )
        logger.info("health endpoint on http://%s:%d%s", self._host, self._port, PATH)

    async def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(REQUEST_SECONDS):
                method, target = await _read_head(reader)
            status, body = await self._answer(method, target)
            writer.write(_response(status, body, head_only=method == "HEAD"))
            await writer.drain()
        # A client that is slow, sends garbage or hangs up gets no answer: nothing to log.
        except (TimeoutError, ValueError, ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _answer(self, method: str, target: str) -> tuple[int, dict[str, str]]:
        if target.split("?", 1)[0] != PATH:
            return 404, {"error": "not found"}
        if method not in {"GET", "HEAD"}:
            return 405, {"error": "method not allowed"}
        report = await self._check.report()
        return (200 if set(report.values()) == {"ok"} else 503), report


async def _read_head(reader: asyncio.StreamReader) -> tuple[str, str]:
    """Read the request line and skip the headers; return method and target.

    Raises:
        ValueError: The request is not HTTP, or its head is too long.

    """
    request_line = (await reader.readline()).decode("latin-1").split()
    if len(request_line) != 3 or not request_line[2].startswith("HTTP/"):
        raise ValueError("not an HTTP request")
    for _ in range(MAX_HEADER_LINES):
        line = await reader.readline()
        if not line:
            raise asyncio.IncompleteReadError(line, None)
        if not line.strip():
            return request_line[0], request_line[1]
    raise ValueError("too many header lines")


def _response(status: int, body: dict[str, str], head_only: bool) -> bytes:
    payload = json.dumps(body).encode()
    head = (
        f"HTTP/1.1 {status} {_REASONS[status]}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n"
        "Cache-Control: no-store\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode("ascii") + (b"" if head_only else payload)
