"""The knowledge base as frozen dataclasses (loaded and validated by `bot.content.loader`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from pathlib import Path

from bot.content.texts import Texts
from bot.dialogue.model import EventKind
from bot.flows.calculators import Parameters
from bot.flows.model import Flow
from bot.language.normalize import Normalizer


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
    question_lines: tuple[int, ...] = field(default=(), compare=False)  # for file:line errors


@dataclass(frozen=True)
class Category:
    """A menu category."""

    id: str
    label: str


@dataclass(frozen=True)
class CrisisSignal:
    """One kind of danger with the patterns that reveal it."""

    id: str
    patterns: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class CrisisData:
    """Crisis vocabulary, signals and the hotline reply."""

    vocabulary: tuple[str, ...]
    spellings: Mapping[str, str]
    signals: tuple[CrisisSignal, ...]
    title: str
    text: str


@dataclass(frozen=True)
class SmalltalkIntent:
    """A smalltalk intent: whole-message patterns and a reply."""

    id: str
    patterns: tuple[re.Pattern[str], ...]
    reply: str


@dataclass(frozen=True)
class Command:
    """A command parents can type (`/themen`), with its menu description."""

    name: str
    event: EventKind
    description: str
    aliases: tuple[str, ...] = ()
    menu: bool = True


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
