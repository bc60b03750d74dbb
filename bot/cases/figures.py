"""Case figures for the team: cases per day, waiting time, time to claim, ratings.

Computed from case metadata only; nothing here identifies a parent.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.cases.model import Case, CaseStatus
from bot.wording import Noun, decimal

# How the team reads each status in /statistik (the Enum values are storage codes, in English).
STATUS_WORDS: dict[CaseStatus, str] = {
    CaseStatus.REQUESTED: "angefragt",
    CaseStatus.WAITING: "wartend",
    CaseStatus.CLAIMED: "übernommen",
    CaseStatus.CLOSED: "beendet",
    CaseStatus.CANCELLED: "zurückgezogen",
    CaseStatus.AUTO_CLOSED: "wegen Stille beendet",
}


@dataclass(frozen=True)
class CaseFigures:
    """What the team sees about a period.

    Attributes:
        cases: Cases opened in the period.
        per_day: Cases opened per local calendar day, oldest first (days without cases left out).
        claimed: How many of them a counsellor claimed.
        median_claim_minutes: Median time from request to claim.
        longest_claim_minutes: Longest time from request to claim.
        waiting_now: Cases waiting for a counsellor right now.
        longest_waiting_minutes: How long the oldest of those has waited.
        by_status: How the cases stand or ended.
        mean_rating: Mean of the parents' ratings, if any were given.
        ratings: How many ratings were given.

    """

    cases: int
    per_day: tuple[tuple[date, int], ...]
    claimed: int
    median_claim_minutes: float | None
    longest_claim_minutes: float | None
    waiting_now: int
    longest_waiting_minutes: float | None
    by_status: dict[CaseStatus, int]
    mean_rating: float | None
    ratings: int


def _minutes(span: timedelta) -> float:
    return span.total_seconds() / 60


def case_figures(cases: Sequence[Case], now: datetime, zone: ZoneInfo) -> CaseFigures:
    """Summarise cases (those opened in the period of interest).

    Args:
        cases: The cases opened in the period.
        now: The current time (for how long waiting cases have waited).
        zone: The time zone that decides calendar days.

    Returns:
        The figures.

    """
    days = Counter(case.opened_at.astimezone(zone).date() for case in cases)
    claims = [_minutes(c.claimed_at - c.opened_at) for c in cases if c.claimed_at is not None]
    waiting = [_minutes(now - c.opened_at) for c in cases if c.status is CaseStatus.WAITING]
    ratings = [c.rating for c in cases if c.rating is not None]
    return CaseFigures(
        cases=len(cases),
        per_day=tuple(sorted(days.items())),
        claimed=len(claims),
        median_claim_minutes=statistics.median(claims) if claims else None,
        longest_claim_minutes=max(claims, default=None),
        waiting_now=len(waiting),
        longest_waiting_minutes=max(waiting, default=None),
        by_status=dict(Counter(c.status for c in cases)),
        mean_rating=statistics.fmean(ratings) if ratings else None,
        ratings=len(ratings),
    )


def _fmt(value: float | None, unit: str = " Min.") -> str:
    return "–" if value is None else f"{value:.0f}{unit}"


def figures_text(figures: CaseFigures, days: int) -> str:
    """Render the figures as a short plain-text report (German, for the counsellors)."""
    per_day = ", ".join(f"{d:%d.%m.} {n}" for d, n in figures.per_day) or "–"
    status = ", ".join(
        f"{STATUS_WORDS[s]} {figures.by_status[s]}" for s in CaseStatus if s in figures.by_status
    )
    rating = "–" if figures.mean_rating is None else f"{decimal(figures.mean_rating)} von 5"
    return "\n".join(
        (
            f"Fälle der letzten {days} Tage: {figures.cases} (pro Tag: {per_day})",
            f"Übernommen: {figures.claimed}; Zeit bis zur Übernahme: Median "
            f"{_fmt(figures.median_claim_minutes)}, längste {_fmt(figures.longest_claim_minutes)}",
            f"Wartend jetzt: {figures.waiting_now}; "
            f"längste Wartezeit {_fmt(figures.longest_waiting_minutes)}",
            f"Stand: {status or '–'}",
            f"Bewertung: {rating} ({Noun.RATING.count(figures.ratings)})",
        )
    )
