"""Build flows from schema-valid YAML documents (`knowledge/flows/*.yaml`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from bot.datafiles.yamlsource import LocatedDict, LocatedList, Problem
from bot.flows.calculators import Parameters
from bot.flows.figures import figure_amounts
from bot.flows.model import (
    AmountRange,
    Bound,
    Condition,
    Flow,
    FlowAction,
    InputKind,
    Interval,
    Node,
    NodeKind,
    Option,
    Range,
    Section,
)


def _condition(raw: object) -> Condition:
    if isinstance(raw, Mapping):
        return Range(raw.get("min"), raw.get("max"))
    if isinstance(raw, list):
        return tuple(raw)
    assert isinstance(raw, str | int | bool)  # noqa: S101 - guaranteed by the schema
    return raw


def _bound(raw: object) -> Bound | None:
    if raw is None or isinstance(raw, str):
        return raw
    return Decimal(str(raw))  # via str: 0.1 stays 0.1, not its binary neighbour


def _amount_range(raw: Mapping[str, Any] | None) -> AmountRange | None:
    """Read `range: {min|above, max|below}` (the schema forbids min with above, max with below)."""
    if raw is None:
        return None
    low_open, high_open = "above" in raw, "below" in raw
    return AmountRange(
        _bound(raw.get("above") if low_open else raw.get("min")),
        low_open,
        _bound(raw.get("below") if high_open else raw.get("max")),
        high_open,
    )


def _options(raw: LocatedList) -> tuple[Option, ...]:
    return tuple(
        Option(
            o["label"],
            o["next"],
            dict(o.get("set", {})),
            _amount_range(o.get("range")),
            o.line_of("range") if "range" in o else raw.line_of(index),  # where errors point
        )
        for index, o in enumerate(raw)
    )


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
            options=_options(raw.get("options", LocatedList())),
            input=InputKind(raw["input"]) if raw.get("input") else None,
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
            action=FlowAction(raw["action"]) if raw.get("action") else None,
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


def check_amount_ranges(flow: Flow, years: Sequence[Parameters]) -> list[Problem]:
    """Check the `range:` of every option against each year's figures.

    Rules: a bound names a figure in euros; no range is empty (min above max); the ranges of one
    step do not overlap and leave no gap between them, so an amount between the lowest and the
    highest bound chooses exactly one option (below or above them, none).
    """
    seen: dict[tuple[int, str], None] = {}  # ordered and without repeats across years
    for parameters in years:
        figures = figure_amounts(parameters)
        for node in flow.nodes.values():
            for line, message in _range_problems(node, figures):
                seen[(line, message)] = None
    return [Problem(flow.path, line, message) for line, message in seen]


def _range_problems(node: Node, figures: Mapping[str, Decimal]) -> Iterator[tuple[int, str]]:
    ranged: list[tuple[Interval, Option]] = []
    for option in node.options:
        if option.amounts is None:
            continue
        unknown = [name for name in option.amounts.figures() if name not in figures]
        for name in unknown:
            yield option.line, f"node '{node.id}': range: unknown figure '{name}' (an amount in €)"
        if unknown:
            continue
        interval = option.amounts.resolve(figures)
        if interval.is_empty():
            yield option.line, f"node '{node.id}': range of '{option.label}': min > max"
        else:
            ranged.append((interval, option))
    ranged.sort(key=lambda pair: (pair[0].low is not None, pair[0].low or 0, pair[0].low_open))
    for (first, lower), (second, upper) in zip(ranged, ranged[1:], strict=False):
        where = f"node '{node.id}': ranges of '{lower.label}' and '{upper.label}'"
        meets = _meets(first, second)
        if meets < 0:
            yield upper.line, f"{where} overlap"
        elif meets > 0:
            yield upper.line, f"{where} leave a gap"


def _meets(first: Interval, second: Interval) -> int:
    """Compare where `first` ends with where `second` begins: <0 overlap, 0 meet, >0 gap."""
    if first.high is None or second.low is None:
        return -1  # one of them is unbounded towards the other
    if first.high != second.low:
        return -1 if first.high > second.low else 1
    both_closed = not first.high_open and not second.low_open
    both_open = first.high_open and second.low_open
    return -1 if both_closed else (1 if both_open else 0)
