"""The flood limit: at most so many messages per parent per minute, decided before any storage.

A sliding window per user id counts the messages that were let through in the last minute. The
first message over the limit gets one friendly notice; further ones are held back silently
until the window has room again. A crisis text is never held back without the hotlines.
Memory stays bounded: users whose last admitted message left the window are forgotten, and
beyond `max_users` the least recently admitted users are dropped first.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from bot.clock import Clock
from bot.dialogue.model import Outcome, OutcomeKind, Reply, State
from bot.events import Event, EventKind

WINDOW = timedelta(minutes=1)
# Far above the parents one process sees within a minute; a flood of fresh ids cannot grow the
# table beyond it (the oldest entries go first, and their owners merely start afresh).
MAX_USERS = 100_000
NOTICE_KEY = "flood_notice"


class Hotline(Protocol):
    """The part of the dialogue core a held-back message may still need."""

    def crisis_reply(self, state: State, text: str) -> Outcome | None:
        """Return the hotline reply if a text shows danger, else None."""

    def text_of(self, key: str, **fields: object) -> str:
        """Return a fixed wording."""


@dataclass
class _Window:
    """One user's admitted messages (seconds since the epoch, oldest first)."""

    times: deque[float]
    noticed: bool = field(default=False)


class FloodLimit:
    """Counts each user's messages in a sliding window; pure apart from the injected clock.

    Args:
        per_minute: How many messages a user may send within one window.
        clock: The time source (tests inject a fixed one).
        window: The length of the window (one minute).
        max_users: How many users are tracked at most.

    """

    def __init__(
        self,
        per_minute: int,
        clock: Clock,
        *,
        window: timedelta = WINDOW,
        max_users: int = MAX_USERS,
    ) -> None:
        if per_minute < 1 or max_users < 1:
            raise ValueError("per_minute and max_users must be at least 1")
        self._limit = per_minute
        self._clock = clock
        self._span = window.total_seconds()
        self._max_users = max_users
        # Ordered by each user's newest admitted message, oldest first, so forgetting idle
        # users only ever looks at the front.
        self._windows: OrderedDict[int, _Window] = OrderedDict()

    def wider(self, factor: int) -> FloodLimit:
        """Return a limit of `factor` times as many per minute, on the same clock and window."""
        return FloodLimit(
            self._limit * factor,
            self._clock,
            window=timedelta(seconds=self._span),
            max_users=self._max_users,
        )

    def __len__(self) -> int:
        """Return how many users are tracked right now."""
        return len(self._windows)

    def admit(self, user_id: int) -> bool:
        """Count a message and return True if it is within the limit; False holds it back.

        A message held back is not counted, so the window empties one minute after the
        messages that were let through, however long a flood goes on.
        """
        now = self._clock.now().timestamp()
        self._forget(now)
        window = self._windows.get(user_id)
        if window is None:
            window = self._windows[user_id] = _Window(deque(maxlen=self._limit))
            if len(self._windows) > self._max_users:
                self._windows.popitem(last=False)
        self._expire(window, now)
        if len(window.times) >= self._limit:
            return False
        window.times.append(now)
        window.noticed = False
        self._windows.move_to_end(user_id)
        return True

    def first_over(self, user_id: int) -> bool:
        """Return True once per stretch over the limit: that message gets the notice."""
        window = self._windows.get(user_id)
        if window is None or window.noticed:
            return False
        window.noticed = True
        return True

    def holds_back(self, user_id: int) -> bool:
        """Return whether a message now would be held back (counts nothing)."""
        window = self._windows.get(user_id)
        if window is None:
            return False
        cutoff = self._clock.now().timestamp() - self._span
        return sum(1 for t in window.times if t > cutoff) >= self._limit

    def _expire(self, window: _Window, now: float) -> None:
        while window.times and window.times[0] <= now - self._span:
            window.times.popleft()

    def _forget(self, now: float) -> None:
        """Drop the users whose newest admitted message has left the window."""
        while self._windows:
            user_id, window = next(iter(self._windows.items()))
            if window.times and window.times[-1] > now - self._span:
                return
            del self._windows[user_id]


def held_back(limit: FloodLimit, dialogue: Hotline, user_id: int, event: Event) -> Outcome:
    """Return what a message over the limit gets: the hotlines, one notice, or nothing.

    Nothing is stored for it; the state in the outcome is a blank one and must not be saved.
    A crisis text does not use up the notice: someone in danger gets the hotlines alone.
    """
    if event.kind is EventKind.TEXT and event.text:
        crisis = dialogue.crisis_reply(State(), event.text)
        if crisis is not None:
            return crisis
    notice = (Reply(dialogue.text_of(NOTICE_KEY)),) if limit.first_over(user_id) else ()
    return Outcome(OutcomeKind.INFO, notice, State())
