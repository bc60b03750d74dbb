"""Plans follow the answers: per family situation, what a plan must and must not say."""

from __future__ import annotations

from datetime import date

import pytest

from bot.config import Config
from bot.content.knowledge import KnowledgeBase
from bot.dialogue.callbacks import Press, decode
from bot.dialogue.core import Dialogue
from bot.dialogue.events import Event, EventKind
from bot.dialogue.model import Outcome, State
from bot.frontends.plain import flat_buttons, render_plain

TODAY = date(2026, 11, 24)


@pytest.fixture(scope="module")
def plan_dialogue(kb: KnowledgeBase) -> Dialogue:
    return Dialogue(kb, Config(), clock=lambda: TODAY)


def _press_option(d: Dialogue, outcome: Outcome, label: str) -> Outcome:
    for reply in outcome.replies:
        for button in flat_buttons(reply):
            pressed = decode(button.data)
            if pressed and pressed.press is Press.FLOW_OPTION and button.label.startswith(label):
                return d.handle(outcome.state, Event(EventKind.BUTTON, button.data))
    raise AssertionError(f"no option {label!r} in {[r.text for r in outcome.replies]}")


def run_flow(d: Dialogue, flow_id: str, steps: list[str]) -> str:
    """Walk a flow: a step starting with '=' is typed (ages are confirmed), others are options."""
    outcome = d.handle(State(), Event(EventKind.BUTTON, f"1:s:{flow_id}"))
    for step in steps:
        if step.startswith("="):
            outcome = d.handle(outcome.state, Event(EventKind.TEXT, step[1:]))
            outcome = d.handle(outcome.state, Event(EventKind.TEXT, "ja"))
        else:
            outcome = _press_option(d, outcome, step)
    assert outcome.state.flow is None, "the flow did not end"
    return "\n".join(render_plain(r) for r in outcome.replies)


BLEIBT_AUS = "unterhalt-bleibt-aus"
TRENNUNG = "trennung-erste-schritte"
CHECK = "leistungs-check"

# (flow, answers, must contain, must not contain)
CASES: list[tuple[str, list[str], list[str], list[str]]] = [
    (  # 12 years, Bürgergeld without 600 € gross: both conditions ruled out
        BLEIBT_AUS,
        ["Nein, keinen", "Ja", "Nein", "=12", "Ja, ohne"],
        ["eher kein Unterhaltsvorschuss"],
        ["wenn eine Bedingung erfüllt ist"],
    ),
    (  # 12 years, no Bürgergeld: Unterhaltsvorschuss without conditions
        BLEIBT_AUS,
        ["Nein, keinen", "Ja", "Nein", "=12", "Nein"],
        ["394 € Unterhaltsvorschuss im Monat"],
        ["eher kein", "wenn eine Bedingung"],
    ),
    (  # 19 years: the Beistandschaft and Unterhaltsvorschuss end at 18
        BLEIBT_AUS,
        ["Nein, keinen", "Ja", "Nein", "=19", "Nein"],
        ["volljähriges Kind", "enden mit dem 18. Geburtstag"],
        [
            "Beantragen Sie beim Jugendamt eine kostenlose Beistandschaft",
            "1. Unterhaltsvorschuss beim",
        ],
    ),
    (  # a baby of 5 months, unmarried: Betreuungsunterhalt, ages in months
        BLEIBT_AUS,
        ["Nein, keinen", "Ja", "Nein", "=5 Monate", "Nein"],
        ["Betreuungsunterhalt", "§ 1615l Abs. 2 BGB", "Kind, 5 Monate", "227 €"],
        ["0 Jahre", "volljähriges Kind"],
    ),
    (  # remarried: no Unterhaltsvorschuss
        BLEIBT_AUS,
        ["Ja, es gibt", "Ja, ich habe wieder", "=7", "Nein"],
        ["gibt es leider nicht, solange Sie wieder verheiratet sind"],
        ["1. Unterhaltsvorschuss beim Jugendamt beantragen"],
    ),
    (  # Trennung with a baby: Elterngeld and Betreuungsunterhalt
        TRENNUNG,
        ["Nein, nicht", "Nein", "Vor allem bei mir", "Nein", "=4 Monate", "Ich arbeite, aber"],
        ["Elterngeld", "Betreuungsunterhalt", "Ohne Sorgeerklärungen hat die Mutter"],
        ["Das gemeinsame Sorgerecht bleibt bestehen"],
    ),
    (  # Trennung with a ten-year-old: no baby advice
        TRENNUNG,
        [
            "Ja, wir sind",
            "Vor allem bei mir",
            "Ja, regelmäßig",
            "=10",
            "Ich arbeite, das",
        ],
        ["Das gemeinsame Sorgerecht bleibt bestehen", "Trennungsjahr"],
        ["Elterngeld", "Betreuungsunterhalt", "volljähriges Kind"],
    ),
    (  # Leistungs-Check, one disclaimer only; Bürgergeld gets the Mehrbedarf
        CHECK,
        ["=3 und 8", "Unregelmäßig", "Kein eigenes", "Ja"],
        ["202,68 €", "Mehrbedarf"],
        ["Elterngeld", "Wohngeld als Zuschuss"],
    ),
    (  # Leistungs-Check for a baby with income: Elterngeld, Kinderzuschlag
        CHECK,
        ["=6 Monate", "Ja, regelmäßig", "600 € brutto oder mehr", "Nein", "Ja, die Miete"],
        ["Elterngeld", "Kinderzuschlag", "Wohngeld"],
        ["Unterhaltsvorschuss – schriftlich"],
    ),
]


@pytest.mark.parametrize(("flow", "answers", "must", "must_not"), CASES)
def test_plans_follow_the_answers(
    plan_dialogue: Dialogue, flow: str, answers: list[str], must: list[str], must_not: list[str]
) -> None:
    plan = run_flow(plan_dialogue, flow, answers)
    for phrase in must:
        assert phrase in plan, f"missing {phrase!r} in plan"
    for phrase in must_not:
        assert phrase not in plan, f"{phrase!r} should not be in plan"


def test_one_disclaimer_per_plan(plan_dialogue: Dialogue) -> None:
    plan = run_flow(plan_dialogue, CHECK, ["=3 und 8", "Unregelmäßig", "Kein eigenes", "Ja"])
    assert plan.count("keine Entscheidung") == 1
