"""Guided flows (decision trees) as frozen data, loaded and checked from `knowledge/flows/`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from bot.yamlsource import LocatedDict, Problem

Scalar = str | int | bool
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
# Placeholders answer nodes may embed, with the answers each needs (rendered by bot.flowengine).
PLACEHOLDER_NEEDS: Mapping[str, frozenset[str]] = {
    name: frozenset({"alter"})
    for name in (
        "unterhalt_tabelle",
        "uvg_tabelle",
        "mehrbedarf",
        "kinderkrankentage",
        "kindergeld",
        "entlastungsbetrag",
        "kinderzuschlag",
    )
}


class NodeKind(Enum):
    """What a flow node does."""

    QUESTION = "question"
    INPUT = "input"
    ANSWER = "answer"
    ACTION = "action"


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
    input: str | None = None
    key: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    max_items: int = 6
    error: str = ""
    next: str | None = None
    sections: tuple[Section, ...] = ()
    faq: tuple[str, ...] = ()
    action: str | None = None
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


def _condition(raw: object) -> Condition:
    if isinstance(raw, Mapping):
        return Range(raw.get("min"), raw.get("max"))
    if isinstance(raw, list):
        return tuple(raw)
    assert isinstance(raw, str | int | bool)  # noqa: S101 - guaranteed by the schema
    return raw


def parse_flow(doc: LocatedDict, path: Path) -> Flow:
    """Build a flow from a schema-valid document."""
    nodes: dict[str, Node] = {}
    for node_id, raw in doc["nodes"].items():
        kind = NodeKind(raw["kind"])
        nodes[node_id] = Node(
            id=node_id,
            kind=kind,
            text=str(raw.get("text", "")).strip(),
            line=doc["nodes"].line_of(node_id),
            options=tuple(
                Option(o["label"], o["next"], dict(o.get("set", {})))
                for o in raw.get("options", [])
            ),
            input=raw.get("input"),
            key=raw.get("key"),
            minimum=raw.get("min"),
            maximum=raw.get("max"),
            max_items=int(raw.get("max_items", 6)),
            error=str(raw.get("error", "")).strip(),
            next=raw.get("next"),
            sections=tuple(
                Section(
                    str(s["text"]).strip(),
                    {k: _condition(v) for k, v in dict(s.get("when", {})).items()},
                )
                for s in raw.get("sections", [])
            ),
            faq=tuple(raw.get("faq", ())),
            action=raw.get("action"),
            entry=raw.get("entry"),
        )
    return Flow(
        id=doc["id"],
        title=doc["title"].strip(),
        button=str(doc.get("button") or doc["title"]).strip(),
        offer_on=tuple(doc.get("offer_on", ())),
        start=doc["start"],
        nodes=nodes,
        path=path,
    )


def check_flow(
    flow: Flow,
    doc: LocatedDict,
    entry_ids: set[str],
    placeholder_needs: Mapping[str, frozenset[str]],
    max_callback_bytes: int,
) -> list[Problem]:
    """Check a flow's graph and references; return every problem as `file:line: message`.

    Rules: every target exists; every node is reachable from the start; the graph has no cycle
    ("Zurück" is a control, not an edge); question and input nodes lead somewhere, so every path
    ends in an answer or action; placeholders are known and their answers are collected on
    every path to them; FAQ ids exist; button data fits Telegram's 64 bytes.
    """
    problems: list[Problem] = []

    def add(line: int, message: str) -> None:
        problems.append(Problem(flow.path, line, message))

    if flow.path.stem != flow.id:
        add(doc.line_of("id"), f"id '{flow.id}' must equal the file name '{flow.path.stem}'")
    if flow.start not in flow.nodes:
        add(doc.line_of("start"), f"start node '{flow.start}' does not exist")
        return problems
    for index, entry in enumerate(flow.offer_on):
        if entry not in entry_ids:
            add(doc["offer_on"].line_of(index), f"offer_on[{index}]: no FAQ entry '{entry}'")
    for node in flow.nodes.values():
        for target in node.targets():
            if target not in flow.nodes:
                add(node.line, f"node '{node.id}': target '{target}' does not exist")
        for faq in (*node.faq, *([node.entry] if node.entry else [])):
            if faq not in entry_ids:
                add(node.line, f"node '{node.id}': no FAQ entry '{faq}'")
        if node.action == "open_entry" and not node.entry:
            add(node.line, f"node '{node.id}': action open_entry needs 'entry'")
        for index, _ in enumerate(node.options):
            data = f"1:o:{flow.id}:{node.id}:{index}"
            if len(data.encode()) > max_callback_bytes:
                add(node.line, f"node '{node.id}': button data too long ({data})")
        if node.input == "integer" and (node.minimum is None or node.maximum is None):
            add(node.line, f"node '{node.id}': integer input needs min and max")
    if problems:
        return problems

    # Cycles and reachability by depth-first search from the start.
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done

    def visit(node_id: str, trail: list[str]) -> None:
        state[node_id] = 1
        for target in flow.nodes[node_id].targets():
            if state.get(target) == 1:
                cycle = " → ".join([*trail[trail.index(target) :], target])
                add(flow.nodes[node_id].line, f"cycle: {cycle}")
            elif target not in state:
                visit(target, [*trail, target])
        state[node_id] = 2

    visit(flow.start, [flow.start])
    for node in flow.nodes.values():
        if node.id not in state:
            add(node.line, f"node '{node.id}' is not reachable from '{flow.start}'")
    if problems:
        return problems

    # Answers guaranteed on every path to each node (intersection over predecessors).
    guaranteed: dict[str, frozenset[str]] = {}

    def collected_after(
        node: Node, before: frozenset[str], option: Option | None
    ) -> frozenset[str]:
        keys = set(before)
        if node.key:
            keys.add(node.key)
        if option is not None:
            keys.update(option.sets)
        return frozenset(keys)

    order: list[str] = []
    seen: set[str] = set()

    def topo(node_id: str) -> None:
        seen.add(node_id)
        for target in flow.nodes[node_id].targets():
            if target not in seen:
                topo(target)
        order.append(node_id)

    topo(flow.start)
    guaranteed[flow.start] = frozenset()
    for node_id in reversed(order):
        node = flow.nodes[node_id]
        before = guaranteed.get(node_id, frozenset())
        outgoing = (
            [(o.next, o) for o in node.options]
            if node.kind is NodeKind.QUESTION
            else [(node.next, None)]
            if node.next
            else []
        )
        for target, option in outgoing:
            after = collected_after(node, before, option)
            guaranteed[target] = guaranteed[target] & after if target in guaranteed else after
    for node in flow.nodes.values():
        texts = [node.text, *(s.text for s in node.sections)]
        for name in {m for t in texts for m in PLACEHOLDER.findall(t)}:
            if name not in placeholder_needs:
                add(node.line, f"node '{node.id}': unknown placeholder {{{name}}}")
                continue
            missing = placeholder_needs[name] - guaranteed.get(node.id, frozenset())
            if missing:
                add(
                    node.line,
                    f"node '{node.id}': placeholder {{{name}}} needs {', '.join(sorted(missing))}, "
                    "which not every path collects",
                )
    return problems
