"""Guided flows (decision trees) as frozen data: flows, nodes, options, sections, conditions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
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


# A bound of an amount range: euros, or the name of a figure placeholder (`kiz_mindesteinkommen`)
# so next year's figure changes in the calculator file alone.
Bound = Decimal | str


class Side(Enum):
    """Where a typed amount lies relative to its number: at it, just above or just below it."""

    AT = "at"
    ABOVE = "above"
    BELOW = "below"


@dataclass(frozen=True)
class Interval:
    """A resolved amount range in euros; `None` is unbounded, `*_open` excludes the bound."""

    low: Decimal | None = None
    low_open: bool = False
    high: Decimal | None = None
    high_open: bool = False

    def is_empty(self) -> bool:
        """Tell whether no amount lies within (min above max, or one point excluded)."""
        if self.low is None or self.high is None:
            return False
        return self.low > self.high or (self.low == self.high and (self.low_open or self.high_open))

    def holds(self, value: Decimal, side: Side = Side.AT) -> bool:
        """Tell whether `value` (or the amounts just above or just below it) lies within."""
        low, high = self.low, self.high
        if side is Side.ABOVE:  # value + ε: the bound's openness no longer matters at `low`
            return (low is None or low <= value) and (high is None or value < high)
        if side is Side.BELOW:  # value − ε
            return (low is None or low < value) and (high is None or value <= high)
        return (low is None or low < value or (low == value and not self.low_open)) and (
            high is None or value < high or (value == high and not self.high_open)
        )


@dataclass(frozen=True)
class AmountRange:
    """The amounts an option stands for, as written in the flow file.

    `min` and `max` include their bound, `above` and `below` exclude it; each side is optional:
    „Kein eigenes Einkommen" is `{max: 0}`, „Unter 600 €" `{above: 0, below: kiz_mindesteinkommen}`,
    „600 € oder mehr" `{min: kiz_mindesteinkommen}`.
    """

    low: Bound | None = None
    low_open: bool = False
    high: Bound | None = None
    high_open: bool = False

    def figures(self) -> list[str]:
        """Return the figure names the bounds refer to."""
        return [b for b in (self.low, self.high) if isinstance(b, str)]

    def resolve(self, figures: Mapping[str, Decimal]) -> Interval:
        """Return the range in euros, figures taken from `figures` (KeyError if one is missing)."""

        def euros(bound: Bound | None) -> Decimal | None:
            return figures[bound] if isinstance(bound, str) else bound

        return Interval(euros(self.low), self.low_open, euros(self.high), self.high_open)


@dataclass(frozen=True)
class Option:
    """A button of a question node; `amounts` lets a typed amount choose it."""

    label: str
    next: str
    sets: Mapping[str, Scalar]
    amounts: AmountRange | None = None
    line: int = 0


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
