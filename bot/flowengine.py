"""The flow engine: walks a parent through a decision tree and renders the tailored plan. Pure."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot import calculators as calc
from bot.calculators import Parameters, euro
from bot.flows import PLACEHOLDER, PLACEHOLDER_NEEDS, Flow, Node, NodeKind
from bot.knowledge import Texts


@dataclass(frozen=True)
class FlowState:
    """Where a parent is in a flow: the node, the answers so far and the way back."""

    flow: str
    node: str
    answers: Mapping[str, Any] = field(default_factory=dict)
    history: tuple[tuple[str, Mapping[str, Any]], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Serialise (JSON-compatible)."""
        return {
            "flow": self.flow,
            "node": self.node,
            "answers": dict(self.answers),
            "history": [[n, dict(a)] for n, a in self.history],
        }

    @classmethod
    def from_dict(cls, raw: object) -> FlowState | None:
        """Restore; anything malformed gives None (the parent simply starts again)."""
        if not isinstance(raw, dict):
            return None
        flow, node, answers, history = (
            raw.get("flow"),
            raw.get("node"),
            raw.get("answers"),
            raw.get("history", []),
        )
        if not (isinstance(flow, str) and isinstance(node, str) and isinstance(answers, dict)):
            return None
        if not isinstance(history, list) or not all(
            isinstance(h, list) and len(h) == 2 and isinstance(h[0], str) and isinstance(h[1], dict)
            for h in history
        ):
            return None
        return cls(flow, node, answers, tuple((h[0], h[1]) for h in history))


# --- placeholders ----------------------------------------------------------------------------

Renderer = Callable[[Parameters, Mapping[str, Any], Texts], str]


def _ages(answers: Mapping[str, Any]) -> list[int]:
    return [int(a) for a in answers.get("alter", [])]


def _with_basis(texts: Texts, text: str, basis: str) -> str:
    return f"{text} {texts('calc_basis', basis=basis)}"


def _support(p: Parameters, answers: Mapping[str, Any], texts: Texts) -> str:
    lines = []
    for age in _ages(answers):
        result = calc.child_support(p, age)
        if result.minimum is None or result.paid is None:
            lines.append(texts("calc_support_adult", age=age))
        else:
            lines.append(
                texts(
                    "calc_support_line",
                    age=age,
                    minimum=euro(result.minimum),
                    paid=euro(result.paid),
                )
            )
    return _with_basis(texts, "\n".join(lines), p.legal_basis["mindestunterhalt"])


def _uvg(p: Parameters, answers: Mapping[str, Any], texts: Texts) -> str:
    sgb2 = answers.get("kind_buergergeld")
    lines = []
    for age in _ages(answers):
        result = calc.unterhaltsvorschuss(
            p,
            age,
            parent_married=answers.get("verheiratet_neu") is True,
            child_gets_sgb2=None if sgb2 == "unklar" else sgb2 == "ja",
            parent_gross_income_over_600=answers.get("einkommen_600"),
        )
        amount = euro(result.amount) if result.amount is not None else ""
        income = euro(p.uvg_min_gross_income_sgb2)
        lines.append(texts(f"calc_uvg_{result.reason}", age=age, amount=amount, income=income))
    return _with_basis(texts, "\n".join(lines), p.legal_basis["unterhaltsvorschuss"])


def _no_minors(answers: Mapping[str, Any]) -> bool:
    return not any(0 <= a < 18 for a in _ages(answers))


def _mehrbedarf(p: Parameters, answers: Mapping[str, Any], texts: Texts) -> str:
    if _no_minors(answers):
        return texts("calc_mehrbedarf_none")
    result = calc.mehrbedarf(p, _ages(answers))
    text = texts(
        "calc_mehrbedarf",
        percent=result.percent,
        regelbedarf=euro(p.regelbedarf_single),
        amount=euro(result.amount),
    )
    return _with_basis(texts, text, p.legal_basis["mehrbedarf"])


def _kktage(p: Parameters, answers: Mapping[str, Any], texts: Texts) -> str:
    days = calc.kinderkrankentage(p, _ages(answers))
    text = texts("calc_kktage", days=days) if days else texts("calc_kktage_none")
    return _with_basis(texts, text, p.legal_basis["kinderkrankentage"])


def _kindergeld(p: Parameters, answers: Mapping[str, Any], texts: Texts) -> str:
    ages = _ages(answers)
    minors = sum(0 <= a < 18 for a in ages)
    text = texts(
        "calc_kindergeld",
        amount=euro(calc.kindergeld_total(p, ages)),
        each=euro(p.kindergeld),
        count=minors,
    )
    if len(ages) > minors:
        text += " " + texts("calc_kindergeld_adult")
    return _with_basis(texts, text, p.legal_basis["kindergeld"])


def _entlastung(p: Parameters, answers: Mapping[str, Any], texts: Texts) -> str:
    amount = calc.entlastungsbetrag(p, len(_ages(answers)))
    text = texts(
        "calc_entlastung",
        amount=euro(amount),
        first=euro(p.entlastung_first),
        further=euro(p.entlastung_further),
    )
    return _with_basis(texts, text, p.legal_basis["entlastungsbetrag"])


def _kiz(p: Parameters, answers: Mapping[str, Any], texts: Texts) -> str:
    if _no_minors(answers):
        return texts("calc_kiz_none")
    minors = sum(0 <= a < 18 for a in _ages(answers))
    text = texts(
        "calc_kiz",
        each=euro(p.kiz_max_per_child),
        amount=euro(p.kiz_max_per_child * minors),
        income=euro(p.kiz_min_gross_income),
    )
    return _with_basis(texts, text, p.legal_basis["kinderzuschlag"])


# One renderer per placeholder named in bot.flows.PLACEHOLDER_NEEDS (which the loader checks).
RENDERERS: Mapping[str, Renderer] = {
    "unterhalt_tabelle": _support,
    "uvg_tabelle": _uvg,
    "mehrbedarf": _mehrbedarf,
    "kinderkrankentage": _kktage,
    "kindergeld": _kindergeld,
    "entlastungsbetrag": _entlastung,
    "kinderzuschlag": _kiz,
}
if set(RENDERERS) != set(PLACEHOLDER_NEEDS):  # pragma: no cover - a programming error
    raise RuntimeError("every placeholder needs exactly one renderer")


# --- input parsing ---------------------------------------------------------------------------

_DATE = re.compile(r"(?<![\d-])(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d)")
_NUMBER = re.compile(r"(?<![\d.])(-?\d+)(?![\d.])")
_MONTHS = re.compile(r"(?<![\d.])(\d+)\s*(monat|monate|mon\b|wochen|woche|tage|tag)")


def _age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def parse_ages(
    text: str, today: date, lowest: int, highest: int, max_items: int
) -> list[int] | None:
    """Read one or more ages ("5", "3 und 8", "3 Monate", "12.03.2019"); None if invalid."""
    ages: list[int] = []
    rest = text.lower()
    for match in _DATE.finditer(rest):
        day, month, year = (int(g) for g in match.groups())
        try:
            birth = date(year, month, day)
        except ValueError:
            return None
        if birth > today:
            return None
        ages.append(_age_on(birth, today))
    rest = _DATE.sub(" ", rest)
    for _ in _MONTHS.finditer(rest):
        ages.append(0)  # a baby's age in months, weeks or days
    rest = _MONTHS.sub(" ", rest)
    for match in _NUMBER.finditer(rest):
        ages.append(int(match.group(1)))
    if not ages or len(ages) > max_items or any(not lowest <= a <= highest for a in ages):
        return None
    return ages


def parse_integer(text: str, lowest: int, highest: int) -> int | None:
    """Read exactly one whole number within bounds; None otherwise."""
    numbers = _NUMBER.findall(text)
    if len(numbers) != 1:
        return None
    value = int(numbers[0])
    return value if lowest <= value <= highest else None


# --- engine ----------------------------------------------------------------------------------


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
        if node.input == "ages":
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
                    values[name] = RENDERERS[name](params, state.answers, self._texts)
            texts.append(PLACEHOLDER.sub(lambda m: values[m.group(1)], section.text))
        return Plan("\n\n".join(texts), node.faq, params.stand)
