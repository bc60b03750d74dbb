"""Office hours of the counselling service, with the public holidays of its Land."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Span = tuple[time, time]
# „24:00" as an end means the end of the day; `time` stops at 23:59:59.999999, which `is_open`'s
# half-open comparison treats as midnight.
END_OF_DAY = time.max
WHOLE_DAY: Span = (time(0, 0), END_OF_DAY)


def _end(text: str) -> time:
    return END_OF_DAY if text in {"24:00", "24:00:00"} else time.fromisoformat(text)


def parse_spans(text: str) -> tuple[Span, ...]:
    """Read „09:00-12:00,14:00-18:00" (or „00:00-24:00" for a whole day) into spans.

    Raises:
        ValueError: A span is not HH:MM-HH:MM or ends before it starts.

    """
    spans = []
    for part in text.split(","):
        start, _, end = part.strip().partition("-")
        span = (time.fromisoformat(start.strip()), _end(end.strip()))
        if span[0] >= span[1]:
            raise ValueError(f"'{part.strip()}' ends before it starts")
        spans.append(span)
    return tuple(spans)


@dataclass(frozen=True)
class OfficeHours:
    """When counsellors are on duty: spans per weekday, closed on the Land's public holidays.

    Attributes:
        week: Spans per weekday key (`mon` … `sun`); a day left out is closed.
        state: The Bundesland code for public holidays (e.g. "NW").
        zone: The time zone the spans are meant in.
        always: Open round the clock, public holidays included (`always: true`).

    """

    week: Mapping[str, tuple[Span, ...]]
    state: str
    zone: ZoneInfo
    always: bool = False

    def _holiday(self, day: date) -> bool:
        if self.always:
            return False
        # Imported on first use: `ask` and `chat` load this module but never ask for a holiday.
        import holidays

        return day in holidays.country_holidays("DE", subdiv=self.state, years=day.year)

    def _spans(self, day: date) -> tuple[Span, ...]:
        if self._holiday(day):
            return ()
        return self.week.get(WEEKDAYS[day.weekday()], ())

    def is_open(self, now: datetime) -> bool:
        """Tell whether someone is on duty at `now`."""
        local = now.astimezone(self.zone)
        return any(s <= local.time() < e for s, e in self._spans(local.date()))

    def next_opening(self, now: datetime) -> datetime | None:
        """Return when office hours next begin (None if there are none in the next 3 weeks)."""
        local = now.astimezone(self.zone)
        for offset in range(22):
            day = local.date() + timedelta(days=offset)
            for start, _ in self._spans(day):
                opening = datetime.combine(day, start, tzinfo=self.zone)
                if opening > local:
                    return opening
        return None
