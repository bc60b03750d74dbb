"""Guided flows: every path of every shipped flow, calculators against FACTS, bad input, forgery."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bot.callbacks import ButtonData, Press, decode
from bot.config import Config
from bot.content.knowledge import KnowledgeBase
from bot.dialogue.core import Dialogue
from bot.dialogue.model import Outcome, OutcomeKind, State
from bot.events import Event, EventKind
from bot.flows.calculators import (
    Parameters,
    child_support,
    entlastungsbetrag,
    euro,
    kinderkrankentage,
    mehrbedarf,
    unterhaltsvorschuss,
)
from bot.flows.children import read_children
from bot.flows.model import NodeKind
from bot.flows.state import FlowState
from bot.frontends.plain import flat_buttons, render_plain
from tests.conftest import problems_of

TODAY = date(2026, 11, 21)
AGE_SAMPLES = ["0", "5", "6", "11", "12", "17", "18", "3 und 13", "1, 2, 3, 4", "24.12.2015"]


@pytest.fixture(scope="module")
def flow_dialogue(kb: KnowledgeBase) -> Dialogue:
    return Dialogue(kb, Config(), clock=lambda: TODAY)


@pytest.fixture(scope="module")
def params(kb: KnowledgeBase) -> Parameters:
    return Dialogue(kb, Config(), clock=lambda: TODAY).flows.engine.parameters(TODAY)


def buttons(outcome: Outcome) -> list[ButtonData]:
    found = [decode(b.data) for r in outcome.replies for b in flat_buttons(r)]
    return [b for b in found if b is not None]


def walk(d: Dialogue, state: State, outcome: Outcome, trail: list[str], ends: list[str]) -> None:
    """Follow every option and every sample input until each path ends in a plan or action."""
    assert len(trail) < 30, f"no end after {trail}"
    flow = outcome.state.flow
    if flow is None:  # finished: a plan (FLOW outcome) or an action (handoff / entry answer)
        assert outcome.kind in {OutcomeKind.FLOW, OutcomeKind.HANDOFF, OutcomeKind.ANSWER}, trail
        text = "\n".join(render_plain(r) for r in outcome.replies)
        assert "{" not in text, f"unfilled placeholder after {trail}: {text}"
        assert len(text) < 3900, f"plan too long after {trail}"
        ends.append(" → ".join(trail))
        return
    node = d.flows.engine.node(flow)
    if node.kind is NodeKind.QUESTION:
        options = [b for b in buttons(outcome) if b.press is Press.FLOW_OPTION]
        assert len(options) == len(node.options), trail
        for option in options:
            nxt = d.handle(outcome.state, Event(EventKind.BUTTON, option.encode()))
            walk(d, outcome.state, nxt, [*trail, option.args[1] + ":" + option.args[2]], ends)
    else:
        assert node.kind is NodeKind.INPUT
        for sample in AGE_SAMPLES:
            read = d.handle(outcome.state, Event(EventKind.TEXT, sample))
            assert read.state.flow is not None, (trail, sample)
            assert read.state.flow.pending, (trail, sample)
            confirm = f"1:k:{flow.flow}:y"
            nxt = d.handle(read.state, Event(EventKind.BUTTON, confirm))
            assert nxt.state.flow is None or nxt.state.flow.node != flow.node, (trail, sample)
            walk(d, outcome.state, nxt, [*trail, f"{node.id}={sample}"], ends)


@pytest.mark.parametrize(
    "flow_id", ["unterhalt-bleibt-aus", "trennung-erste-schritte", "leistungs-check"]
)
def test_every_path_of_every_flow_ends_in_a_filled_plan(
    flow_dialogue: Dialogue, flow_id: str
) -> None:
    start = flow_dialogue.handle(State(), Event(EventKind.BUTTON, f"1:s:{flow_id}"))
    assert start.kind is OutcomeKind.FLOW
    ends: list[str] = []
    walk(flow_dialogue, State(), start, [flow_id], ends)
    assert ends


def test_all_shipped_flows_are_walked(kb: KnowledgeBase) -> None:
    assert set(kb.flows) == {"unterhalt-bleibt-aus", "trennung-erste-schritte", "leistungs-check"}


@pytest.mark.parametrize(
    ("age", "minimum", "paid", "uvg"),
    [
        (0, "486", "356.50", "227"),
        (5, "486", "356.50", "227"),
        (6, "558", "428.50", "299"),
        (11, "558", "428.50", "299"),
        (12, "653", "523.50", "394"),
        (17, "653", "523.50", "394"),
    ],
)
def test_support_and_uvg_match_facts(
    params: Parameters, age: int, minimum: str, paid: str, uvg: str
) -> None:
    support = child_support(params, age)
    assert support.minimum == Decimal(minimum)
    assert support.paid == Decimal(paid)
    assert unterhaltsvorschuss(params, age).amount == Decimal(uvg)


def test_adults_need_698_minus_full_kindergeld_and_get_no_uvg(params: Parameters) -> None:
    support = child_support(params, 18)
    assert support.adult
    assert support.minimum == Decimal(698)
    assert support.paid == Decimal(698 - 259)
    result = unterhaltsvorschuss(params, 18)
    assert result.amount is None
    assert result.eligible is False


def test_uvg_conditions_for_12_to_17(params: Parameters) -> None:
    assert unterhaltsvorschuss(params, 14, child_gets_sgb2=False).eligible is True
    assert (
        unterhaltsvorschuss(
            params, 14, child_gets_sgb2=True, parent_gross_income_over_600=True
        ).eligible
        is True
    )
    assert (
        unterhaltsvorschuss(
            params, 14, child_gets_sgb2=True, parent_gross_income_over_600=False
        ).eligible
        is None
    )
    assert (
        unterhaltsvorschuss(params, 8, child_gets_sgb2=True).eligible is True
    )  # under 12: no condition
    assert unterhaltsvorschuss(params, 8, parent_married=True).eligible is False


@pytest.mark.parametrize(
    ("ages", "percent", "amount"),
    [
        ([3], 36, "202.68"),
        ([10], 12, "67.56"),
        ([8, 10], 36, "202.68"),
        ([8, 10, 12], 36, "202.68"),
        ([1, 2, 3, 4], 48, "270.24"),
        ([1, 2, 3, 4, 5], 60, "337.80"),
        ([17, 17, 17, 17, 17, 17], 60, "337.80"),
    ],
)
def test_mehrbedarf_matches_facts(
    params: Parameters, ages: list[int], percent: int, amount: str
) -> None:
    result = mehrbedarf(params, ages)
    assert (result.percent, result.amount) == (percent, Decimal(amount))


@pytest.mark.parametrize(("children", "days"), [(1, 30), (2, 60), (3, 70), (4, 70)])
def test_kinderkrankentage_for_single_parents(params: Parameters, children: int, days: int) -> None:
    assert kinderkrankentage(params, [5] * children) == days
    assert kinderkrankentage(params, [12] * children) == 0


def test_entlastungsbetrag_and_euro_format(params: Parameters) -> None:
    assert entlastungsbetrag(params, 1) == Decimal(4260)
    assert entlastungsbetrag(params, 3) == Decimal(4740)
    assert euro(Decimal("356.5")) == "356,50 €"
    assert euro(Decimal(4260)) == "4.260 €"


def _to_input(d: Dialogue) -> Outcome:
    outcome = d.handle(State(), Event(EventKind.BUTTON, "1:s:unterhalt-bleibt-aus"))
    while outcome.state.flow and d.flows.engine.node(outcome.state.flow).kind is NodeKind.QUESTION:
        option = next(b for b in buttons(outcome) if b.press is Press.FLOW_OPTION)
        outcome = d.handle(outcome.state, Event(EventKind.BUTTON, option.encode()))
    return outcome


@pytest.mark.parametrize(
    "bad", ["weiß nicht genau", "-3", "200", "", "   ", "31.02.2020", "01.01.2030", "1 2 3 4 5 6 7"]
)
def test_bad_input_is_asked_again(flow_dialogue: Dialogue, bad: str) -> None:
    asking = _to_input(flow_dialogue)
    node = asking.state.flow
    assert node is not None
    again = flow_dialogue.handle(asking.state, Event(EventKind.TEXT, bad))
    assert again.state.flow == replace(node, errors=1)
    assert again.replies[0].text.startswith(flow_dialogue.flows.engine.node(node).error)


def test_after_two_bad_inputs_the_step_says_how_to_leave(flow_dialogue: Dialogue) -> None:
    asking = _to_input(flow_dialogue)
    once = flow_dialogue.handle(asking.state, Event(EventKind.TEXT, "zwölfundzwanzig"))
    assert flow_dialogue.texts("flow_stuck") not in once.replies[0].text
    twice = flow_dialogue.handle(once.state, Event(EventKind.TEXT, "keine ahnung"))
    assert flow_dialogue.texts("flow_stuck") in twice.replies[0].text
    labels = [b.label for row in twice.replies[0].buttons for b in row]
    assert flow_dialogue.texts("button_flow_cancel") in labels
    assert flow_dialogue.texts("button_find_counselling") in labels  # no counselling configured
    left = flow_dialogue.handle(twice.state, Event(EventKind.TEXT, "abbrechen"))
    assert left.state.flow is None


def test_a_question_typed_at_an_input_step_is_answered_with_a_way_back(
    flow_dialogue: Dialogue,
) -> None:
    asking = _to_input(flow_dialogue)
    answered = flow_dialogue.handle(
        asking.state, Event(EventKind.TEXT, "wie viel kindergeld bekomme ich")
    )
    assert answered.entry_id == "kindergeld"
    assert answered.state.flow == asking.state.flow  # still in the flow
    resume = answered.replies[-1]
    assert any("1:k:" in b.data for row in resume.buttons for b in row)  # "Weiter im Ablauf"


def test_ages_accept_numbers_words_months_and_birth_dates() -> None:
    assert read_children("3 und 9", TODAY).years == [3, 9]
    assert read_children("5 Monate", TODAY).years == [0]
    assert read_children("12.03.2019", TODAY).years == [7]
    assert read_children("mein Sohn ist 4 Jahre alt", TODAY).years == [4]


def test_forged_or_foreign_flow_buttons_are_refused(flow_dialogue: Dialogue) -> None:
    inside = flow_dialogue.handle(State(), Event(EventKind.BUTTON, "1:s:unterhalt-bleibt-aus"))
    for forged in (
        "1:o:leistungs-check:alter:0",  # another flow's node
        "1:o:unterhalt-bleibt-aus:plan:0",  # not the current node
        "1:o:unterhalt-bleibt-aus:titel:7",  # no such option
        "1:k:leistungs-check:b",  # control of another flow
        "1:s:gibt-es-nicht",
    ):
        outcome = flow_dialogue.handle(inside.state, Event(EventKind.BUTTON, forged))
        assert outcome.kind is OutcomeKind.STALE, forged
        assert outcome.state.flow == inside.state.flow
    outside = flow_dialogue.handle(
        State(), Event(EventKind.BUTTON, "1:o:unterhalt-bleibt-aus:titel:0")
    )
    assert outside.kind is OutcomeKind.STALE


def test_back_restart_cancel_and_typed_options(flow_dialogue: Dialogue) -> None:
    start = flow_dialogue.handle(State(), Event(EventKind.BUTTON, "1:s:unterhalt-bleibt-aus"))
    typed = flow_dialogue.handle(start.state, Event(EventKind.TEXT, "nein, keinen titel"))
    assert typed.state.flow is not None
    assert typed.state.flow.node == "vaterschaft"
    back = flow_dialogue.handle(typed.state, Event(EventKind.BUTTON, "1:k:unterhalt-bleibt-aus:b"))
    assert back.state.flow == start.state.flow
    restart = flow_dialogue.handle(
        typed.state, Event(EventKind.BUTTON, "1:k:unterhalt-bleibt-aus:r")
    )
    assert restart.state.flow == start.state.flow
    cancel = flow_dialogue.handle(
        typed.state, Event(EventKind.BUTTON, "1:k:unterhalt-bleibt-aus:c")
    )
    assert cancel.state.flow is None


def test_question_during_a_flow_is_answered_and_resume_offered(flow_dialogue: Dialogue) -> None:
    start = flow_dialogue.handle(State(), Event(EventKind.BUTTON, "1:s:unterhalt-bleibt-aus"))
    answered = flow_dialogue.handle(
        start.state, Event(EventKind.TEXT, "wie viel kindergeld gibt es")
    )
    assert answered.entry_id == "kindergeld"
    assert answered.state.flow == start.state.flow
    resume = buttons(answered)[-1]
    assert resume == ButtonData(Press.FLOW_CONTROL, ("unterhalt-bleibt-aus", "w"))
    back_in = flow_dialogue.handle(answered.state, Event(EventKind.BUTTON, resume.encode()))
    assert back_in.kind is OutcomeKind.FLOW


def test_crisis_still_comes_first_inside_a_flow(flow_dialogue: Dialogue) -> None:
    asking = _to_input(flow_dialogue)
    outcome = flow_dialogue.handle(asking.state, Event(EventKind.TEXT, "ich will nicht mehr leben"))
    assert outcome.kind is OutcomeKind.CRISIS


def test_plan_has_real_amounts(flow_dialogue: Dialogue) -> None:
    asking = _to_input(flow_dialogue)
    outcome = flow_dialogue.handle(asking.state, Event(EventKind.TEXT, "4"))
    outcome = flow_dialogue.handle(outcome.state, Event(EventKind.TEXT, "ja"))
    while outcome.state.flow is not None:
        option = next(b for b in buttons(outcome) if b.press is Press.FLOW_OPTION)
        outcome = flow_dialogue.handle(outcome.state, Event(EventKind.BUTTON, option.encode()))
    text = outcome.replies[0].text
    assert "227 €" in text  # Unterhaltsvorschuss, age 4
    assert "356,50 €" in text  # paid amount, age 4
    assert "§§ 1, 2 UVG" in text
    assert "Stand" in (outcome.replies[0].footer or "")


def test_flow_state_survives_serialisation(flow_dialogue: Dialogue) -> None:
    asking = _to_input(flow_dialogue)
    assert State.from_dict(asking.state.to_dict()) == asking.state
    assert FlowState.from_dict({"flow": 1}) is None
    assert State.from_dict({"v": 1, "last": "kindergeld", "pending": None}).flow is None


def test_flow_entries_report_kind_flow_and_offer_the_flow(flow_dialogue: Dialogue) -> None:
    outcome = flow_dialogue.ask("mein ex zahlt seit monaten nix mehr was tun")
    assert outcome.kind is OutcomeKind.FLOW
    assert ButtonData(Press.FLOW_START, ("unterhalt-bleibt-aus",)) in buttons(outcome)
    menu = flow_dialogue.handle(State(), Event(EventKind.TOPICS))
    flows = flow_dialogue.handle(State(), Event(EventKind.BUTTON, buttons(menu)[-1].encode()))
    assert {b.args[0] for b in buttons(flows) if b.press is Press.FLOW_START} == {
        "unterhalt-bleibt-aus",
        "trennung-erste-schritte",
        "leistungs-check",
    }


def test_flow_checker_reports_graph_errors_with_lines(broken: Path) -> None:
    path = broken / "flows" / "unterhalt-bleibt-aus.yaml"
    text = path.read_text(encoding="utf-8")
    # A cycle (buergergeld → titel) and a dangling target.
    cyclic = text.replace(
        '        next: plan\n      - label: "Ja, ich',
        '        next: titel\n      - label: "Ja, ich',
        1,
    )
    path.write_text(cyclic, encoding="utf-8")
    assert any("cycle: " in p and p.startswith(f"{path}:") for p in problems_of(broken))
    path.write_text(text.replace("next: vaterschaft", "next: nirgendwo", 1), encoding="utf-8")
    assert any("target 'nirgendwo' does not exist" in p for p in problems_of(broken))
    path.write_text(
        text.replace(
            "  titel:\n    kind: question",
            "  waise:\n    kind: answer\n    sections: [{text: x}]\n  titel:\n    kind: question",
            1,
        ),
        encoding="utf-8",
    )
    assert any("'waise' is not reachable" in p for p in problems_of(broken))


def test_flow_checker_reports_placeholders_missing_answers(broken: Path) -> None:
    path = broken / "flows" / "unterhalt-bleibt-aus.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            'text: "Gibt es einen Unterhaltstitel',
            'text: "{uvg_tabelle} Gibt es einen Unterhaltstitel',
            1,
        ),
        encoding="utf-8",
    )
    assert any("needs alter" in p for p in problems_of(broken))
    path.write_text(text.replace("{unterhalt_betraege}", "{gibts_nicht}"), encoding="utf-8")
    assert any("unknown placeholder {gibts_nicht}" in p for p in problems_of(broken))


def test_calculator_figures_are_cross_checked(broken: Path) -> None:
    path = broken / "calculators" / "2026.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("amount: 227", "amount: 228"), encoding="utf-8"
    )
    assert any("is not Mindestunterhalt" in p for p in problems_of(broken))
