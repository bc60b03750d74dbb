"""Start `elternlotse run` as a subprocess against a fake Bot API (e2e tests and bench/e2e.py)."""

from __future__ import annotations

import asyncio
import os
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
