"""The flow engine: walks a parent through a decision tree and renders the tailored plan. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from bot.datafiles.texts import Texts
from bot.flows.calculators import Parameters
from bot.flows.children import Reading, read_children
from bot.flows.figures import figure_values, fill
from bot.flows.inputs import parse_integer
from bot.flows.model import PLACEHOLDER, Flow, InputKind, Node, NodeKind
from bot.flows.placeholders import PLACEHOLDERS
from bot.flows.state import FlowState


class FlowError(Exception):
    """A flow step is impossible (stale or forged button, unknown flow)."""


@dataclass(frozen=True)
class Rejected:
    """Typed input a step could not use, with the reading of the children if there was one."""

    reading: Reading | None = None


@dataclass(frozen=True)
class Plan:
    """The rendered end of a flow."""

    text: str
    faq: tuple[str, ...]
    stand: str


def family_facts(months: list[int]) -> dict[str, bool]:
    """Return the facts about a family that plans depend on, from the children's ages."""
    return {
        "hat_baby": any(m < 12 for m in months),
        "hat_unter_3": any(m < 36 for m in months),
        "hat_minderjaehrige": any(m < 18 * 12 for m in months),
        "hat_volljaehrige": any(m >= 18 * 12 for m in months),
    }


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

    def accept(self, state: FlowState, text: str, today: date) -> FlowState | Rejected:
        """Validate typed input for an input node.

        Returns:
            The next state; for ages the same step with the reading pending confirmation
            („Ich rechne mit 2 Kindern: 4 und 7 Jahre. Stimmt das?"); or why it was rejected.

        """
        node = self.node(state)
        if node.kind is not NodeKind.INPUT or node.key is None:
            raise FlowError("this step expects a button")
        lowest = node.minimum if node.minimum is not None else 0
        highest = node.maximum if node.maximum is not None else 99
        if node.input is InputKind.AGES:
            reading = read_children(text, today, lowest, highest, node.max_items)
            if reading.problem is not None:
                return Rejected(reading)
            pending = {
                node.key: reading.years,
                f"{node.key}_monate": [c.months for c in reading.children],
            }
            return replace(state, pending=pending, errors=0)
        value = parse_integer(text, lowest, highest)
        if value is None:
            return Rejected()
        return self._next(state, {node.key: value})

    def _next(self, state: FlowState, values: Mapping[str, Any]) -> FlowState:
        node = self.node(state)
        assert node.next is not None  # noqa: S101 - the loader requires it
        return self._go(state, node.next, {**state.answers, **values})

    def confirm(self, state: FlowState) -> FlowState:
        """Take the pending reading of an input step and move on.

        Ages also set facts that sections of a plan depend on (`when: {hat_baby: true}`), so a
        plan names Elterngeld only for a baby and a Beistandschaft only for a minor.
        """
        if state.pending is None:
            raise FlowError("nothing to confirm")
        values = dict(state.pending)
        months = next((v for k, v in values.items() if k.endswith("_monate")), None)
        if isinstance(months, list):
            values.update(family_facts([int(m) for m in months]))
        return self._next(replace(state, pending=None), values)

    def correct(self, state: FlowState) -> FlowState:
        """Drop the pending reading: the step asks for the input again."""
        return replace(state, pending=None)

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
        # Plain figures ({kindergeld}: one child's amount) and calculations for this family
        # ({kindergeld_familie}) never share a name: `elternlotse check` refuses a collision.
        values = figure_values(params)
        texts = []
        for section in node.sections:
            if not section.applies(state.answers):
                continue
            for name in PLACEHOLDER.findall(section.text):
                if name in PLACEHOLDERS:
                    values[name] = PLACEHOLDERS[name].render(params, state.answers, self._texts)
            texts.append(fill(section.text, values))
        return Plan("\n\n".join(texts), node.faq, params.stand)

    def fill(self, text: str, today: date) -> str:
        """Put the figures valid on `today` into a text that names them by placeholder."""
        return fill(text, figure_values(self.parameters(today)))
