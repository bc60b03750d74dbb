"""The flow engine: walks a parent through a decision tree and renders the tailored plan. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.content.texts import Texts
from bot.flows.calculators import Parameters
from bot.flows.inputs import parse_ages, parse_integer
from bot.flows.model import PLACEHOLDER, Flow, InputKind, Node, NodeKind
from bot.flows.placeholders import PLACEHOLDERS
from bot.flows.state import FlowState


class FlowError(Exception):
    """A flow step is impossible (stale or forged button, unknown flow)."""


@dataclass(frozen=True)
class Plan:
    """The rendered end of a flow."""

    text: str
    faq: tuple[str, ...]
    stand: str


class FlowEngine:
    """Moves FlowStates; knows nothing about buttons, messages or Telegram."""

    def __init__(
        self, flows: Mapping[str, Flow], parameters: Sequence[Parameters], texts: Texts
    ) -> None:
        """Keep the flows, the yearly figures and the wording."""
        self.flows = flows
        self._parameters = sorted(parameters, key=lambda p: p.valid_from)
        self._texts = texts

    def parameters(self, today: date) -> Parameters:
        """Return the figures valid on `today` (the newest that has started)."""
        valid = [p for p in self._parameters if p.valid_from <= today]
        return valid[-1] if valid else self._parameters[0]

    def node(self, state: FlowState) -> Node:
        """Return the state's current node, or raise FlowError if the state is stale."""
        flow = self.flows.get(state.flow)
        if flow is None or state.node not in flow.nodes:
            raise FlowError(f"no node {state.flow}/{state.node}")
        return flow.nodes[state.node]

    def start(self, flow_id: str) -> FlowState:
        """Start a flow at its first node."""
        flow = self.flows.get(flow_id)
        if flow is None:
            raise FlowError(f"no flow {flow_id}")
        return FlowState(flow_id, flow.start)

    def _go(self, state: FlowState, target: str, answers: Mapping[str, Any]) -> FlowState:
        history = (*state.history, (state.node, dict(state.answers)))
        return FlowState(state.flow, target, dict(answers), history)

    def choose(self, state: FlowState, node_id: str, index: int) -> FlowState:
        """Apply the option `index` pressed on node `node_id`.

        Raises:
            FlowError: The button belongs to another node or flow, or does not exist.

        """
        node = self.node(state)
        if node.id != node_id or node.kind is not NodeKind.QUESTION:
            raise FlowError("button of another step")
        if not 0 <= index < len(node.options):
            raise FlowError("no such option")
        option = node.options[index]
        return self._go(state, option.next, {**state.answers, **option.sets})

    def choose_by_text(self, state: FlowState, text: str) -> FlowState | None:
        """Apply the option whose label the parent typed (e.g. "ja"), if exactly one fits."""
        node = self.node(state)
        if node.kind is not NodeKind.QUESTION:
            return None
        typed = text.strip().casefold().rstrip(".!")
        hits = [
            i
            for i, o in enumerate(node.options)
            if typed and (o.label.casefold() == typed or o.label.casefold().startswith(typed + ","))
        ]
        return self.choose(state, node.id, hits[0]) if len(hits) == 1 else None

    def accept(self, state: FlowState, text: str, today: date) -> FlowState | None:
        """Validate typed input for an input node; the next state, or None to ask again."""
        node = self.node(state)
        if node.kind is not NodeKind.INPUT or node.key is None:
            raise FlowError("this step expects a button")
        lowest = node.minimum if node.minimum is not None else 0
        highest = node.maximum if node.maximum is not None else 99
        value: Any
        if node.input is InputKind.AGES:
            value = parse_ages(text, today, lowest, highest, node.max_items)
        else:
            value = parse_integer(text, lowest, highest)
        if value is None:
            return None
        assert node.next is not None  # noqa: S101 - the loader requires it
        return self._go(state, node.next, {**state.answers, node.key: value})

    def back(self, state: FlowState) -> FlowState:
        """Return to the previous step with the answers as they were there."""
        if not state.history:
            return state
        node, answers = state.history[-1]
        return FlowState(state.flow, node, answers, state.history[:-1])

    def plan(self, state: FlowState, today: date) -> Plan:
        """Render an answer node: the applicable sections with every placeholder filled."""
        node = self.node(state)
        params = self.parameters(today)
        values: dict[str, str] = {}
        texts = []
        for section in node.sections:
            if not section.applies(state.answers):
                continue
            for name in PLACEHOLDER.findall(section.text):
                if name not in values:
                    values[name] = PLACEHOLDERS[name].render(params, state.answers, self._texts)
            texts.append(PLACEHOLDER.sub(lambda m: values[m.group(1)], section.text))
        return Plan("\n\n".join(texts), node.faq, params.stand)
