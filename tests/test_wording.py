"""German counts, numbers and days from one helper: „1 Minute", „2 Minuten", „4,0", „heute ab …"."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from bot.wording import Noun, decimal, on_day


@pytest.mark.parametrize(
    ("noun", "n", "expected"),
    [
        (Noun.MINUTE, 1, "1 Minute"),
        (Noun.MINUTE, 2, "2 Minuten"),
        (Noun.MINUTE, 0, "0 Minuten"),
        (Noun.RATING, 1, "1 Bewertung"),
        (Noun.RATING, 2, "2 Bewertungen"),
        (Noun.CHILD, 1, "1 Kind"),
        (Noun.CHILD, 3, "3 Kinder"),
        (Noun.CASE, 2, "2 Fälle"),
        (Noun.PERSON, 1, "1 Person"),
        (Noun.DAY, 30, "30 Tage"),
    ],
)
def test_a_count_takes_the_form_that_fits(noun: Noun, n: int, expected: str) -> None:
    assert noun.count(n) == expected


def test_numbers_have_a_decimal_comma() -> None:
    assert decimal(4.0) == "4,0"
    assert decimal(3.456, 2) == "3,46"


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 12, 7, 9, 0), "heute ab 9:00 Uhr"),
        (datetime(2026, 12, 8, 14, 30), "morgen ab 14:30 Uhr"),
        (datetime(2026, 12, 10, 9, 0), "am 10.12. ab 9:00 Uhr"),
    ],
)
def test_a_time_is_said_relative_to_today(moment: datetime, expected: str) -> None:
    assert on_day(moment, date(2026, 12, 7)) == expected


def test_no_text_counts_with_a_bracketed_plural() -> None:
    texts = (Path(__file__).resolve().parent.parent / "knowledge" / "texts.yaml").read_text()
    assert "(er)" not in texts
    assert "(n) " not in texts
