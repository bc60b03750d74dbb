"""Plans follow the answers: per family situation, what a plan must and must not say."""

from __future__ import annotations

from datetime import date

import pytest

from bot.callbacks import Press, decode
from bot.config import Config
from bot.content.knowledge import KnowledgeBase
from bot.dialogue.core import Dialogue
from bot.dialogue.model import Outcome, State
from bot.events import Event, EventKind
from bot.flows.figures import figure_values
from bot.flows.placeholders import PLACEHOLDERS
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


# --- The family's amounts: every plan placeholder that depends on the children -------------------
# Figures of 2026 (shared/FACTS.md): Kindergeld 259 €, Kinderzuschlag up to 297 € per child,
# Mindestunterhalt 486/558 € minus half Kindergeld = 356,50/428,50 €, adult need 698 € minus full
# Kindergeld = 439 €, UV 227/299 €, Mehrbedarf 36 % of 563 € = 202,68 €, 30 Kinderkrankentage per
# child (at most 70), Entlastungsbetrag 4.260 € + 240 € per further child.

ONE, TWO, THREE, THREE_WITH_ADULT = [5], [2, 7], [2, 5, 11], [4, 9, 19]

FAMILY_TOTALS: list[tuple[str, list[int], list[str]]] = [
    ("kindergeld_familie", ONE, ["Kindergeld: 259 € im Monat für Ihr Kind."]),
    ("kindergeld_familie", TWO, ["Kindergeld: 259 € pro Kind, für 2 Kinder also 518 € im Monat."]),
    (
        "kindergeld_familie",
        THREE,
        ["Kindergeld: 259 € pro Kind, für 3 Kinder also 777 € im Monat."],
    ),
    (
        "kindergeld_familie",
        THREE_WITH_ADULT,
        [
            "Kindergeld für Kinder unter 18: 259 € pro Kind, bei Ihnen also 518 € im Monat.",
            "Für Kinder ab 18 gibt es Kindergeld (259 € im Monat) nur unter Bedingungen",
        ],
    ),
    ("kinderzuschlag_familie", ONE, ["Kinderzuschlag: bis zu 297 € im Monat für Ihr Kind;"]),
    ("kinderzuschlag_familie", TWO, ["für 2 Kinder also bis zu 594 € im Monat"]),
    ("kinderzuschlag_familie", THREE, ["für 3 Kinder also bis zu 891 € im Monat"]),
    (
        "kinderzuschlag_familie",
        THREE_WITH_ADULT,
        ["Kinderzuschlag für Kinder unter 18: bis zu 297 € pro Kind, bei Ihnen also bis zu 594 €"],
    ),
    (
        "unterhalt_tabelle",
        ONE,
        ["Kind, 5 Jahre: mindestens 356,50 € im Monat (Mindestunterhalt 486 € − halbes"],
    ),
    ("unterhalt_tabelle", TWO, ["Zusammen für 2 Kinder unter 18: mindestens 785 € im Monat."]),
    ("unterhalt_betraege", TWO, ["Zusammen für 2 Kinder unter 18: mindestens 785 € im Monat."]),
    (
        "unterhalt_tabelle",
        THREE,
        ["Zusammen für 3 Kinder unter 18: mindestens 1.141,50 € im Monat."],
    ),
    (
        "unterhalt_tabelle",
        THREE_WITH_ADULT,
        [
            "Zusammen für 2 Kinder unter 18: mindestens 785 € im Monat.",
            "Kind, 19 Jahre: Bedarf 698 € im Monat",
            "nach Abzug des vollen Kindergeldes bleiben 439 €",
            "die beide Eltern anteilig",
        ],
    ),
    ("uvg_tabelle", ONE, ["Kind, 5 Jahre: 227 € Unterhaltsvorschuss im Monat."]),
    ("uvg_tabelle", TWO, ["Zusammen: 526 € Unterhaltsvorschuss im Monat."]),
    ("uvg_tabelle", THREE, ["Zusammen: 753 € Unterhaltsvorschuss im Monat."]),
    (
        "uvg_tabelle",
        THREE_WITH_ADULT,
        [
            "Zusammen: 526 € Unterhaltsvorschuss im Monat.",
            "Kind, 19 Jahre: kein Unterhaltsvorschuss",
        ],
    ),
    ("mehrbedarf", ONE, ["36 % des Regelbedarfs von 563 €, also 202,68 € im Monat"]),
    ("mehrbedarf", TWO, ["also 202,68 € im Monat"]),
    ("mehrbedarf", THREE, ["also 202,68 € im Monat"]),
    ("mehrbedarf", THREE_WITH_ADULT, ["also 202,68 € im Monat"]),
    ("mehrbedarf", [8, 10, 13, 15], ["48 % des Regelbedarfs von 563 €, also 270,24 € im Monat"]),
    ("kinderkrankentage", ONE, ["Kinderkrankentage 2026: 30 Arbeitstage"]),
    ("kinderkrankentage", TWO, ["Kinderkrankentage 2026: 60 Arbeitstage"]),
    ("kinderkrankentage", THREE, ["Kinderkrankentage 2026: 70 Arbeitstage"]),
    ("kinderkrankentage", THREE_WITH_ADULT, ["Kinderkrankentage 2026: 60 Arbeitstage"]),
    ("entlastungsbetrag", ONE, ["Entlastungsbetrag: 4.260 € im Jahr"]),
    ("entlastungsbetrag", TWO, ["Entlastungsbetrag: 4.500 € im Jahr"]),
    ("entlastungsbetrag", THREE, ["Entlastungsbetrag: 4.740 € im Jahr"]),
    (
        "entlastungsbetrag",
        THREE_WITH_ADULT,
        ["Entlastungsbetrag: 4.500 € im Jahr", "zählt nur mit, solange Sie für es Kindergeld"],
    ),
]


def test_every_child_dependent_placeholder_has_family_totals() -> None:
    tested = {name for name, _, _ in FAMILY_TOTALS}
    assert tested == set(PLACEHOLDERS), "state the family's totals for every new placeholder"


@pytest.mark.parametrize(("name", "ages", "must"), FAMILY_TOTALS)
def test_placeholders_render_the_familys_amounts(
    kb: KnowledgeBase, name: str, ages: list[int], must: list[str]
) -> None:
    params = kb.calculators[-1]
    answers = {"alter": ages, "kind_buergergeld": "nein", "verheiratet_neu": False}
    text = PLACEHOLDERS[name].render(params, answers, kb.texts)
    for phrase in must:
        assert phrase in text, f"{phrase!r} not in {text!r}"
    assert "0 Kind" not in text
    assert "Kind(er)" not in text


def test_three_children_read_the_familys_kindergeld_in_the_leistungs_check(
    plan_dialogue: Dialogue,
) -> None:
    plan = run_flow(
        plan_dialogue,
        CHECK,
        ["=2, 5 und 11", "Unregelmäßig", "600 € brutto oder mehr", "Nein", "Ja, die Miete"],
    )
    assert "Kindergeld: 259 € pro Kind, für 3 Kinder also 777 € im Monat." in plan
    assert "für 3 Kinder also bis zu 891 € im Monat" in plan
    assert "Kindergeld – bei der Familienkasse:\n259 €" not in plan


def test_no_figure_shares_a_name_with_a_calculation(kb: KnowledgeBase) -> None:
    for params in kb.calculators:
        assert not set(figure_values(params)) & set(PLACEHOLDERS)


def _point(plan: str, number: int) -> str:
    """Return the paragraph of a plan that starts with „<number>."."""
    return next(p for p in plan.split("\n\n") if p.startswith(f"{number}. "))


def test_unterhalt_plan_says_once_that_the_other_parent_must_be_able_to_pay(
    plan_dialogue: Dialogue,
) -> None:
    # newcomer D29: children 8 and 2, Bürgergeld without income
    answers = ["Nein, keinen", "Ja", "Nein", "=8 und 2", "Ja, ohne"]
    plan = run_flow(plan_dialogue, BLEIBT_AUS, answers)
    second = _point(plan, 2)
    assert "Kind, 8 Jahre: mindestens 428,50 €" in second
    assert "Kind, 2 Jahre: mindestens 356,50 €" in second
    capacity = ("zahlen kann", "leistungsfähig", "nicht so viel zahlen")
    assert sum(second.count(words) for words in capacity) == 1, second
    assert "springt der Unterhaltsvorschuss aus Punkt 1 ein" in second


def test_unterhalt_plan_uses_the_buergergeld_answer(plan_dialogue: Dialogue) -> None:
    # newcomer D29: the question is not asked for nothing
    steps = ["Nein, keinen", "Ja", "Nein", "=8 und 2"]
    with_sgb2 = run_flow(plan_dialogue, BLEIBT_AUS, [*steps, "Ja, ohne"])
    assert (
        "Sie bekommen Bürgergeld: Wird Unterhaltsvorschuss gezahlt, zählt er dort als Einkommen "
        "Ihres Kindes. Das Jobcenter rechnet ihn auf das Bürgergeld an"
    ) in with_sgb2
    assert "(§ 11 Abs. 1 SGB II)" in with_sgb2
    for answer in ("Nein", "Weiß ich"):
        assert "Sie bekommen Bürgergeld" not in run_flow(
            plan_dialogue, BLEIBT_AUS, [*steps, answer]
        )
