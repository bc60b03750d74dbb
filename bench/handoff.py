"""Hand-over benchmark: 200 open cases, parents writing concurrently, one paced group.

Usage: python bench/handoff.py [--cases 200] [--messages 3] [--scale 100]
Prints figures; asserts nothing. Runs the real use case (`Counselling`) on a SQLite outbox with
a stand-in group that accepts one message per 60/20 s — Telegram's ~20 messages per minute per
group — sped up `scale` times so the run takes seconds. Times are reported at real pace.
Checks that every message arrives in its case's topic exactly once and how long crisis alerts
wait behind the backlog.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cases.service import Counselling
from bot.config import CounsellingConfig, Counsellor
from bot.dialogue.model import Reply, Rows
from bot.events import MessageRef
from bot.frontends.checks import validate
from bot.hours import parse_spans
from bot.storage.sqlite import open_store

ROOT = Path(__file__).resolve().parent.parent
PACE_PER_MINUTE = 20
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class PacedGroup:
    """A forum group that takes one message per paced interval and records where each went."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.topics = 0
        self.copies: list[tuple[int, MessageRef]] = []
        self.alerts: list[tuple[int, float]] = []
        self.sent_at: list[float] = []

    async def _pace(self) -> None:
        await asyncio.sleep(self.interval)
        self.sent_at.append(time.perf_counter())

    async def create_topic(self, name: str) -> int:
        """Create a topic after the pace interval."""
        await self._pace()
        self.topics += 1
        return 10_000 + self.topics

    async def rename_topic(self, topic_id: int, name: str) -> None:
        """Rename nothing (not paced; the outbox does not carry renames)."""

    async def close_topic(self, topic_id: int) -> None:
        """Close nothing."""

    async def reopen_topic(self, topic_id: int) -> None:
        """Reopen nothing (the bench never closes a topic)."""

    async def edit(self, message_id: int, text: str, buttons: Rows = ()) -> None:
        """Edit nothing (the bench claims no case)."""

    async def post(self, topic_id: int, text: str, buttons: Rows = ()) -> None:
        """Post after the pace interval; remember when crisis alerts arrive."""
        await self._pace()
        if text.startswith("🔴"):
            self.alerts.append((topic_id, time.perf_counter()))

    async def copy_in(self, topic_id: int, message: MessageRef) -> None:
        """Copy after the pace interval; remember where the message went."""
        await self._pace()
        self.copies.append((topic_id, message))


class Parents:
    """Parents' chats that accept everything (not measured here)."""

    async def send(self, parent_id: int, replies: tuple[Reply, ...]) -> None:
        """Accept replies."""

    async def copy_out(self, parent_id: int, message: MessageRef) -> None:
        """Accept counsellors' messages."""


async def run(cases: int, messages: int, scale: float) -> None:
    interval = 60 / PACE_PER_MINUTE / scale
    config = CounsellingConfig(
        group_id=-100,
        counsellors=(Counsellor(1, "Beraterin Anna"),),
        default_name="Beratungsteam",
        office_hours={"mon": parse_spans("00:00-23:59")},
        state="NW",
    )
    group = PacedGroup(interval)
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder))
        await store.open()
        counselling = Counselling(
            config, validate(ROOT / "knowledge"), store, group, Parents(),
            ZoneInfo("Europe/Berlin"), lambda _: None,
        )  # fmt: skip
        for parent in range(1, cases + 1):
            await counselling.open(parent, "Unterhalt", False, None, "de", NOW)
        await counselling.outbox.idle()
        start = time.perf_counter()
        crisis_written: dict[int, float] = {}

        async def parent_writes(parent: int) -> None:
            case = await store.open_case_of(parent)
            assert case is not None  # noqa: S101 - opened above
            for n in range(messages):
                crisis = parent % 20 == 0 and n == messages - 1
                if crisis:
                    crisis_written[case.number] = time.perf_counter()
                ref = MessageRef(parent, n + 1)
                await counselling.relay_from_parent(case, ref, "suizid" if crisis else None, NOW)
                await asyncio.sleep(0)

        backlog_peak = 0

        async def watch() -> None:
            nonlocal backlog_peak
            while True:
                backlog_peak = max(backlog_peak, await counselling.outbox.backlog())
                await asyncio.sleep(interval * 5)

        watcher = asyncio.create_task(watch())
        await asyncio.gather(*(parent_writes(p) for p in range(1, cases + 1)))
        while await counselling.outbox.backlog():
            await counselling.outbox.idle()
            await asyncio.sleep(interval)
        elapsed = time.perf_counter() - start
        watcher.cancel()
        open_cases = await store.open_cases()
        topic_of_parent = {c.parent_id: c.topic_id for c in open_cases}
        case_in_topic = {c.topic_id: c.number for c in open_cases}
        await store.close()

    counted = Counter(group.copies)
    wrong = sum(1 for (topic, ref) in counted if topic_of_parent.get(ref.chat_id) != topic)
    twice = sum(1 for n in counted.values() if n > 1)
    print(f"cases {cases}, messages per parent {messages}, pace {PACE_PER_MINUTE}/min ×{scale:g}")
    print(
        f"copies arrived {len(group.copies)}/{cases * messages}, in a wrong topic {wrong}, "
        f"twice {twice}"
    )
    sends = [t for t in group.sent_at if t >= start]
    rate = len(sends) / elapsed * 60 / scale
    print(f"group send rate {rate:.1f}/min at real pace (configured {PACE_PER_MINUTE}/min)")
    print(f"outbox backlog peak {backlog_peak} messages")
    waits = [
        (at - crisis_written[case_in_topic[topic]]) * scale
        for topic, at in group.alerts
        if case_in_topic.get(topic) in crisis_written
    ]
    drain = elapsed * scale / 60
    print(
        f"crisis alerts {len(waits)}: longest wait {max(waits, default=0):.0f} s at real pace "
        f"(the whole backlog takes {drain:.0f} min)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--messages", type=int, default=3)
    parser.add_argument("--scale", type=float, default=100.0)
    args = parser.parse_args()
    asyncio.run(run(args.cases, args.messages, args.scale))


if __name__ == "__main__":
    main()
