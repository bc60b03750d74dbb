"""The knowledge base as frozen dataclasses (loaded and validated by `bot.content.loader`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from pathlib import Path

from bot.content.groups import GroupKnowledge
from bot.content.local import LocalKnowledge
from bot.datafiles.texts import Texts
from bot.events import EventKind
from bot.flows.calculators import Parameters
from bot.flows.model import Flow
from bot.language.crisis_data import CrisisData
from bot.language.normalize import Normalizer
from bot.language.redact import NameLists
from bot.language.smalltalk import SmalltalkIntent


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
    names: NameLists | None = None  # knowledge/names.yaml + the vocabulary; None: the shipped lists
    # knowledge/phrasings/<code>.yaml: questions in other languages by language, then entry id
    other_phrasings: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    local: LocalKnowledge = LocalKnowledge()  # offices.yaml and local/*.yaml
    groups: GroupKnowledge = GroupKnowledge()  # groups.yaml: the peer groups

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
