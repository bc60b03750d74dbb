"""The knowledge base as frozen dataclasses (loaded and validated by `bot.content.loader`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from pathlib import Path

from bot.content.texts import Texts
from bot.dialogue.events import EventKind
from bot.flows.calculators import Parameters
from bot.flows.model import Flow
from bot.language.crisis_model import CrisisModel
from bot.language.normalize import Normalizer
from bot.language.redact import NameLists


class Facet(Enum):
    """What a follow-up question asks about the entry answered just before."""

    APPLY = "apply"
    AMOUNT = "amount"
    DOCUMENTS = "documents"
    DURATION = "duration"
    REFUSAL = "refusal"
    OFFICE = "office"


class EntryKind(Enum):
    """What selecting an entry leads to."""

    ANSWER = "answer"
    FLOW = "flow"
    HANDOFF = "handoff"


@dataclass(frozen=True)
class Source:
    """A public source an answer relies on."""

    title: str
    url: str


@dataclass(frozen=True)
class Entry:
    """One FAQ entry."""

    id: str
    title: str
    category: str
    kind: EntryKind
    flow: str | None
    questions: tuple[str, ...]
    keywords: tuple[str, ...]
    answer: str
    legal_basis: tuple[str, ...]
    sources: tuple[Source, ...]
    reviewed: date
    related: tuple[str, ...]
    path: Path = field(compare=False)
    followups: Mapping[Facet, str] = field(default_factory=dict)
    question_lines: tuple[int, ...] = field(default=(), compare=False)  # for file:line errors


@dataclass(frozen=True)
class Category:
    """A menu category."""

    id: str
    label: str


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


@dataclass(frozen=True)
class SmalltalkIntent:
    """A smalltalk intent: whole-message patterns and a reply."""

    id: str
    patterns: tuple[re.Pattern[str], ...]
    reply: str


@dataclass(frozen=True)
class FacetRule:
    """How to recognise a follow-up question about one facet, and its label."""

    label: str
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class FollowupRules:
    """When a short question refers to the entry answered just before."""

    max_age_minutes: int
    max_words: int
    facets: Mapping[Facet, FacetRule]
    generic: frozenset[str] = frozenset()


@dataclass(frozen=True)
class AmountCalculator:
    """How an entry's amount is computed for a family („Wie viel Kindergeld für 3 Kinder?")."""

    placeholder: str
    count_is_enough: bool = False


@dataclass(frozen=True)
class Command:
    """A command parents can type (`/themen`), with its menu description."""

    name: str
    event: EventKind
    description: str
    aliases: tuple[str, ...] = ()
    menu: bool = True


@dataclass(frozen=True)
class TeamCommand:
    """A command of the counsellors or the staff (`/faelle`), with its menu and help lines."""

    name: str
    description: str  # the short line of Telegram's command menu
    help: str  # what /hilfe says about it, after the command


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the bot knows, validated."""

    entries: Mapping[str, Entry]
    categories: tuple[Category, ...]
    synonyms: Mapping[str, tuple[str, ...]]
    abbreviations: Mapping[str, tuple[str, ...]]
    stopwords: tuple[str, ...]
    crisis: CrisisData
    smalltalk: tuple[SmalltalkIntent, ...]
    texts: Texts
    flows: Mapping[str, Flow]
    calculators: tuple[Parameters, ...]
    commands: tuple[Command, ...] = ()
    counsellor_commands: tuple[TeamCommand, ...] = ()  # in the counsellors' group
    staff_commands: tuple[TeamCommand, ...] = ()  # in a staff member's private chat
    followups: FollowupRules = FollowupRules(60, 14, {})
    amounts: Mapping[str, AmountCalculator] = field(default_factory=dict)
    staff_texts: Texts = field(default_factory=lambda: Texts({}))  # knowledge/staff.yaml
    names: NameLists | None = None  # knowledge/names.yaml; None: the shipped lists

    def command(self, name: str) -> Command | None:
        """Return the command a name or alias (without the slash) stands for, if any."""
        wanted = name.casefold()
        return next((c for c in self.commands if wanted in {c.name, *c.aliases}), None)

    def in_category(self, category_id: str) -> list[Entry]:
        """Return the entries of a category, in file-name order."""
        return [e for e in self.entries.values() if e.category == category_id]

    def normalizer(self) -> Normalizer:
        """Build the normaliser configured by this knowledge base's synonyms and stop words."""
        return Normalizer(self.synonyms, self.stopwords, self.abbreviations)
