"""Guided flows (decision trees) as frozen data: flows, nodes, options, sections, conditions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

Scalar = str | int | bool
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


class NodeKind(Enum):
    """What a flow node does."""

    QUESTION = "question"
    INPUT = "input"
    ANSWER = "answer"
    ACTION = "action"


class InputKind(Enum):
    """What an input node reads from the typed text."""

    AGES = "ages"
    INTEGER = "integer"


class FlowAction(Enum):
    """What an action node does at the end of a flow."""

    HANDOFF = "handoff"
    OPEN_ENTRY = "open_entry"


@dataclass(frozen=True)
class Range:
    """A numeric condition: true when the value (or any value of a list) lies within."""

    minimum: int | None
    maximum: int | None

    def holds(self, value: object) -> bool:
        """Tell whether a number, or any number in a list, lies in the range."""
        values = value if isinstance(value, list) else [value]
        return any(
            isinstance(v, int)
            and not isinstance(v, bool)
            and (self.minimum is None or v >= self.minimum)
            and (self.maximum is None or v <= self.maximum)
            for v in values
        )


Condition = Scalar | tuple[Scalar, ...] | Range


def condition_holds(condition: Condition, value: object) -> bool:
    """Evaluate one condition against a collected answer (missing answers never match)."""
    if value is None:
        return False
    if isinstance(condition, Range):
        return condition.holds(value)
    if isinstance(condition, tuple):
        return value in condition
    return value == condition


@dataclass(frozen=True)
class Option:
    """A button of a question node."""

    label: str
    next: str
    sets: Mapping[str, Scalar]


@dataclass(frozen=True)
class Section:
    """A paragraph of an answer node, shown when all its conditions hold."""

    text: str
    when: Mapping[str, Condition]

    def applies(self, answers: Mapping[str, Any]) -> bool:
        """Tell whether the section is shown for these answers."""
        return all(condition_holds(c, answers.get(k)) for k, c in self.when.items())


@dataclass(frozen=True)
class Node:
    """One step of a flow."""

    id: str
    kind: NodeKind
    text: str
    line: int
    options: tuple[Option, ...] = ()
    input: InputKind | None = None
    key: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    max_items: int = 6
    error: str = ""
    next: str | None = None
    sections: tuple[Section, ...] = ()
    faq: tuple[str, ...] = ()
    action: FlowAction | None = None
    entry: str | None = None

    def targets(self) -> list[str]:
        """Return the ids of the nodes this node can lead to."""
        if self.kind is NodeKind.QUESTION:
            return [o.next for o in self.options]
        return [self.next] if self.next else []


@dataclass(frozen=True)
class Flow:
    """A decision tree."""

    id: str
    title: str
    button: str
    offer_on: tuple[str, ...]
    start: str
    nodes: Mapping[str, Node]
    path: Path
