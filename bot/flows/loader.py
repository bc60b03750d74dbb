"""Build flows from schema-valid YAML documents (`knowledge/flows/*.yaml`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bot.content.yamlsource import LocatedDict
from bot.flows.model import (
    Condition,
    Flow,
    FlowAction,
    InputKind,
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
