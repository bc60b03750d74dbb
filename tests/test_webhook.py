"""Webhook mode, /healthz and start-up failures: config, health units, the real CLI as a process."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from telegram.error import NetworkError

from bot.config import ConfigError, WebhookConfig, load_config
from handlers.app import ALLOWED_UPDATES
from handlers.health import HealthCheck, HealthServer
from tests.conftest import ROOT
from tests.fakebotapi import FakeBotAPI

SECRET = "Webhook-Secret_0123456789abcdef"
PUBLIC_URL = "https://bot.example.org/telegram"
# Three parents: one speaks without the secret, one with a wrong one, one through Telegram.
NO_HEADER, WRONG_SECRET, RIGHT_SECRET = 5101, 5102, 5103


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_config(path: Path, **webhook: Any) -> Path:
    path.write_text(yaml.safe_dump({"webhook": webhook}), encoding="utf-8")
    return path


def bot_env(api_url: str, data_dir: Path, config: Path | None, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"BOT_TOKEN", "ELTERNLOTSE_CONFIG", "WEBHOOK_SECRET", "TELEGRAM_API_URL"}
    }
    env.update(
        BOT_TOKEN="123456:TEST-TOKEN",
        TELEGRAM_API_URL=api_url,
        ELTERNLOTSE_DATA=str(data_dir),
        PTB_TIMEDELTA="true",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    if config is not None:
        env["ELTERNLOTSE_CONFIG"] = str(config)
    return env


def run_cli(args: Sequence[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.frontends.cli", "run", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )


async def spawn(args: Sequence[str], env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("a", encoding="utf-8") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.frontends.cli",
            "run",
            *args,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=out,
        )


async def stop(process: asyncio.subprocess.Process) -> int:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), timeout=20)
        except TimeoutError:
            process.kill()
            await process.wait()
    return process.returncode or 0


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.1)


async def listening(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    await writer.wait_closed()
    return True


async def healthz(session: aiohttp.ClientSession, port: int) -> tuple[int, dict[str, str]]:
    async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
        return response.status, await response.json()


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        for user_id in (NO_HEADER, WRONG_SECRET, RIGHT_SECRET):
            server.user(user_id, first_name="Test")
        yield server


# ----------------------------------------------------------------------------- configuration


def test_webhook_defaults_and_the_secret_from_the_environment(tmp_path: Path) -> None:
    assert load_config(None, environ={}).webhook == WebhookConfig()
    config = write_config(
        tmp_path / "c.yaml", public_url=PUBLIC_URL, secret_token="from-the-file", url_path="/hook/"
    )
    webhook = load_config(config, environ={"WEBHOOK_SECRET": SECRET}).webhook
    assert (webhook.listen, webhook.port, webhook.health_port) == ("127.0.0.1", 8443, 8444)
    assert webhook.url_path == "hook"
    assert webhook.endpoint() == (PUBLIC_URL, SECRET)  # the environment wins over the file
    assert SECRET not in repr(load_config(config, environ={"WEBHOOK_SECRET": SECRET}))
    off = write_config(tmp_path / "off.yaml", health_port=None)
    assert load_config(off, environ={}).webhook.health_port is None


@pytest.mark.parametrize(
    ("webhook", "key"),
    [
        ({"public_url": "http://bot.example.org/telegram"}, "webhook.public_url"),
        ({"public_url": "https://bot.example.org:8080/telegram"}, "webhook.public_url"),
        ({"public_url": 443}, "webhook.public_url"),
        ({"secret_token": "has spaces in it"}, "webhook.secret_token"),
        ({"secret_token": "x" * 257}, "webhook.secret_token"),
        ({"port": 70000}, "webhook.port"),
        ({"port": "8443"}, "webhook.port"),
        ({"health_port": 8443}, "webhook.health_port"),
        ({"url_path": "a.*b"}, "webhook.url_path"),
        ({"url_path": ""}, "webhook.url_path"),
        ({"listen": ""}, "webhook.listen"),
    ],
)
def test_invalid_webhook_keys_are_named(tmp_path: Path, webhook: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")) as caught:
        load_config(write_config(tmp_path / "c.yaml", **webhook), environ={})
    assert "has spaces" not in str(caught.value)  # a secret is never echoed


def test_webhook_mode_needs_public_url_and_secret() -> None:
    with pytest.raises(ConfigError, match=r"webhook\.public_url"):
        WebhookConfig().endpoint()
    with pytest.raises(ConfigError, match=r"webhook\.secret_token.*WEBHOOK_SECRET"):
        WebhookConfig(public_url=PUBLIC_URL).endpoint()


def test_the_example_webhook_section_loads_when_uncommented(tmp_path: Path) -> None:
    text = (ROOT / "config.example.yaml").read_text(encoding="utf-8")
    section = text[text.index("# webhook:") :]
    uncommented = "\n".join(line.removeprefix("# ") for line in section.splitlines())
    config = tmp_path / "c.yaml"
    config.write_text(uncommented, encoding="utf-8")
    webhook = load_config(config, environ={"WEBHOOK_SECRET": SECRET}).webhook
    assert webhook.endpoint() == (PUBLIC_URL, SECRET)
    assert webhook.health_port == 8444


# ----------------------------------------------------------------------------- /healthz units


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_health_check_asks_the_bot_api_at_most_once_per_few_seconds() -> None:
    calls: list[str] = []
    fail = False

    async def database() -> object:
        return False

    async def get_me() -> object:
        calls.append("getMe")
        if fail:
            raise NetworkError("httpx.ConnectError: https://api.telegram.org/bot123:SECRET/getMe")
        return True

    clock = Clock()
    check = HealthCheck(database, get_me, cache_seconds=5, clock=clock)
    reports = await asyncio.gather(*(check.report() for _ in range(10)))
    assert reports == [{"database": "ok", "bot_api": "ok"}] * 10
    assert calls == ["getMe"]
    fail = True
    clock.now = 4.9
    assert (await check.report())["bot_api"] == "ok"  # still cached
    clock.now = 5.0
    assert await check.report() == {"database": "ok", "bot_api": "error"}
    assert calls == ["getMe", "getMe"]


async def test_health_check_reports_a_broken_database() -> None:
    async def database() -> object:
        raise RuntimeError("SqliteStore('data/x') is not open")

    async def get_me() -> object:
        return True

    assert await HealthCheck(database, get_me).report() == {"database": "error", "bot_api": "ok"}


async def test_health_server_answers_get_healthz_only() -> None:
    async def ok() -> object:
        return True

    port = free_port()
    server = HealthServer(HealthCheck(ok, ok), "127.0.0.1", port)
    await server.start()
    try:
        async with aiohttp.ClientSession() as session:
            assert await healthz(session, port) == (200, {"database": "ok", "bot_api": "ok"})
            async with session.head(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 200
                assert response.headers["Cache-Control"] == "no-store"
            async with session.post(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 405
            async with session.get(f"http://127.0.0.1:{port}/telegram") as response:
                assert response.status == 404
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"garbage\r\n\r\n")
        await writer.drain()
        assert await reader.read() == b""  # not HTTP: closed without an answer
        writer.close()
        await writer.wait_closed()
    finally:
        await server.stop()


# ----------------------------------------------------------------------------- start-up failures


@pytest.mark.parametrize("mode", [[], ["--webhook"]], ids=["polling", "webhook"])
def test_unreachable_bot_api_is_one_line_and_exit_2(tmp_path: Path, mode: list[str]) -> None:
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    config = write_config(tmp_path / "c.yaml", public_url=PUBLIC_URL, health_port=free_port())
    env = bot_env(closed, tmp_path / "data", config, WEBHOOK_SECRET=SECRET)
    result = run_cli(mode, env)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("elternlotse: cannot reach the Bot API")
    assert "TELEGRAM_API_URL" in lines[0]


def test_webhook_mode_config_errors_name_the_key(tmp_path: Path) -> None:
    env = bot_env("http://127.0.0.1:9", tmp_path / "data", None)
    result = run_cli(["--webhook"], env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "elternlotse: config key 'webhook.public_url' is required for --webhook: the HTTPS URL "
        "Telegram calls, e.g. https://bot.example.org/telegram"
    ]
    config = write_config(tmp_path / "c.yaml", public_url=PUBLIC_URL)
    result = run_cli(["--webhook"], bot_env("http://127.0.0.1:9", tmp_path / "data", config))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "webhook.secret_token" in result.stderr
    assert "WEBHOOK_SECRET" in result.stderr
    bad = bot_env("http://127.0.0.1:9", tmp_path / "data", config, WEBHOOK_SECRET="not/valid!")
    result = run_cli(["--webhook"], bad)
    assert result.returncode == 2
    assert "webhook.secret_token" in result.stderr
    assert "not/valid!" not in result.stderr


async def _failed_start(
    api: FakeBotAPI, tmp_path: Path, mode: list[str]
) -> tuple[int | None, list[str]]:
    config = write_config(tmp_path / "c.yaml", public_url=PUBLIC_URL, health_port=free_port())
    env = bot_env(api.base_url, tmp_path / "data", config, WEBHOOK_SECRET=SECRET)
    log = tmp_path / "bot.log"
    process = await spawn(mode, env, log)
    await asyncio.wait_for(process.wait(), timeout=60)
    text = log.read_text(encoding="utf-8")
    assert "Traceback" not in text, text
    assert "Network Retry Loop" not in text, text
    assert SECRET not in text
    assert api.token.split(":")[1] not in text
    return process.returncode, text.strip().splitlines()


@pytest.mark.parametrize("mode", [[], ["--webhook"]], ids=["polling", "webhook"])
async def test_a_failure_in_post_init_is_one_line(
    api: FakeBotAPI, tmp_path: Path, mode: list[str]
) -> None:
    api.fail("setMyCommands", 502, times=None)  # getMe works, post_init's call does not
    code, lines = await _failed_start(api, tmp_path, mode)
    assert code == 2
    assert lines[-1].startswith("elternlotse: cannot reach the Bot API (NetworkError)")
    assert not api.calls("getUpdates")
    assert not api.calls("setWebhook")


async def test_a_refused_set_webhook_is_one_line(api: FakeBotAPI, tmp_path: Path) -> None:
    api.fail("setWebhook", 400, "Bad Request: bad webhook: Failed to resolve host", times=None)
    code, lines = await _failed_start(api, tmp_path, ["--webhook"])
    assert code == 2
    assert lines[-1] == (
        "elternlotse: the Bot API refused to start the bot: Bad webhook: failed to resolve host"
    )


async def test_a_taken_health_port_is_one_line(api: FakeBotAPI, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = bot_env(api.base_url, tmp_path / "data", None)
        log = tmp_path / "bot.log"
        process = await spawn(["--health-port", str(port)], env, log)
        await asyncio.wait_for(process.wait(), timeout=60)
    text = log.read_text(encoding="utf-8")
    assert process.returncode == 2, text
    assert "Traceback" not in text, text
    [line] = text.strip().splitlines()
    assert line.startswith("elternlotse: cannot start: ")
    assert "address already in use" in line.lower()
    assert not api.calls("getUpdates")


# ----------------------------------------------------------------------------- end to end


async def post_update(
    session: aiohttp.ClientSession, url: str, update: dict[str, Any], secret: str | None
) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    async with session.post(url, data=json.dumps(update), headers=headers) as response:
        return response.status


async def test_webhook_mode_end_to_end(api: FakeBotAPI, tmp_path: Path) -> None:
    port, health_port = free_port(), free_port()
    config = write_config(
        tmp_path / "c.yaml", port=port, health_port=health_port, public_url=PUBLIC_URL
    )
    # DEBUG on purpose: even then neither the secret nor the token may reach the log.
    config.write_text(config.read_text() + "logging:\n  level: DEBUG\n", encoding="utf-8")
    log = tmp_path / "bot.log"
    env = bot_env(api.base_url, tmp_path / "data", config, WEBHOOK_SECRET=SECRET)
    process = await spawn(["--webhook"], env, log)
    try:
        [call] = await api.wait_for_calls("setWebhook", timeout=60)
        assert call.params["url"] == PUBLIC_URL
        assert call.params["secret_token"] == SECRET
        assert call.params["allowed_updates"] == [str(u) for u in ALLOWED_UPDATES]
        await eventually(lambda: listening(port))
        await _talk_through_the_webhook(api, f"http://127.0.0.1:{port}/telegram")
        assert not api.calls("getUpdates")
        await _check_health(api, health_port)
    finally:
        code = await stop(process)
    text = log.read_text(encoding="utf-8")
    assert "Traceback" not in text, text
    assert SECRET not in text
    assert api.token.split(":")[1] not in text
    assert code == 0, text


async def _talk_through_the_webhook(api: FakeBotAPI, url: str) -> None:
    async with aiohttp.ClientSession() as session:
        forged = api.send_command(NO_HEADER, "/start")
        assert await post_update(session, url, forged, None) == 403
        forged = api.send_command(WRONG_SECRET, "/start")
        assert await post_update(session, url, forged, "wrong-secret") == 403
        real = api.send_command(RIGHT_SECRET, "/start")
        assert await post_update(session, url, real, SECRET) == 200
    welcome = await api.wait_for_message(RIGHT_SECRET, timeout=15, include_existing=True)
    assert "Willkommen bei Elternlotse" in welcome["text"]
    # The refused updates were sent first; had either reached the bot, it would have answered.
    assert api.messages(NO_HEADER) == []
    assert api.messages(WRONG_SECRET) == []
    assert {c.params["chat_id"] for c in api.calls("sendMessage")} == {RIGHT_SECRET}


async def _check_health(api: FakeBotAPI, health_port: int) -> None:
    async with aiohttp.ClientSession() as session:
        assert await healthz(session, health_port) == (200, {"database": "ok", "bot_api": "ok"})
        await api.stop()  # Telegram is gone

        async def bot_api_down() -> bool:
            return await healthz(session, health_port) == (
                503,
                {"database": "ok", "bot_api": "error"},
            )

        await eventually(bot_api_down)


async def test_polling_serves_healthz_with_health_port(api: FakeBotAPI, tmp_path: Path) -> None:
    health_port = free_port()
    log = tmp_path / "bot.log"
    env = bot_env(api.base_url, tmp_path / "data", None)
    process = await spawn(["--health-port", str(health_port)], env, log)
    try:
        await api.wait_for_poll(timeout=60)
        async with aiohttp.ClientSession() as session:
            assert await healthz(session, health_port) == (
                200,
                {"database": "ok", "bot_api": "ok"},
            )
    finally:
        code = await stop(process)
    text = log.read_text(encoding="utf-8")
    assert "Traceback" not in text, text
    assert code == 0, text


def test_an_unparsable_update_is_logged_without_its_content() -> None:
    import logging

    from handlers.main import _without_update_content

    record = logging.LogRecord(
        "telegram.ext.Updater",
        logging.CRITICAL,
        "x",
        1,
        "Something went wrong … Received data was: %r",
        ({"text": "Mara, Gartenweg 3"},),
        None,
    )
    assert _without_update_content(record)
    assert "Mara" not in record.getMessage()
