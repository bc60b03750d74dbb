"""Turn flow states into replies: the step with its buttons, the plan, or the final action."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from bot.callbacks import ButtonData, FlowCommand, Press
from bot.content.knowledge import KnowledgeBase
from bot.dialogue.model import (
    Button,
    Outcome,
    OutcomeKind,
    Placement,
    Reply,
    Rows,
    State,
    button,
)
from bot.flows.calculators import euro
from bot.flows.children import Child, Problem, describe
from bot.flows.engine import FlowEngine, FlowError, Rejected
from bot.flows.figures import figure_amounts
from bot.flows.inputs import Basis, Relation, TypedAmount, parse_amount
from bot.flows.model import FlowAction, Node, NodeKind
from bot.flows.state import FlowState
from bot.language.normalize import words

# Typed words that leave a flow at any step.
CANCEL_WORDS = frozenset(
    {"abbrechen", "abbruch", "stop", "stopp", "ende", "beenden", "cancel", "exit"}
)
# Typed answers to „Stimmt das?" at a confirmation.
YES_WORDS = frozenset(
    {
        "ja",
        "jo",
        "jap",
        "stimmt",
        "genau",
        "richtig",
        "ja stimmt",
        "ja genau",
        "passt",
        "ok",
        "okay",
    }
)
NO_WORDS = frozenset({"nein", "ne", "nee", "falsch", "korrigieren", "stimmt nicht", "nein falsch"})
# Invalid inputs in a row after which the step says how to leave.
STUCK_AFTER = 2
# How „Ich habe … verstanden" words an amount that was a bound („über 600 €").
_RELATION_TEXTS = {
    Relation.JUST_ABOVE: "amount_just_above",
    Relation.JUST_BELOW: "amount_just_below",
    Relation.ABOVE: "amount_above",
    Relation.BELOW: "amount_below",
    Relation.AT_LEAST: "amount_at_least",
    Relation.AT_MOST: "amount_at_most",
}


class FlowSteps:
    """The dialogue core's flow part: start, choose, type, go back, restart, cancel, finish."""

    def __init__(
        self,
        kb: KnowledgeBase,
        clock: Callable[[], date],
        answer: Callable[[State, str], Outcome],
        service_rows: Callable[[], Rows],
    ) -> None:
        """Wire the engine to the knowledge base and the dialogue's own helpers.

        Args:
            kb: The knowledge base (flows, calculators, texts, entries).
            clock: Today's date (injected so tests can fix it).
            answer: Renders an FAQ entry as an outcome (for faq buttons and open_entry actions).
            service_rows: The "counsellor" and "topics" button rows.

        """
        self.kb = kb
        self.texts = kb.texts
        self.engine = FlowEngine(kb.flows, kb.calculators, kb.texts)
        self.clock = clock
        self._answer = answer
        self.handoff: Callable[[State], Outcome] = lambda s: self._answer(s, "beratung-kontakt")
        self._service_rows = service_rows
        # „📍 Stelle in meiner Nähe" under a plan; set by the dialogue when places can be found.
        self.local_rows: Callable[[str], Rows] | None = None

    def offers(self, entry_id: str) -> list[str]:
        """Return the flows an entry's answer offers (its own flow first)."""
        entry = self.kb.entries.get(entry_id)
        own = [entry.flow] if entry and entry.flow and entry.flow in self.kb.flows else []
        others = [
            f.id for f in self.kb.flows.values() if entry_id in f.offer_on and f.id not in own
        ]
        return [*own, *others]

    def start_button(self, flow_id: str) -> Button:
        """Return the button that starts a flow."""
        return button(self.kb.flows[flow_id].button, Press.FLOW_START, flow_id)

    def menu(self, state: State) -> Outcome:
        """List the flows."""
        rows = tuple((self.start_button(f),) for f in self.kb.flows)
        rows += ((button(self.texts("button_back"), Press.BACK),),)
        return Outcome(OutcomeKind.MENU, (Reply(self.texts("flows_intro"), buttons=rows),), state)

    def _controls(self, flow: FlowState) -> Rows:
        t = self.texts
        nav = [
            button(
                t("button_flow_restart"), Press.FLOW_CONTROL, flow.flow, FlowCommand.RESTART.value
            )
        ]
        if flow.history:
            nav.insert(
                0, button(t("button_back"), Press.FLOW_CONTROL, flow.flow, FlowCommand.BACK.value)
            )
        cancel = button(
            t("button_flow_cancel"), Press.FLOW_CONTROL, flow.flow, FlowCommand.CANCEL.value
        )
        return (tuple(nav), (cancel,), *self._service_rows()[:1])

    def _confirmation(self, state: State, flow: FlowState) -> Outcome:
        """Ask whether the reading of the children is right before anything is computed."""
        assert flow.pending is not None  # noqa: S101 - only called with a pending reading
        months: list[int] = next(
            (list(v) for k, v in flow.pending.items() if k.endswith("_monate")), []
        )
        children = tuple(Child(int(m)) for m in months)
        count = "einem Kind" if len(children) == 1 else f"{len(children)} Kindern"
        text = self.texts("ages_confirm", children=count, ages=describe(children))
        rows = (
            (
                button(
                    self.texts("button_ages_yes"),
                    Press.FLOW_CONTROL,
                    flow.flow,
                    FlowCommand.CONFIRM.value,
                ),
                button(
                    self.texts("button_ages_correct"),
                    Press.FLOW_CONTROL,
                    flow.flow,
                    FlowCommand.CORRECT.value,
                ),
            ),
        )
        reply = Reply(
            text, title=self.kb.flows[flow.flow].title, buttons=rows + self._controls(flow)
        )
        new_state = replace(state, flow=flow, pending_question=None)
        return Outcome(OutcomeKind.FLOW, (reply,), new_state, entry_id=flow.flow)

    def show(self, state: State, flow: FlowState, notice: str | None = None) -> Outcome:
        """Show the flow's current node: a step, a confirmation, the plan, or the final action."""
        if flow.pending is not None:
            return self._confirmation(state, flow)
        node = self.engine.node(flow)
        title = self.kb.flows[flow.flow].title
        if node.kind in {NodeKind.QUESTION, NodeKind.INPUT}:
            today = self.clock()
            options = tuple(
                (
                    button(
                        self.engine.fill(o.label, today),
                        Press.FLOW_OPTION,
                        flow.flow,
                        node.id,
                        str(i),
                    ),
                )
                for i, o in enumerate(node.options)
            )
            step = self.engine.fill(node.text, today)
            text = f"{notice}\n\n{step}" if notice else step
            reply = Reply(
                text,
                title=title,
                buttons=options + self._controls(flow),
                takes_text=node.kind is NodeKind.INPUT,
            )
            return Outcome(
                OutcomeKind.FLOW,
                (reply,),
                replace(state, flow=flow, pending_question=None),
                entry_id=flow.flow,
            )
        finished = replace(state, flow=None, pending_question=None)
        if node.kind is NodeKind.ACTION:
            if node.action is FlowAction.HANDOFF:
                outcome = self.handoff(finished)
            else:
                assert node.entry is not None  # noqa: S101 - the loader requires it
                outcome = self._answer(finished, node.entry)
            first = (Reply(notice),) if notice else ()
            return replace(outcome, replies=(*first, *outcome.replies))
        plan = self.engine.plan(flow, self.clock())
        faq = tuple((button(self.kb.entries[e].title, Press.ENTRY, e),) for e in plan.faq)
        again = (button(self.texts("button_flow_restart"), Press.FLOW_START, flow.flow),)
        said = f"{notice}\n\n" if notice else ""
        reply = Reply(
            f"{said}{plan.text}\n\n{self.texts('flow_note')}",
            title=title,
            footer=plan.stand,
            buttons=(
                *faq,
                again,
                *(self.local_rows(flow.flow) if self.local_rows else ()),
                *self._service_rows(),
            ),
        )
        return Outcome(OutcomeKind.FLOW, (reply,), finished, entry_id=flow.flow)

    def press(self, state: State, data: ButtonData) -> Outcome | None:
        """Handle a flow button; None when it is stale or forged (the caller says so).

        A step pressed in a flow is replaced by the next step where the front end can; a step
        that is not replaced (the plan, a cancel) loses its buttons, so it cannot be pressed
        again. Starting a flow leaves the message with the start button as it is.
        """
        try:
            if data.press is Press.FLOW_START:
                return self.show(state, self.engine.start(data.args[0]))
            outcome = self._step_press(state, data)
        except FlowError:
            return None
        if outcome is None:
            return None
        replies = outcome.replies
        if len(replies) == 1 and outcome.kind is OutcomeKind.FLOW and outcome.state.flow:
            replies = (replace(replies[0], placement=Placement.REPLACE_PRESSED),)
        return replace(outcome, replies=replies, pressed_keyboard=())

    def _step_press(self, state: State, data: ButtonData) -> Outcome | None:
        current = state.flow
        if current is None or current.flow != data.args[0]:
            return None  # a button of a flow the parent is not in (stale or forged)
        if data.press is Press.FLOW_OPTION:
            return self.show(state, self.engine.choose(current, data.args[1], int(data.args[2])))
        command = FlowCommand(data.args[1])
        if command is FlowCommand.BACK:
            return self.show(state, self.engine.back(current))
        if command is FlowCommand.RESTART:
            return self.show(state, self.engine.start(current.flow))
        if command is FlowCommand.RESUME:
            return self.show(state, current)
        if command is FlowCommand.CONFIRM:
            return self.show(state, self.engine.confirm(current))
        if command is FlowCommand.CORRECT:
            return self.show(state, self.engine.correct(current))
        return self._cancel(state)

    def _cancel(self, state: State) -> Outcome:
        reply = Reply(self.texts("flow_cancelled"), buttons=self._service_rows())
        return Outcome(OutcomeKind.INFO, (reply,), replace(state, flow=None))

    def _node(self, state: State) -> Node | None:
        """Return the parent's current node, or None outside a flow or for a stale state."""
        if state.flow is None:
            return None
        try:
            return self.engine.node(state.flow)
        except FlowError:
            return None

    def _input_node(self, state: State) -> Node | None:
        node = self._node(state)
        return node if node is not None and node.kind is NodeKind.INPUT else None

    def awaits_input(self, state: State) -> bool:
        """Tell whether the parent is at a step that reads typed input (ages, a number)."""
        return self._input_node(state) is not None

    def accepts(self, state: State, text: str) -> bool:
        """Tell whether typed text is a valid input for the current input step."""
        if state.flow is None or self._input_node(state) is None:
            return False
        if state.flow.pending is not None:
            return False
        return isinstance(self.engine.accept(state.flow, text, self.clock()), FlowState)

    def text(self, state: State, text: str) -> Outcome | None:
        """Handle typed text inside a flow; None when the step does not take text."""
        current, node = state.flow, self._node(state)
        if current is None or node is None:
            return None
        if " ".join(words(text)) in CANCEL_WORDS:
            return self._cancel(state)
        if node.kind is NodeKind.INPUT:
            if current.pending is not None:
                said = " ".join(words(text))
                if said in YES_WORDS:
                    return self.show(state, self.engine.confirm(current))
                if said in NO_WORDS:
                    return self.show(state, self.engine.correct(current))
                current = self.engine.correct(current)  # anything else is a corrected input
            accepted = self.engine.accept(current, text, self.clock())
            if isinstance(accepted, Rejected):
                return self._ask_again(state, current, node, accepted)
            return self.show(state, accepted)
        if node.kind is NodeKind.QUESTION:
            chosen = self.engine.choose_by_text(current, text)
            if chosen is not None:
                return self.show(state, chosen)
            return self._choose_by_amount(state, current, node, text)
        return None

    def _choose_by_amount(
        self, state: State, current: FlowState, node: Node, text: str
    ) -> Outcome | None:
        """Choose the option whose `range` holds a typed amount, and say what was understood.

        None (the text goes on to the FAQ as before) when no option has a range, the text is no
        plain amount, or the amount fits no option or more than one („bis 600" at a step split
        at 600).
        """
        if all(o.amounts is None for o in node.options):
            return None
        typed = parse_amount(text)
        if typed is None:
            return None
        figures = figure_amounts(self.engine.parameters(self.clock()))
        fitting = [
            index
            for index, option in enumerate(node.options)
            if option.amounts is not None
            and all(option.amounts.resolve(figures).holds(v, side) for v, side in typed.probes())
        ]
        if len(fitting) != 1:
            return None
        option = node.options[fitting[0]]
        label = self.engine.fill(option.label, self.clock())
        # „brutto ist es meist etwas mehr" is only true of an amount above zero.
        net = typed.basis is Basis.NET and typed.amount > 0
        key = "amount_understood_net" if net else "amount_understood"
        notice = self.texts(key, amount=self._said(typed), option=label)
        return self.show(state, self.engine.choose(current, node.id, fitting[0]), notice)

    def _said(self, typed: TypedAmount) -> str:
        """Word a typed amount as the parent meant it: „1.500 €", „über 600 €"."""
        amount = euro(typed.amount)
        if typed.relation is Relation.BETWEEN and typed.upper is not None:
            return self.texts("amount_between", amount=amount, upper=euro(typed.upper))
        key = _RELATION_TEXTS.get(typed.relation)
        return self.texts(key, amount=amount) if key else amount

    def _rejection(self, node: Node, rejected: Rejected) -> str:
        reading = rejected.reading
        if reading is not None and reading.problem is Problem.COUNT_MISMATCH:
            return self.texts(
                "ages_mismatch",
                count=reading.count,
                found=len(reading.children),
                ages=describe(reading.children),
            )
        if reading is not None and reading.problem is Problem.NO_AGES and reading.count:
            return self.texts("ages_need")
        return node.error

    def _ask_again(
        self, state: State, current: FlowState, node: Node, rejected: Rejected
    ) -> Outcome:
        """Ask for the input again; after two misses in a row, say how to leave."""
        errors = current.errors + 1
        notice = self._rejection(node, rejected)
        if errors >= STUCK_AFTER:
            notice = f"{notice}\n\n{self.texts('flow_stuck')}"
        return self.show(state, replace(current, errors=errors), notice=notice)

    def resume_reply(self, state: State) -> Reply | None:
        """Return the "you are still in a flow – continue?" reply, if the parent is in one."""
        if state.flow is None or state.flow.flow not in self.kb.flows:
            return None
        title = self.kb.flows[state.flow.flow].title
        resume = button(
            self.texts("button_flow_resume"),
            Press.FLOW_CONTROL,
            state.flow.flow,
            FlowCommand.RESUME.value,
        )
        return Reply(self.texts("flow_paused", title=title), buttons=((resume,),))
