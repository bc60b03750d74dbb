"""German counts and numbers: „1 Minute", „2 Minuten", „4,0". Pure.

Every text that puts a number before a noun goes through `Noun.count`, so no reply says
„1 Minuten" or „Kind(er)". The nouns are grammar, not messages: the sentences around them stay in
knowledge/texts.yaml and take the counted noun as one field.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum


class Noun(Enum):
    """A German noun with its singular and plural form."""

    MINUTE = ("Minute", "Minuten")
    RATING = ("Bewertung", "Bewertungen")
    CHILD = ("Kind", "Kinder")
    CASE = ("Fall", "Fälle")
    PERSON = ("Person", "Personen")
    DAY = ("Tag", "Tage")
    MONTH = ("Monat", "Monate")
    YEAR = ("Jahr", "Jahre")
    HOUR = ("Stunde", "Stunden")
    SECOND = ("Sekunde", "Sekunden")

    @property
    def one(self) -> str:
        """Return the singular form („Minute")."""
        return self.value[0]

    @property
    def many(self) -> str:
        """Return the plural form („Minuten"), also used for zero („0 Minuten")."""
        return self.value[1]

    def form(self, n: int) -> str:
        """Return the form that goes with `n`: the singular for exactly one, else the plural."""
        return self.one if n == 1 else self.many

    def count(self, n: int) -> str:
        """Return `n` with the noun in the form that fits: „1 Minute", „3 Minuten"."""
        return f"{n} {self.form(n)}"


def decimal(value: float, places: int = 1) -> str:
    """Write a number the German way, with a decimal comma: 4.0 → „4,0"."""
    return f"{value:.{places}f}".replace(".", ",")


def on_day(moment: datetime, today: date) -> str:
    """Say from when something is, relative to today: „heute ab 9:00 Uhr", „am 07.12. ab …"."""
    clock = f"{moment.hour}:{moment.minute:02d} Uhr"
    days = (moment.date() - today).days
    day = {0: "heute", 1: "morgen"}.get(days, f"am {moment:%d.%m.}")
    return f"{day} ab {clock}"
