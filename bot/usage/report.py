"""The staff's usage report (`/statistik` in a private chat, `elternlotse report`).

Built only from numbers about no one: the daily counters, the votes and the unanswered questions,
which are kept redacted and without their sender, and the case metadata. Nothing in it identifies
a parent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.cases.figures import case_figures, figures_text
from bot.cases.model import Case
from bot.conversation.ports import UnansweredQuestion, VoteCount
from bot.datafiles.texts import Texts
from bot.dialogue.model import OutcomeKind
from bot.groups.model import tallies
from bot.wording import Noun

REPORT_DAYS = 30
# How many of the newest unanswered questions the report quotes, and how much of each.
NEWEST_UNANSWERED = 3
QUOTE_CHARACTERS = 150


class UsageStore(Protocol):
    """What the report reads: counters, votes, unanswered questions and case metadata."""

    async def counters_since(self, first: date) -> dict[date, dict[str, int]]:
        """Return the counters of every day from `first` on that has any, by day."""

    async def votes_since(self, first: date) -> VoteCount:
        """Return the 👍 and 👎 votes on every answer from the (UTC) day `first` on."""

    async def unanswered_count_since(self, first: date) -> int:
        """Return how many unanswered questions were kept from the (UTC) day `first` on."""

    async def unanswered(self, limit: int = 50) -> list[UnansweredQuestion]:
        """Return the newest unanswered questions."""

    async def cases_opened_since(self, moment: datetime) -> list[Case]:
        """Return the cases opened at or after a moment."""


@dataclass(frozen=True)
class Usage:
    """The figures of one period.

    Attributes:
        first: The first local day of the period.
        last: The last local day (today).
        per_day: Answers and fallbacks per day that had either, oldest first.
        clarify: How often the bot asked „Meinten Sie …?".
        votes: The 👍 and 👎 votes on answers.
        unanswered: How many unanswered questions were kept.
        newest: The newest of them (redacted), newest first.
        cases: The cases opened in the period, if counselling is on; None otherwise.
        groups: Each configured peer group's title and counts (by `Tally` value).

    """

    first: date
    last: date
    per_day: tuple[tuple[date, int, int], ...]
    clarify: int
    votes: VoteCount
    unanswered: int
    newest: tuple[str, ...]
    cases: Sequence[Case] | None
    groups: tuple[tuple[str, Mapping[str, int]], ...] = ()


class UsageReport:
    """Gathers and words the usage figures of the last days for the team.

    Args:
        store: Where counters, votes, questions and cases are kept.
        texts: The wordings (knowledge/texts.yaml, keys `usage_*`).
        zone: The time zone whose calendar days the counters use.
        with_cases: Whether counselling is on, so the case figures belong in the report.
        groups: The configured peer groups, id → title (their counts belong in the report).

    """

    def __init__(
        self,
        store: UsageStore,
        texts: Texts,
        zone: ZoneInfo,
        *,
        with_cases: bool,
        groups: Mapping[str, str] | None = None,
    ) -> None:
        self._store, self._texts, self._zone, self._with_cases = store, texts, zone, with_cases
        self._groups = dict(groups or {})

    async def usage(self, now: datetime, days: int = REPORT_DAYS) -> Usage:
        """Return the figures of the `days` local days up to and including today."""
        last = now.astimezone(self._zone).date()
        first = last - timedelta(days=days - 1)
        counters = await self._store.counters_since(first)
        answer, fallback = OutcomeKind.ANSWER.value, OutcomeKind.FALLBACK.value
        per_day = tuple(
            (day, values.get(answer, 0), values.get(fallback, 0))
            for day, values in sorted(counters.items())
            if values.get(answer) or values.get(fallback)
        )
        clarify = sum(v.get(OutcomeKind.CLARIFY.value, 0) for v in counters.values())
        newest = [q for q in await self._store.unanswered(NEWEST_UNANSWERED) if q.asked_on >= first]
        cases = None
        if self._with_cases:
            cases = await self._store.cases_opened_since(now - timedelta(days=days))
        return Usage(
            first=first,
            last=last,
            per_day=per_day,
            clarify=clarify,
            votes=await self._store.votes_since(first),
            unanswered=await self._store.unanswered_count_since(first),
            newest=tuple(q.text for q in newest),
            cases=cases,
            groups=self._group_counts(counters),
        )

    def _group_counts(
        self, counters: Mapping[date, Mapping[str, int]]
    ) -> tuple[tuple[str, Mapping[str, int]], ...]:
        """Sum each group's daily counters over the period."""
        return tuple(
            (title, {t.value: n for t, n in tallies(counters.values(), gid).items()})
            for gid, title in self._groups.items()
        )

    async def text(self, now: datetime, days: int = REPORT_DAYS) -> str:
        """Return the report of the last `days` days as plain German text."""
        return self.render(await self.usage(now, days), now, days)

    def render(self, usage: Usage, now: datetime, days: int) -> str:
        """Word the figures (plain text; the sender escapes it)."""
        t = self._texts
        per_day = ", ".join(f"{d:%d.%m.} {a}/{f}" for d, a, f in usage.per_day)
        lines = [
            t(
                "usage_title",
                days=Noun.DAY.count(days),
                first=f"{usage.first:%d.%m.}",
                last=f"{usage.last:%d.%m.%Y}",
            ),
            t(
                "usage_totals",
                answers=sum(a for _, a, _ in usage.per_day),
                fallbacks=sum(f for _, _, f in usage.per_day),
                clarify=usage.clarify,
            ),
            t("usage_per_day", days=per_day) if per_day else t("usage_no_days"),
            t("usage_votes", helpful=usage.votes.helpful, not_helpful=usage.votes.not_helpful),
            t("usage_unanswered", count=usage.unanswered),
        ]
        if usage.newest:
            quotes = "\n".join(f"• „{_shortened(text)}“" for text in usage.newest)
            lines.append(t("usage_unanswered_newest", lines=quotes))
        if usage.cases is not None:
            figures = figures_text(case_figures(usage.cases, now, self._zone), days)
            lines.append("\n" + t("usage_cases", figures=figures))
        if usage.groups:
            lines.append("\n" + t("usage_groups"))
            lines += [t("usage_group", title=title, **counts) for title, counts in usage.groups]
        return "\n".join(lines)


def _shortened(text: str) -> str:
    """Return a question on one line, cut at a word boundary if it is long."""
    flat = " ".join(text.split())
    if len(flat) <= QUOTE_CHARACTERS:
        return flat
    return flat[:QUOTE_CHARACTERS].rsplit(" ", 1)[0] + " …"
