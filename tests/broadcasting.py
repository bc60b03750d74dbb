"""A broadcast written straight into the bot's database, and counting what the fake received.

Shared by the end-to-end broadcast tests and `bench/broadcast.py`: the bot resumes such a
broadcast at start, exactly as after a crash.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bot.announcements.model import Category
from bot.storage.sqlite import open_store
from tests.fakebotapi import FakeBotAPI


async def seed_broadcast(
    data_dir: Path,
    subscribers: range,
    categories: frozenset[Category],
    staff_id: int,
    text: str,
    bystander: int | None = None,
) -> None:
    """Subscribe `subscribers` to `categories` and write one broadcast to them.

    Args:
        data_dir: The bot's data directory.
        subscribers: The parents' user ids.
        categories: What they subscribe to and the broadcast addresses.
        staff_id: Who sent the broadcast (gets the reports).
        text: The announcement.
        bystander: A parent subscribed to another category only (must not receive it).

    """
    store = open_store(data_dir)
    await store.open()
    now = datetime.now(UTC)
    for user in subscribers:
        await store.subscribe(user, categories, now)
    if bystander is not None:
        others = frozenset(Category) - categories
        await store.subscribe(bystander, others, now)
    await store.create_broadcast(staff_id, text, categories, None, now)
    await store.close()


def paid_broadcast_config(path: Path, staff_id: int, rate: float, concurrency: int) -> Path:
    """Write a config with one staff member and a paid-broadcast rate."""
    path.write_text(
        f"staff:\n  ids: [{staff_id}]\n"
        "announcements:\n"
        f"  rate_per_second: {rate}\n"
        "  allow_paid_broadcast: true\n"
        f"  concurrency: {concurrency}\n",
        encoding="utf-8",
    )
    return path


def delivered(api: FakeBotAPI, subscribers: range) -> Counter[int]:
    """Count the messages each subscriber received (successful sendMessage calls)."""
    got: Counter[int] = Counter()
    for call in api.calls("sendMessage"):
        chat = int(call.params.get("chat_id", 0))
        if call.ok and chat in subscribers:
            got[chat] += 1
    return got
