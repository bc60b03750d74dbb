"""Console benchmark: how long the „Zahlen" page takes with 100,000 daily-counter rows.

Usage: python bench/console.py [--rows 100000] [--repeat 20]
Prints figures against the budget (200 ms a page, issue 21); asserts nothing. The counters are
written straight into a fresh SQLite store (20 counters a day, as many days back from today as
the rows need); the page is fetched in-process through the ASGI app, as a logged-in staff member,
for the default period (the last 30 days), a year, and as the CSV of that year.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import AnnouncementsConfig, Config, ConsoleConfig  # noqa: E402
from bot.dialogue.core import Dialogue  # noqa: E402
from bot.dialogue.model import Counter, OutcomeKind  # noqa: E402
from bot.frontends.checks import validate  # noqa: E402
from bot.frontends.web.app import build_console  # noqa: E402
from bot.frontends.web.server import console_services  # noqa: E402
from bot.storage.sqlite import SqliteStore  # noqa: E402

BUDGET_MS = 200
STAFF = 100
NAMES = [
    *(k.value for k in OutcomeKind),
    *(c.value for c in Counter),
    *(f"language_{code}" for code in ("en", "tr", "ar", "uk", "ru", "pl")),
]


def fill(path: Path, rows: int) -> int:
    """Write `rows` counter rows (len(NAMES) a day, back from today); return the days."""
    days = -(-rows // len(NAMES))
    today = date.today()
    values = (
        ((today - timedelta(days=n)).isoformat(), name, (n * 7 + i) % 50)
        for n in range(days)
        for i, name in enumerate(NAMES)
    )
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO daily_counters (day, counter, value) VALUES (?, ?, ?)",
            (v for _, v in zip(range(rows), values, strict=False)),
        )
    return days


async def timed(client: httpx.AsyncClient, url: str, repeat: int) -> tuple[float, float]:
    """Return the median and the slowest time of `repeat` requests, in ms (after one warm-up)."""
    assert (await client.get(url)).status_code == 200  # noqa: S101 - a bench, not a test
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        await client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


async def main(rows: int, repeat: int) -> None:
    """Fill a store, log in and time the pages."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "db.sqlite"
        store = SqliteStore(path)
        await store.open()  # creates the tables
        await store.close()
        days = fill(path, rows)
        store = SqliteStore(path)
        await store.open()
        config = Config(announcements=AnnouncementsConfig(staff_ids=frozenset({STAFF})))
        console = ConsoleConfig(secure_cookies=False)
        dialogue = Dialogue(validate(config.knowledge_dir), config)
        services = console_services(config, console, store, dialogue)
        transport = httpx.ASGITransport(app=build_console(services))
        async with httpx.AsyncClient(transport=transport, base_url="http://konsole.test") as c:
            token = await services.access.issue_link(STAFF)
            await c.get(f"/anmelden/{token}")
            year = f"von={(date.today() - timedelta(days=364)).isoformat()}"
            print(f"{rows} counter rows over {days} days; median (slowest) of {repeat}")
            for label, url in (
                ("/zahlen (30 days)", "/zahlen"),
                ("/zahlen (365 days)", f"/zahlen?{year}"),
                ("/zahlen.csv (365 days)", f"/zahlen.csv?{year}"),
            ):
                median, slowest = await timed(c, url, repeat)
                print(f"{label:<24} {median:6.1f} ms ({slowest:6.1f} ms)  budget {BUDGET_MS} ms")
        await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rows, arguments.repeat))
