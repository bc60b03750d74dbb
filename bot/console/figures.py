"""The figures of the console's „Zahlen" page and its CSV export for funders.

Counts only: the daily counters (by the kind of reply, never its content), the 👍/👎 per entry,
case metadata and broadcast delivery counts. Nothing here identifies a parent. The bot counts
replies per kind, not per entry, so the „top topics" are the entries with the most votes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.cases.figures import CaseFigures, case_figures
from bot.cases.model import Case
from bot.console.ports import BroadcastCount, FiguresStore
from bot.conversation.ports import FeedbackSummary
from bot.dialogue.model import Counter, OutcomeKind

# The kinds of reply the page charts per day (counts only).
KINDS = tuple(
    k.value
    for k in (OutcomeKind.ANSWER, OutcomeKind.CLARIFY, OutcomeKind.FALLBACK, OutcomeKind.CRISIS)
)
# A question the bot answered itself: an entry's answer or a decision tree.
ANSWERED = (OutcomeKind.ANSWER.value, OutcomeKind.FLOW.value)
# Every reply to a question: answered, asked back, not understood, crisis help, a person asked for.
ASKED = (
    *ANSWERED,
    OutcomeKind.CLARIFY.value,
    OutcomeKind.FALLBACK.value,
    OutcomeKind.CRISIS.value,
    OutcomeKind.HANDOFF.value,
)
# The CSV's fixed columns, in this order; any other counter (languages) follows by name.
COLUMNS = (
    Counter.MESSAGES.value,
    *(k.value for k in OutcomeKind),
    *(c.value for c in Counter if c is not Counter.MESSAGES),
)
TOP_TOPICS = 10
STARS = range(1, 6)


@dataclass(frozen=True)
class UsageFigures:
    """The parents' side of a period, for staff and funders.

    Attributes:
        days: Every local day of the period, oldest first.
        per_kind: For each of KINDS, the count of every day (aligned with `days`).
        answered: Questions the bot answered itself (answer or decision tree).
        asked: Questions in all (see ASKED).
        per_week: Fallbacks per ISO week („KW 23/2025"), oldest first.
        votes: 👍/👎 per entry, most votes first, then by entry id.
        broadcasts: The broadcasts sent in the period, oldest first.

    """

    days: tuple[date, ...]
    per_kind: dict[str, tuple[int, ...]]
    answered: int
    asked: int
    per_week: tuple[tuple[str, int], ...]
    votes: tuple[FeedbackSummary, ...]
    broadcasts: tuple[BroadcastCount, ...]

    @property
    def share_answered(self) -> float | None:
        """Return the share of questions answered without a person (None: no questions)."""
        return self.answered / self.asked if self.asked else None

    @property
    def top_topics(self) -> tuple[FeedbackSummary, ...]:
        """Return the entries with the most votes (the bot counts no answers per entry)."""
        return self.votes[:TOP_TOPICS]


@dataclass(frozen=True)
class PeriodCases:
    """The cases of a period, and who waits right now.

    Attributes:
        days: Every local day of the period, oldest first.
        opened: Cases opened on each day (aligned with `days`).
        figures: Claims, time to claim, status and ratings of the period's cases.
        ratings: How many ratings gave 1, 2, … 5 stars.
        waiting_now: Cases waiting for a counsellor now (of any period).
        longest_waiting_minutes: How long the oldest of them has waited.

    """

    days: tuple[date, ...]
    opened: tuple[int, ...]
    figures: CaseFigures
    ratings: tuple[int, ...]
    waiting_now: int
    longest_waiting_minutes: float | None


def days_of(first: date, last: date) -> tuple[date, ...]:
    """Return every day from first to last, both included."""
    return tuple(first + timedelta(days=n) for n in range((last - first).days + 1))


def week_of(day: date) -> str:
    """Return a day's ISO week as German reports name it („KW 05/2025")."""
    year, week, _ = day.isocalendar()
    return f"KW {week:02d}/{year}"


class Figures:
    """Reads and sums the figures of a period.

    Args:
        store: Where counters, votes, cases and broadcasts are kept.
        zone: The time zone whose calendar days the counters and the case days use.
        now: The current time (for how long waiting cases have waited).

    """

    def __init__(self, store: FiguresStore, zone: ZoneInfo, now: Callable[[], datetime]) -> None:
        self._store, self._zone, self._now = store, zone, now

    async def _counters(self, first: date, last: date) -> dict[date, dict[str, int]]:
        counters = await self._store.counters_since(first)
        return {day: values for day, values in counters.items() if day <= last}

    async def usage(self, first: date, last: date) -> UsageFigures:
        """Return the parents' figures of the local days first…last."""
        counters = await self._counters(first, last)
        days = days_of(first, last)
        per_kind = {k: tuple(counters.get(d, {}).get(k, 0) for d in days) for k in KINDS}
        weeks: dict[str, int] = {}
        for day in days:
            weeks[week_of(day)] = weeks.get(week_of(day), 0) + counters.get(day, {}).get(
                OutcomeKind.FALLBACK.value, 0
            )
        votes = await self._store.votes_per_entry_between(first, last)
        votes.sort(key=lambda v: (-(v.helpful + v.not_helpful), v.entry_id))
        return UsageFigures(
            days=days,
            per_kind=per_kind,
            answered=_sum(counters.values(), ANSWERED),
            asked=_sum(counters.values(), ASKED),
            per_week=tuple(weeks.items()),
            votes=tuple(votes),
            broadcasts=tuple(await self._store.broadcasts_between(first, last)),
        )

    async def cases(self, first: date, last: date) -> PeriodCases:
        """Return the case figures of the local days first…last."""
        start = datetime.combine(first, time(), self._zone)
        end = datetime.combine(last + timedelta(days=1), time(), self._zone)
        cases = [c for c in await self._store.cases_opened_since(start) if c.opened_at < end]
        now = self._now()
        figures = case_figures(cases, now, self._zone)
        waiting = case_figures(await self._store.open_cases(), now, self._zone)
        opened = dict(figures.per_day)
        days = days_of(first, last)
        return PeriodCases(
            days=days,
            opened=tuple(opened.get(d, 0) for d in days),
            figures=figures,
            ratings=_stars(cases),
            waiting_now=waiting.waiting_now,
            longest_waiting_minutes=waiting.longest_waiting_minutes,
        )

    async def table(self, first: date, last: date) -> tuple[list[str], list[list[str | int]]]:
        """Return the CSV export: a header and one row per local day with every counter."""
        counters = await self._counters(first, last)
        seen = {name for values in counters.values() for name in values}
        columns = [*COLUMNS, *sorted(seen - set(COLUMNS))]
        rows: list[list[str | int]] = [
            [day.isoformat(), *(counters.get(day, {}).get(c, 0) for c in columns)]
            for day in days_of(first, last)
        ]
        return ["day", *columns], rows


def _sum(days: Iterable[Mapping[str, int]], names: Sequence[str]) -> int:
    return sum(values.get(n, 0) for values in days for n in names)


def _stars(cases: Sequence[Case]) -> tuple[int, ...]:
    ratings = [c.rating for c in cases if c.rating is not None]
    return tuple(ratings.count(s) for s in STARS)
