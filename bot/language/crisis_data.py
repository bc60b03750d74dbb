"""The crisis guard's data as loaded from knowledge/crisis.yaml: cues, rules, concepts, replies."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from bot.language.crisis_model import CrisisModel


class CrisisLevel(Enum):
    """How much danger a message shows."""

    CRISIS = "crisis"  # hotlines first, always
    CONCERN = "concern"  # the normal answer plus one line with help
    NONE = "none"


class CrisisScope(Enum):
    """Where the cues of a rule must fire together."""

    WINDOW = "window"  # within one sentence and its neighbour
    MESSAGE = "message"  # anywhere in the message


@dataclass(frozen=True)
class CrisisCue:
    """A concept vocabulary: patterns over folded text that all mean one thing."""

    id: str
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class CrisisRule:
    """Cues that together reveal danger (or concern), and cues that veto them."""

    id: str
    level: CrisisLevel
    concept: str
    all: tuple[str, ...]
    unless: tuple[str, ...] = ()
    min_hits: Mapping[str, int] = field(default_factory=dict)
    scope: CrisisScope = CrisisScope.WINDOW


@dataclass(frozen=True)
class CrisisConcept:
    """One kind of danger: the line that fits it, shown first, and the entry offered beside it.

    Attributes:
        id: The concept rules name (suizid, gewalt, kind-notfall …).
        first: The opening line of the crisis reply; None uses the general emergency line.
        entry: An FAQ entry offered with the reply (and answered under a concern line).

    """

    id: str
    first: str | None = None
    entry: str | None = None


@dataclass(frozen=True)
class CrisisData:
    """Crisis vocabulary, cues, rules, the hotline reply and the concern line.

    Attributes:
        first: The general emergency line, first when no concept has a line of its own.
        text: The hotlines every crisis reply lists after the first line.
        concepts: Every concept a rule may name, by id.

    """

    vocabulary: tuple[str, ...]
    spellings: Mapping[str, str]
    cues: Mapping[str, CrisisCue]
    rules: tuple[CrisisRule, ...]
    title: str
    first: str
    text: str
    concern: str
    concepts: Mapping[str, CrisisConcept] = field(default_factory=dict)
    model: CrisisModel | None = None

    def reply_text(self, concept: str | None) -> str:
        """Return the crisis reply for a concept: the line that fits it, then the hotlines."""
        known = self.concepts.get(concept or "")
        first = known.first if known is not None and known.first else self.first
        return f"{first}\n\n{self.text}"

    def entry_for(self, concept: str | None) -> str | None:
        """Return the FAQ entry that belongs to a concept, if any."""
        known = self.concepts.get(concept or "")
        return known.entry if known is not None else None
