"""Graph and reference checks of a flow, each rule a small function returning problems.

Rules: every target exists; every node is reachable from the start; the graph has no cycle
("Zurück" is a control, not an edge); question and input nodes lead somewhere, so every path
ends in an answer or action; placeholders are known and their answers are collected on every
path to them; FAQ ids exist; button data fits Telegram's 64 bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from itertools import chain

from bot.datafiles.yamlsource import LocatedDict, Problem
from bot.flows.model import PLACEHOLDER, Flow, FlowAction, InputKind, Node, NodeKind, Option
from bot.flows.placeholders import PLACEHOLDERS
from bot.limits import BUTTON_DATA_BYTES

Found = Iterator[tuple[int, str]]  # (line, message) pairs a rule finds


def check_flow(
    flow: Flow, doc: LocatedDict, entry_ids: set[str], figures: frozenset[str] = frozenset()
) -> list[Problem]:
    """Check a flow's graph and references; return every problem as `file:line: message`.

    Later rules assume earlier ones hold (a search needs existing targets), so the checks stop
    at the first stage that finds anything.
    """
    stages: tuple[Callable[[], Found], ...] = (
        lambda: chain(_header(flow, doc, entry_ids), _references(flow, entry_ids)),
        lambda: _shape(flow),
        lambda: _placeholders(flow, figures),
    )
    for stage in stages:
        problems = [Problem(flow.path, line, message) for line, message in stage()]
        if problems:
            return problems
    return []


def _header(flow: Flow, doc: LocatedDict, entry_ids: set[str]) -> Found:
    if flow.path.stem != flow.id:
        yield doc.line_of("id"), f"id '{flow.id}' must equal the file name '{flow.path.stem}'"
    if flow.start not in flow.nodes:
        yield doc.line_of("start"), f"start node '{flow.start}' does not exist"
    for index, entry in enumerate(flow.offer_on):
        if entry not in entry_ids:
            yield doc["offer_on"].line_of(index), f"offer_on[{index}]: no FAQ entry '{entry}'"


def _references(flow: Flow, entry_ids: set[str]) -> Found:
    for node in flow.nodes.values():
        for target in node.targets():
            if target not in flow.nodes:
                yield node.line, f"node '{node.id}': target '{target}' does not exist"
        for faq in (*node.faq, *([node.entry] if node.entry else [])):
            if faq not in entry_ids:
                yield node.line, f"node '{node.id}': no FAQ entry '{faq}'"
        if node.action is FlowAction.OPEN_ENTRY and not node.entry:
            yield node.line, f"node '{node.id}': action open_entry needs 'entry'"
        for index, _ in enumerate(node.options):
            data = f"1:o:{flow.id}:{node.id}:{index}"
            if len(data.encode()) > BUTTON_DATA_BYTES:
                yield node.line, f"node '{node.id}': button data too long ({data})"
        if node.input is InputKind.INTEGER and (node.minimum is None or node.maximum is None):
            yield node.line, f"node '{node.id}': integer input needs min and max"


def _shape(flow: Flow) -> Found:
    """Find cycles and unreachable nodes by depth-first search from the start."""
    mark: dict[str, int] = {}  # 1 = on the stack, 2 = done
    found: list[tuple[int, str]] = []

    def visit(node_id: str, trail: list[str]) -> None:
        mark[node_id] = 1
        for target in flow.nodes[node_id].targets():
            if mark.get(target) == 1:
                cycle = " → ".join([*trail[trail.index(target) :], target])
                found.append((flow.nodes[node_id].line, f"cycle: {cycle}"))
            elif target not in mark:
                visit(target, [*trail, target])
        mark[node_id] = 2

    visit(flow.start, [flow.start])
    yield from found
    for node in flow.nodes.values():
        if node.id not in mark:
            yield node.line, f"node '{node.id}' is not reachable from '{flow.start}'"


def _topological(flow: Flow) -> list[str]:
    order: list[str] = []
    seen: set[str] = set()

    def visit(node_id: str) -> None:
        seen.add(node_id)
        for target in flow.nodes[node_id].targets():
            if target not in seen:
                visit(target)
        order.append(node_id)

    visit(flow.start)
    return order[::-1]


def _outgoing(node: Node) -> list[tuple[str, Option | None]]:
    if node.kind is NodeKind.QUESTION:
        return [(o.next, o) for o in node.options]
    return [(node.next, None)] if node.next else []


def guaranteed_answers(flow: Flow) -> Mapping[str, frozenset[str]]:
    """Return, per node, the answer keys collected on every path that reaches it."""
    guaranteed: dict[str, frozenset[str]] = {flow.start: frozenset()}
    for node_id in _topological(flow):
        node = flow.nodes[node_id]
        before = guaranteed.get(node_id, frozenset())
        for target, option in _outgoing(node):
            after = before | {node.key} if node.key else before
            if option is not None:
                after = after | frozenset(option.sets)
            guaranteed[target] = guaranteed[target] & after if target in guaranteed else after
    return guaranteed


def _placeholders(flow: Flow, figures: frozenset[str]) -> Found:
    guaranteed = guaranteed_answers(flow)
    for node in flow.nodes.values():
        texts = [node.text, *(s.text for s in node.sections), *(o.label for o in node.options)]
        for name in sorted({m for t in texts for m in PLACEHOLDER.findall(t)}):
            if name in figures:
                continue  # a plain figure of the yearly file, needs no answers
            placeholder = PLACEHOLDERS.get(name)
            if placeholder is None:
                yield node.line, f"node '{node.id}': unknown placeholder {{{name}}}"
                continue
            missing = placeholder.needs - guaranteed.get(node.id, frozenset())
            if missing:
                yield (
                    node.line,
                    f"node '{node.id}': placeholder {{{name}}} needs {', '.join(sorted(missing))}, "
                    "which not every path collects",
                )
