"""End-to-end benchmark: simulated parents talk to the real bot process through the fake Bot API.

Usage: python bench/e2e.py [--parents 50] [--messages 20] [--rate 150]
Two phases, each 50 parents × 20 messages:
- latency: parents write at a steady total rate (open loop, default 150 messages/s) and each reply's
  latency is measured from sending the update to the bot's message arriving;
- throughput: every parent writes its next message as soon as the previous reply arrived (closed
  loop, no pause), which saturates the bot and gives updates/s.
Prints p50/p99 latency, updates/s and the bot's peak RSS; asserts nothing. The fake server and the
driver share the machine with the bot, so figures are a floor, not a ceiling.
Targets (README): p50 ≤ 30 ms, ≥ 150 updates/s, RSS ≤ 120 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.botprocess import spawn_bot  # noqa: E402
from tests.fakebotapi import FakeBotAPI  # noqa: E402

# Set BENCH_PROFILE=file to write a cProfile of the bot process.
PROFILE = (
    ["-m", "cProfile", "-o", os.environ["BENCH_PROFILE"]] if os.environ.get("BENCH_PROFILE") else []
)

QUESTIONS = [
    "wie viel kindergeld bekomme ich",
    "mein ex zahlt keinen unterhalt mehr",
    "unterhaltsvorschuss beantragen",
    "hallo",
    "kita platz finden",
    "steuerklasse 2",
    "wer bekommt das sorgerecht",
    "Wetter morgen",
    "ich bin total erschöpft",
    "umgangsrecht papa wochenende",
]


def peak_rss_mb(pid: int) -> float:
    """Return the peak resident set size of a process (Linux VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def parent(
    api: FakeBotAPI, user_id: int, count: int, latencies: list[float], interval: float = 0.0
) -> None:
    """Send `count` messages, each after the previous reply (and `interval` after the last send)."""
    loop = asyncio.get_running_loop()
    next_send = loop.time()
    for index in range(count):
        if interval:
            await asyncio.sleep(max(0.0, next_send - loop.time()))
            next_send += interval
        text = QUESTIONS[(user_id + index) % len(QUESTIONS)]
        start = time.perf_counter()
        api.send_text(user_id, text)
        # No await in between: the wait starts before the bot can possibly answer.
        await api.wait_for_message(user_id, timeout=30)
        latencies.append((time.perf_counter() - start) * 1000)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parents", type=int, default=50)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--rate", type=float, default=150.0, help="messages/s in the latency phase")
    parser.add_argument("--config", type=Path, help="the bot's config file (e.g. encoder off)")
    args = parser.parse_args()
    async with FakeBotAPI() as api:
        users = [10_000 + i for i in range(args.parents)]
        for user_id in users:
            api.user(user_id)
        with tempfile.TemporaryDirectory() as data:
            bot = await spawn_bot(api, Path(data), asyncio.subprocess.DEVNULL, PROFILE, args.config)
            await api.wait_for_calls("setMyCommands", 1, timeout=60)
            interval = args.parents / args.rate
            latencies: list[float] = []

            async def staggered(index: int, user_id: int) -> None:
                # Spread the parents evenly over one interval so the load is steady.
                await asyncio.sleep(index * interval / args.parents)
                await parent(api, user_id, args.messages, latencies, interval)

            await asyncio.gather(*(staggered(i, u) for i, u in enumerate(users)))
            saturated: list[float] = []
            start = time.perf_counter()
            await asyncio.gather(*(parent(api, u, args.messages, saturated) for u in users))
            elapsed = time.perf_counter() - start
            rss = peak_rss_mb(bot.pid)
            bot.send_signal(signal.SIGTERM)
            await bot.wait()
    ordered = sorted(latencies)
    total = len(ordered)
    p99 = ordered[min(total - 1, int(total * 0.99))]
    print(f"latency phase: {args.parents} parents × {args.messages} messages at {args.rate:.0f}/s")
    print(f"  reply latency: p50 {statistics.median(ordered):.1f} ms, p99 {p99:.1f} ms")
    closed = sorted(saturated)
    print(
        f"throughput phase: {len(closed)} updates in {elapsed:.2f} s = "
        f"{len(closed) / elapsed:.0f} updates/s (p50 under saturation "
        f"{statistics.median(closed):.0f} ms)"
    )
    print(f"bot peak RSS: {rss:.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())
