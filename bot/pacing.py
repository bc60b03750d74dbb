"""When the next request to a chat may go: sliding-window logs under Telegram's flood limits.

Telegram allows about 30 messages per second overall and 20 per minute into one group
(https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this). A leaky
bucket lets a full bucket plus its drain rate through within one second (up to twice the
limit); these logs admit a request only while fewer than the limit are counted in the last
window, so the limit holds in every sliding window.

A request is counted from when it starts until one window after its answer arrived. Telegram
receives it somewhere in between, so no window at Telegram's end holds more than the limit,
whatever the network delays. The price: a saturated lane with answers taking L seconds sends
`limit / (window + L)` per second instead of `limit / window`.

Pure and telegram-free: the caller passes the time (any monotonic clock) and does the waiting.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

# Telegram's limits (bots FAQ above); the overall one is configurable below this.
MESSAGES_PER_SECOND = 30
MESSAGES_PER_MINUTE_PER_GROUP = 20
# Paid broadcasts (allow_paid_broadcast) have their own, higher budget.
PAID_MESSAGES_PER_SECOND = 1000
# Group logs kept before idle ones are dropped (one per group the bot wrote to recently).
MAX_GROUP_LOGS = 512


class PacingError(Exception):
    """A request was started although its lanes were not free (a caller's bug)."""


class LaneKind(Enum):
    """What a limit applies to."""

    OVERALL = "overall"  # every request to a chat without the paid option
    PAID = "paid"  # requests with allow_paid_broadcast
    GROUP = "group"  # one group, supergroup or channel


@dataclass(frozen=True)
class Lane:
    """One limit a request counts against; `chat` names the group of a GROUP lane."""

    kind: LaneKind
    chat: int | str | None = None


OVERALL = Lane(LaneKind.OVERALL)
PAID = Lane(LaneKind.PAID)


@dataclass(frozen=True)
class SendLimits:
    """How many requests each lane admits per window.

    Attributes:
        per_second: Requests to chats per `window` over the whole process (≤ 30 on Telegram).
        per_group: Requests into one group per `group_window`.
        paid_per_second: Paid-broadcast requests per `window`.
        window: Seconds of the overall and the paid window.
        group_window: Seconds of a group's window.

    """

    per_second: int = MESSAGES_PER_SECOND
    per_group: int = MESSAGES_PER_MINUTE_PER_GROUP
    paid_per_second: int = PAID_MESSAGES_PER_SECOND
    window: float = 1.0
    group_window: float = 60.0

    def __post_init__(self) -> None:
        """Refuse limits that would never admit anything."""
        if min(self.per_second, self.per_group, self.paid_per_second) < 1:
            raise ValueError("every limit must admit at least one request per window")
        if min(self.window, self.group_window) <= 0:
            raise ValueError("windows must be longer than zero")

    def of(self, lane: Lane) -> tuple[int, float]:
        """Return a lane's limit and window."""
        if lane.kind is LaneKind.GROUP:
            return self.per_group, self.group_window
        if lane.kind is LaneKind.PAID:
            return self.paid_per_second, self.window
        return self.per_second, self.window


def lanes_of(chat_id: object, paid: bool) -> tuple[Lane, ...]:
    """Return the lanes a request counts against, its group first; none without a chat.

    Like PTB's AIORateLimiter: a negative id or an @username is a group (a username names a
    supergroup or a channel, which cannot be told apart; both get the group limit). A username
    and the numeric id of the same group are two lanes, since we cannot know they match.

    Args:
        chat_id: The request's `chat_id` parameter (int, numeric string, @username) or None.
        paid: The request has `allow_paid_broadcast` set.

    Returns:
        The lanes; empty for requests to no chat (getUpdates, answerCallbackQuery, …).

    """
    if chat_id is None or isinstance(chat_id, bool):
        return ()
    chat: int | str
    try:
        chat = int(str(chat_id))
    except ValueError:
        chat = str(chat_id)
    budget = PAID if paid else OVERALL
    if isinstance(chat, str) or chat < 0:
        return (Lane(LaneKind.GROUP, chat), budget)
    return (budget,)


class WindowLog:
    """The requests of one lane: how many are in flight and when the others were answered."""

    def __init__(self, limit: int, window: float) -> None:
        """Create an empty log admitting `limit` requests per `window` seconds."""
        self._limit = limit
        self._window = window
        self._flying = 0
        self._answered: deque[float] = deque()  # answer times, oldest first

    def wait(self, now: float) -> float | None:
        """Return 0.0 if a request may start now, else the seconds until one may.

        None: only an answer to a request in flight can make room.
        """
        self._forget(now)
        excess = self._flying + len(self._answered) - self._limit + 1
        if excess <= 0:
            return 0.0
        if excess > len(self._answered):
            return None
        return self._answered[excess - 1] + self._window - now

    def begin(self) -> None:
        """Count a request that starts now."""
        self._flying += 1

    def end(self, now: float) -> None:
        """Count the answer to a request in flight (or its failure): it leaves in a window."""
        if self._flying == 0:
            raise PacingError("an answer without a request in flight")
        self._flying -= 1
        latest = self._answered[-1] if self._answered else now
        self._answered.append(max(now, latest))  # keep the log sorted if the clock stalls

    def idle(self, now: float) -> bool:
        """Return whether nothing is counted any more (the log may be dropped)."""
        self._forget(now)
        return self._flying == 0 and not self._answered

    def _forget(self, now: float) -> None:
        # The same sum as in `wait`, so a wait that ended always finds the answer gone.
        while self._answered and self._answered[0] + self._window <= now:
            self._answered.popleft()


@dataclass(frozen=True)
class Ticket:
    """A request that started; hand it back to `Pacing.end` once it was answered."""

    lanes: tuple[Lane, ...]


class Pacing:
    """Decide for every request to a chat of the process when it may start.

    A request counts against all its lanes (a group's and the overall one). After Telegram
    answered 429, `hold` stops every lane until its `retry_after` has passed.
    """

    def __init__(self, limits: SendLimits) -> None:
        """Create empty logs for `limits`."""
        self._limits = limits
        self._logs: dict[Lane, WindowLog] = {}
        self._held_until = float("-inf")

    def wait(self, lanes: Sequence[Lane], now: float) -> float | None:
        """Return 0.0 if a request on `lanes` may start now, else the seconds to wait.

        None: only an answer to a request in flight can make room; wait for one, then ask again.
        A positive value is a lower bound: ask again after it.
        """
        longest = max(self._held_until - now, 0.0)
        for lane in lanes:
            seconds = self._log(lane).wait(now)
            if seconds is None:
                return None
            longest = max(longest, seconds)
        return longest

    def begin(self, lanes: Sequence[Lane], now: float) -> Ticket:
        """Count a request on `lanes` that starts now.

        Raises:
            PacingError: `wait` would not have let it start.

        """
        if self.wait(lanes, now) != 0.0:
            raise PacingError("a request started before its lanes were free")
        for lane in lanes:
            self._log(lane).begin()
        return Ticket(tuple(lanes))

    def end(self, ticket: Ticket, now: float) -> None:
        """Count the answer to a request (or its failure, or its cancellation)."""
        for lane in ticket.lanes:
            self._log(lane).end(now)
        if len(self._logs) > MAX_GROUP_LOGS:
            self._drop_idle(now)

    def hold(self, until: float) -> None:
        """Let no request start before `until` (Telegram asked to wait: 429 retry_after)."""
        self._held_until = max(self._held_until, until)

    def _log(self, lane: Lane) -> WindowLog:
        log = self._logs.get(lane)
        if log is None:
            log = self._logs[lane] = WindowLog(*self._limits.of(lane))
        return log

    def _drop_idle(self, now: float) -> None:
        for lane in [lane for lane, log in self._logs.items() if log.idle(now)]:
            del self._logs[lane]
