"""Reading children and ages the way parents write them.

A table of real phrasings and a property test over generated families.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.flows.children import Problem, describe, read_children

TODAY = date(2026, 11, 24)
WORDS = [
    "null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn",
    "elf", "zwölf", "dreizehn", "vierzehn", "fünfzehn", "sechzehn", "siebzehn", "achtzehn",
    "neunzehn", "zwanzig",
]  # fmt: skip

# (what a parent writes, the ages in years read, the stated count or None)
TABLE: list[tuple[str, list[int], int | None]] = [
    ("4", [4], None),
    ("3 und 9", [3, 9], None),
    ("4, 7 und 12", [4, 7, 12], None),
    ("4,7 und 12", [4, 7, 12], None),
    ("3,7,9", [3, 7, 9], None),
    ("ich habe 2 kinder, 4 und 7", [4, 7], 2),
    ("2 Kinder: 4 und 7", [4, 7], 2),
    ("3 Kinder im Alter von 2, 5 und 9 Jahren", [2, 5, 9], 3),
    ("zwei kinder, 4 und 7 jahre alt", [4, 7], 2),
    ("drei Kinder: eins, vier und zehn", [1, 4, 10], 3),
    ("eins und drei", [1, 3], None),
    ("zwölf", [12], None),
    ("sieben", [7], None),
    ("sie ist sieben und er ist zehn", [7, 10], None),
    ("die Große ist 14, der Kleine 3", [14, 3], None),
    ("mein Sohn ist 4 Jahre alt", [4], None),
    ("meine Tochter ist 1 Jahr alt", [1], None),
    ("eine Tochter mit 6", [6], None),
    ("1 Jahr und 8 Monate", [1], None),
    ("1 Jahr 8 Monate", [1], None),
    ("2 Jahre und 3 Monate", [2], None),
    ("ein Jahr und zwei Monate", [1], None),
    ("18 Monate", [1], None),
    ("5 Monate", [0], None),
    ("fünf Monate", [0], None),
    ("11 Monate alt", [0], None),
    ("30 Monate", [2], None),
    ("3 Wochen", [0], None),
    ("das Baby ist 10 Tage alt", [0], None),
    ("die Kleine ist 1,5", [1], None),
    ("2,5", [2], None),
    ("1.5 Jahre", [1], None),
    ("anderthalb", [1], None),
    ("eineinhalb Jahre", [1], None),
    ("Zwillinge, beide 3", [3, 3], None),
    ("zwillinge 3", [3, 3], None),
    ("Zwillinge (5)", [5, 5], None),
    ("Drillinge, alle 2", [2, 2, 2], None),
    ("Zwillinge 3 und ein Großer mit 8", [3, 8, 3], None),
    ("12.03.2019", [7], None),
    ("12.3.19", [7], None),
    ("2019-03-12", [7], None),
    ("24.11.2008", [18], None),
    ("25.11.2008", [17], None),
    ("geboren am 01.06.2024", [2], None),
    ("12.03.2019 und 01.02.2022", [7, 4], None),
    ("5 Monate und 3 Jahre", [0, 3], None),
    ("ein Baby von 4 Monaten und ein Sohn mit 6", [0, 6], None),
    ("16 und 19", [16, 19], None),
    ("0", [0], None),
    ("25", [25], None),
    ("Kinder: 2, 4, 6, 8", [2, 4, 6, 8], None),
    ("1 2 3 4 5 6", [1, 2, 3, 4, 5, 6], None),
    ("zwanzig", [20], None),
    ("neunzehn und siebzehn", [19, 17], None),
    ("mein Großer ist 13", [13], None),
    ("eins", [1], None),
    ("3 Kinder: 1, 4 und 6", [1, 4, 6], 3),
    ("1 Kind, 5 Jahre", [5], 1),
    ("2 Jungs, 8 und 11", [8, 11], 2),
    ("zwei Töchter 3 und 5", [3, 5], 2),
    # newcomer D10: halves and ages still to come
    ("Lena ist 8, Tim 2 1/2", [8, 2], None),
    ("8 und zweieinhalb", [8, 2], None),
    ("8 und 2½", [8, 2], None),
    ("die Große ist 8 und der Kleine wird im März 3", [8, 2], None),
    ("mein Sohn wird bald drei", [2], None),
    ("ein halbes Jahr und 4", [0, 4], None),
]


@pytest.mark.parametrize(("text", "years", "count"), TABLE)
def test_real_phrasings(text: str, years: list[int], count: int | None) -> None:
    reading = read_children(text, TODAY)
    assert reading.problem is None, reading
    assert sorted(reading.years) == sorted(years)
    assert reading.count == count


def test_the_table_is_large_enough() -> None:
    assert len(TABLE) >= 60


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2 Kinder: 4, 7 und 9", Problem.COUNT_MISMATCH),
        ("3 Kinder, 4 und 7", Problem.COUNT_MISMATCH),
        ("drei kinder", Problem.NO_AGES),
        ("keine Ahnung", Problem.NO_AGES),
        ("", Problem.NO_AGES),
        ("01.01.2030", Problem.FUTURE_DATE),
        ("31.02.2020", Problem.BAD_DATE),
        ("-3", Problem.OUT_OF_RANGE),
        ("200", Problem.OUT_OF_RANGE),
        ("1 2 3 4 5 6 7 8 9", Problem.TOO_MANY),
    ],
)
def test_what_cannot_be_used_says_why(text: str, problem: Problem) -> None:
    assert read_children(text, TODAY).problem is problem


def test_descriptions_for_the_confirmation() -> None:
    assert describe(read_children("4 und 7", TODAY).children) == "4 und 7 Jahre"
    assert describe(read_children("5 Monate", TODAY).children) == "5 Monate"
    assert describe(read_children("1 Jahr und 8 Monate", TODAY).children) == "1 Jahr und 8 Monate"
    assert describe(read_children("1", TODAY).children) == "1 Jahr"
    halves = read_children("Lena ist 8, Tim 2 1/2", TODAY).children
    assert describe(halves) == "2 Jahre und 6 Monate und 8 Jahre"


def _spell(age: int, style: int) -> str:
    if style == 0:
        return str(age)
    if style == 1 and age <= 20:
        return WORDS[age]
    if style == 2:
        return f"{age} Jahre"
    if style == 3 and age < 2:
        return f"{age * 12 + 3} Monate"
    return str(age)


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} und {parts[-1]}"


@given(
    ages=st.lists(st.integers(min_value=0, max_value=25), min_size=1, max_size=6),
    style=st.integers(min_value=0, max_value=3),
    with_count=st.booleans(),
)
def test_any_family_in_any_spelling_is_read_right(
    ages: list[int], style: int, with_count: bool
) -> None:
    text = _join([_spell(age, style) for age in ages])
    if with_count:
        text = f"ich habe {len(ages)} Kinder, {text}"
    reading = read_children(text, TODAY)
    assert reading.problem is None, (text, reading)
    assert sorted(reading.years) == sorted(ages), text


@given(
    ages=st.lists(st.integers(min_value=0, max_value=25), min_size=1, max_size=5),
    wrong=st.integers(min_value=1, max_value=6),
)
def test_a_count_that_contradicts_the_list_is_never_guessed(ages: list[int], wrong: int) -> None:
    if wrong == len(ages):
        return
    text = f"{wrong} Kinder: {_join([str(a) for a in ages])}"
    assert read_children(text, TODAY).problem is Problem.COUNT_MISMATCH
