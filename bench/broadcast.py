"""Broadcast benchmark: the real bot process sends one announcement to many subscribers.

Usage: python bench/broadcast.py [--subscribers 10000] [--rate 500] [--fake-rate 1000]
    [--shared-subscribers 500] [--shared-rate 25] [--chat-rate 10] [--only shared]
Prints figures; asserts nothing. Runs `elternlotse run` against the fake Bot API server, which
accepts `--fake-rate` messages per second (paid broadcasts) and answers 429 above that. The
subscribers and one broadcast are written into the bot's database before it starts, so the
bot resumes the broadcast at start, exactly as after a crash.

Two runs:
1. straight through: achieved rate between 5 % and 95 % of the recipients, against the
   configured `--rate`; the bot's peak RSS;
2. SIGKILL when half the recipients have their message, then a restart: recipients lost
   (never sent) and sent twice, against the in-flight window (`concurrency`);
3. shared: two free broadcasts (no paid option) while parents chat, with the default global
   rate: the busiest sliding one-second window of requests to chats as the fake received them,
   and the mean rate (Telegram allows about 30 per second).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.announcements.model import Category  # noqa: E402
from tests.botprocess import BotProcess  # noqa: E402
from tests.broadcasting import delivered, paid_broadcast_config, seed_broadcast  # noqa: E402
from tests.fakebotapi import FakeBotAPI, busiest_window  # noqa: E402

STAFF = 77
FIRST = 1_000_000
PARENTS = range(2_000_000, 2_000_020)  # parents chatting during the shared run
QUESTION = "Wie viel Kindergeld bekomme ich?"
CONCURRENCY = 64
NOW = datetime.now(UTC)


async def seed(data_dir: Path, subscribers: int) -> None:
    """Write the subscribers and one broadcast to all of them into the bot's database."""
    people = range(FIRST, FIRST + subscribers)
    await seed_broadcast(data_dir, people, frozenset(Category), STAFF, "Neuer Expertenchat!")


def config(path: Path, rate: float) -> Path:
    """Write a config with staff and a paid-broadcast rate."""
    return paid_broadcast_config(path, STAFF, rate, CONCURRENCY)


def peak_rss_mb(pid: int) -> float:
    """Return a process's peak resident set size (Linux /proc), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def until(
    api: FakeBotAPI, people: range, count: int, samples: list[tuple[float, int]]
) -> None:
    """Wait until `count` subscribers have their message, sampling progress over time."""
    while True:
        done = len(delivered(api, people))
        samples.append((time.perf_counter(), done))
        if done >= count:
            return
        await asyncio.sleep(0.05)


def achieved_rate(samples: list[tuple[float, int]], total: int) -> float:
    """Return the rate between 5 % and 95 % of the recipients."""
    start = next(t for t, n in samples if n >= total * 0.05)
    end = next(t for t, n in samples if n >= total * 0.95)
    return (total * 0.9) / max(end - start, 1e-9)


async def straight(args: argparse.Namespace, work: Path) -> None:
    """Run 1: send to everyone, report the rate and the peak RSS."""
    people = range(FIRST, FIRST + args.subscribers)
    async with FakeBotAPI() as api:
        api.users(range(FIRST, FIRST + args.subscribers))
        api.limit_rate(30, paid_per_second=args.fake_rate)
        await seed(work / "data1", args.subscribers)
        bot = BotProcess(
            api, work / "data1", work / "bot1.log", config(work / "c1.yaml", args.rate)
        )
        await bot.start()
        samples: list[tuple[float, int]] = []
        await asyncio.wait_for(until(api, people, args.subscribers, samples), timeout=600)
        assert bot.process is not None
        rss = peak_rss_mb(bot.process.pid)
        await bot.stop()
        rate = achieved_rate(samples, args.subscribers)
        rejected = sum(1 for c in api.calls("sendMessage") if c.status == 429)
        twice = sum(1 for n in delivered(api, people).values() if n > 1)
        print(f"recipients                 {args.subscribers}")
        print(f"configured rate            {args.rate:.0f}/s (fake accepts {args.fake_rate:.0f}/s)")
        print(f"achieved rate (5–95 %)     {rate:.0f}/s = {rate / args.rate:.1%} of configured")
        print(f"429 answers                {rejected}")
        print(f"sent twice                 {twice}")
        print(f"bot peak RSS               {rss:.0f} MB")


async def killed(args: argparse.Namespace, work: Path) -> None:
    """Run 2: SIGKILL at half way, restart, count losses and duplicates."""
    people = range(FIRST, FIRST + args.subscribers)
    async with FakeBotAPI() as api:
        api.users(range(FIRST, FIRST + args.subscribers))
        await seed(work / "data2", args.subscribers)
        bot = BotProcess(
            api, work / "data2", work / "bot2.log", config(work / "c2.yaml", args.rate)
        )
        await bot.start()
        samples: list[tuple[float, int]] = []
        await asyncio.wait_for(until(api, people, args.subscribers // 2, samples), timeout=600)
        await bot.kill()
        at_kill = len(delivered(api, people))
        await bot.start()
        await asyncio.wait_for(until(api, people, args.subscribers, samples), timeout=600)
        await asyncio.sleep(1.0)  # anything sent late would show up now
        await bot.stop()
        got = delivered(api, people)
        lost = args.subscribers - len(got)
        twice = sum(1 for n in got.values() if n == 2)
        more = sum(1 for n in got.values() if n > 2)
        print(f"SIGKILL after              {at_kill} recipients")
        print(f"lost                       {lost}")
        print(f"sent twice                 {twice} (in-flight window: {CONCURRENCY})")
        print(f"sent more than twice       {more}")


async def chat(api: FakeBotAPI, per_second: float) -> None:
    """Let the parents ask a question each, in turn, `per_second` messages a second overall."""
    loop = asyncio.get_running_loop()
    start, sent = loop.time(), 0
    while True:
        api.send_text(PARENTS[sent % len(PARENTS)], QUESTION)
        sent += 1
        await asyncio.sleep(max(0.0, start + sent / per_second - loop.time()))


def shared_config(path: Path, rate: float) -> Path:
    """Write a config with staff and a free broadcast rate; the global rate stays default."""
    path.write_text(
        f"staff:\n  ids: [{STAFF}]\nannouncements:\n  rate_per_second: {rate}\n",
        encoding="utf-8",
    )
    return path


async def shared(args: argparse.Namespace, work: Path) -> None:
    """Run 3: two free broadcasts while parents chat; the busiest second and the mean rate."""
    people = range(FIRST, FIRST + args.shared_subscribers)
    async with FakeBotAPI() as api:
        api.users(people)
        api.users(PARENTS)
        for text in ("Neuer Expertenchat!", "Erinnerung: Expertenchat morgen"):
            await seed_broadcast(work / "data3", people, frozenset(Category), STAFF, text)
        path = shared_config(work / "c3.yaml", args.shared_rate)
        bot = BotProcess(api, work / "data3", work / "bot3.log", path)
        await bot.start()
        chatting = asyncio.create_task(chat(api, args.chat_rate))
        total = 2 * len(people)
        while sum(delivered(api, people).values()) < total:  # noqa: ASYNC110 - polls the fake
            await asyncio.sleep(0.05)
        chatting.cancel()
        await bot.stop()
        requests = api.chat_requests()
        span = requests[-1].arrived - requests[0].arrived
        print(f"two free broadcasts        {total} messages at {args.shared_rate:.0f}/s configured")
        print(f"parents chatting           {args.chat_rate:.0f} messages/s")
        print(f"requests to chats          {len(requests)} in {span:.1f} s")
        print(f"mean rate                  {len(requests) / span:.1f}/s")
        print(f"busiest one-second window  {busiest_window(requests, 1.0)}")


def main() -> None:
    """Run the benchmark runs and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--fake-rate", type=float, default=1000.0)
    parser.add_argument("--shared-subscribers", type=int, default=500)
    parser.add_argument("--shared-rate", type=float, default=25.0)
    parser.add_argument("--chat-rate", type=float, default=10.0)
    parser.add_argument("--only", choices=("straight", "killed", "shared"))
    args = parser.parse_args()
    runs = {"straight": straight, "killed": killed, "shared": shared}
    chosen = [args.only] if args.only else list(runs)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for index, name in enumerate(chosen):
            if index:
                print()
            asyncio.run(runs[name](args, work))


if __name__ == "__main__":
    main()
