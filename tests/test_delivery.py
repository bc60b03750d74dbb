"""Retries of Bot API calls, with an injected sleep: no test waits real seconds."""

from __future__ import annotations

import datetime as dtm

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from handlers.delivery import MAX_ATTEMPTS, Undeliverable, deliver


class Calls:
    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.count = 0

    async def __call__(self) -> str:
        self.count += 1
        if self.failures:
            raise self.failures.pop(0)
        return "ok"


class Sleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


async def test_a_429_waits_retry_after_then_succeeds() -> None:
    sleeps = Sleeps()
    call = Calls(RetryAfter(dtm.timedelta(seconds=7)))
    assert await deliver(call, "sendMessage", sleep=sleeps) == "ok"
    assert sleeps == [7.0]
    assert call.count == 2


async def test_a_long_flood_wait_gives_up_at_once() -> None:
    sleeps = Sleeps()
    with pytest.raises(Undeliverable, match="flood wait"):
        await deliver(Calls(RetryAfter(dtm.timedelta(hours=2))), "sendMessage", sleep=sleeps)
    assert sleeps == []


async def test_network_errors_back_off_and_give_up() -> None:
    sleeps = Sleeps()
    failures = [NetworkError("down") for _ in range(MAX_ATTEMPTS)]
    with pytest.raises(Undeliverable, match="network error"):
        await deliver(Calls(*failures), "sendMessage", sleep=sleeps)
    assert sleeps == [0.5, 1.0, 2.0, 4.0]


@pytest.mark.parametrize(
    "error", [Forbidden("bot was blocked by the user"), BadRequest("chat not found")]
)
async def test_blocked_and_bad_requests_are_not_retried(error: Exception) -> None:
    sleeps = Sleeps()
    call = Calls(error)
    with pytest.raises(Undeliverable):
        await deliver(call, "sendMessage", sleep=sleeps)
    assert call.count == 1
    assert sleeps == []
