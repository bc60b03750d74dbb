"""The README's „Trying the counsellor side by hand" runs as written (newcomer D25).

Its shell blocks are taken from the README and run in order, as a reader would in three
terminals: the fake Bot API, the curl lines, the bot. Only the port (any free one), the scratch
directory and the venv's bin directory are put in; a failing curl (-f) or grep fails the test.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
HEADING = "### Trying the counsellor side by hand"
README_URL, README_DIR = "http://127.0.0.1:8081", "/tmp/elternlotse-by-hand"


def section_blocks() -> list[str]:
    """Return the ```sh blocks of the README section, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(HEADING)
    end = re.compile(r"^#{2,3} ", re.MULTILINE).search(text, start + len(HEADING))
    section = text[start : end.start() if end else len(text)]
    return re.findall(r"^```sh\n(.*?)^```$", section, re.MULTILINE | re.DOTALL)


def localise(block: str, url: str, scratch: Path) -> str:
    """Put this run's fake URL, scratch directory and venv into a README block."""
    bin_dir = f"{Path(sys.executable).parent}/"
    return (
        block.replace(README_URL, url)
        .replace(README_DIR, str(scratch))
        .replace(".venv/bin/", bin_dir)
    )


async def shell(script: str) -> str:
    """Run a script with bash -e in the checkout; fail the test with its output if it fails."""
    process = await asyncio.create_subprocess_exec(
        "bash",
        "-e",
        "-c",
        script,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=180)
    text = output.decode("utf-8", "replace")
    assert process.returncode == 0, f"this failed:\n{script}\n--- output:\n{text}"
    return text


async def background(command: str, log: Path) -> asyncio.subprocess.Process:
    """Start a README command as its own terminal would, in its own process group (for Ctrl-C)."""
    with log.open("w", encoding="utf-8") as out:
        env = {k: v for k, v in os.environ.items() if k != "ELTERNLOTSE_CONFIG"}
        return await asyncio.create_subprocess_exec(
            "bash",
            "-c",
            command,
            cwd=ROOT,
            env={**env, "PYTHONUNBUFFERED": "1"},
            stdout=out,
            stderr=out,
            start_new_session=True,
        )


async def stop(process: asyncio.subprocess.Process) -> None:
    """Stop a background command and what it started, as Ctrl-C in its terminal would."""
    if process.returncode is None:
        os.killpg(process.pid, signal.SIGTERM)  # its own group: only what this test started
        try:
            await asyncio.wait_for(process.wait(), timeout=20)
        except TimeoutError:
            os.killpg(process.pid, signal.SIGKILL)
            await process.wait()


async def fake_url(log: Path) -> str:
    """Return the URL the fake printed once it listens."""
    for _ in range(300):
        found = re.search(r"TELEGRAM_API_URL=(\S+)", read(log))
        if found:
            return found.group(1)
        await asyncio.sleep(0.1)
    raise AssertionError(f"the fake did not start: {read(log)}")


def read(log: Path) -> str:
    return log.read_text(encoding="utf-8")


async def bot_ready(url: str) -> None:
    """Wait until the bot registered its commands (the README: once it logs „ready")."""
    async with httpx.AsyncClient(base_url=url) as http:
        for _ in range(300):
            calls = await http.get("/_fake/calls", params={"method": "setMyCommands"})
            if calls.json():
                return
            await asyncio.sleep(0.1)
    raise AssertionError("the bot did not start within 30 s")


@pytest.fixture
async def fake(tmp_path: Path) -> AsyncIterator[tuple[str, Path]]:
    """Terminal 1: the fake, as the README starts it, on a free port."""
    command = section_blocks()[0].strip()
    assert command == ".venv/bin/python -m tests.fakebotapi --port 8081"
    log = tmp_path / "fake.log"
    process = await background(localise(command, "", tmp_path).replace("8081", "0"), log)
    try:
        yield await fake_url(log), tmp_path / "hand"
    finally:
        await stop(process)


async def test_the_readme_plays_parent_counsellor_and_staff(fake: tuple[str, Path]) -> None:
    url, scratch = fake
    world, bot, play, event = (localise(b, url, scratch) for b in section_blocks()[1:])
    exports = "\n".join(line for line in world.splitlines() if line.startswith("export "))
    await shell(world)
    log = scratch / "bot.log"
    process = await background(bot.strip(), log)
    try:
        await bot_ready(url)
        output = await shell(f"{exports}\n{play}\n{event}")
    finally:
        await stop(process)

    assert "Danke für Ihre Rückmeldung" in output
    assert "SUMMARY:Elterncafé am Abend" in output
    bot_log = log.read_text(encoding="utf-8")
    assert "Traceback" not in bot_log, bot_log
    assert "Mara" not in bot_log  # no personal data in the log
