"""Start `elternlotse run` as a subprocess against a fake Bot API (e2e tests and bench/e2e.py)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from tests.fakebotapi import FakeBotAPI

ROOT = Path(__file__).resolve().parent.parent


async def spawn_bot(
    api: FakeBotAPI,
    data_dir: Path,
    output: IO[str] | int,
    python_args: Sequence[str] = (),
    config: Path | None = None,
) -> asyncio.subprocess.Process:
    """Start the bot with its token, Bot API URL and data directory pointing at the test world.

    Args:
        api: The fake Bot API server the bot talks to.
        data_dir: ELTERNLOTSE_DATA for the SQLite file.
        output: Where stdout and stderr go (a file, or asyncio.subprocess.DEVNULL).
        python_args: Extra interpreter arguments (e.g. a profiler) before the module.
        config: A config file (ELTERNLOTSE_CONFIG), e.g. with a counsellors' group.

    Returns:
        The running process.

    """
    env = {k: v for k, v in os.environ.items() if k != "ELTERNLOTSE_CONFIG"}
    env.update(
        BOT_TOKEN=api.token,
        TELEGRAM_API_URL=api.base_url,
        ELTERNLOTSE_DATA=str(data_dir),
        PTB_TIMEDELTA="true",
        PYTHONUNBUFFERED="1",
    )
    if config is not None:
        env["ELTERNLOTSE_CONFIG"] = str(config)
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *python_args,
        "-m",
        "bot.frontends.cli",
        "run",
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=output,
    )


class BotProcess:
    """Starts, kills and restarts the bot as a subprocess; collects its log."""

    def __init__(
        self, api: FakeBotAPI, data_dir: Path, log: Path, config: Path | None = None
    ) -> None:
        self.api, self.data_dir, self.log, self.config = api, data_dir, log, config
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0

    async def start(self) -> None:
        with self.log.open("a", encoding="utf-8") as log:
            self.process = await spawn_bot(self.api, self.data_dir, log, config=self.config)
        self.starts += 1
        # Ready once it has registered its commands (post_init); updates queue until it polls.
        # The parents' default menu is post_init's last call, after any per-chat (scoped) ones.
        calls = self.starts
        while sum("scope" not in c.params for c in self.api.calls("setMyCommands")) < self.starts:
            await self.api.wait_for_calls("setMyCommands", calls, timeout=30)
            calls += 1

    async def kill(self) -> None:
        assert self.process is not None
        self.process.kill()  # SIGKILL: no cleanup at all
        await self.process.wait()

    async def stop(self) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout=20)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        return self.process.returncode or 0
