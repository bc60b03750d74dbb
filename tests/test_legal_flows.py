"""The legal review of December 2026 (shared/reviews/legal-2026-12.md) in the flows' plans.

Each test walks a flow as a parent does and reads the plan that arrives: the corrected statement
is there, the wrong one is gone. Findings in FAQ entries are pinned in test_legal_corrections.py.
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.config import Config
from bot.content.knowledge import KnowledgeBase
from bot.dialogue.core import Dialogue
from tests.test_plans import BLEIBT_AUS, CHECK, TRENNUNG, run_flow

TODAY = date(2026, 12, 7)


@pytest.fixture(scope="module")
def d(kb: KnowledgeBase) -> Dialogue:
    return Dialogue(kb, Config(), clock=lambda: TODAY)


# #1 – Unterhaltsvorschuss is never promised unconditionally beside the support table


def test_1_remarried_plan_does_not_promise_uv_after_denying_it(d: Dialogue) -> None:
    plan = run_flow(d, BLEIBT_AUS, ["Ja, es gibt", "Ja, ich habe wieder", "=7", "Nein"])
    assert "gibt es leider nicht, solange Sie wieder verheiratet sind" in plan
    assert "zahlt das Jugendamt Unterhaltsvorschuss" not in plan
    support = plan[plan.index("2. Den Unterhalt festlegen") :]
    assert "Unterhaltsvorschuss" not in support.split("\n\n")[0]


def test_1_adult_only_family_gets_no_uv_promise(d: Dialogue) -> None:
    plan = run_flow(d, BLEIBT_AUS, ["Ja, es gibt", "Nein", "=19", "Nein"])
    assert "zahlt das Jugendamt Unterhaltsvorschuss" not in plan
    assert "Unterhaltsvorschuss aus Punkt 1" not in plan
    assert "1. Unterhaltsvorschuss beim" not in plan


def test_1_trennung_says_uv_may_apply_and_the_jugendamt_checks(d: Dialogue) -> None:
    plan = run_flow(
        d,
        TRENNUNG,
        ["Nein, nicht", "Nein", "Vor allem bei mir", "Ja, regel", "=6", "Ich arbeite, das"],
    )
    sentence = next(s for s in plan.split("\n") if "Kann er nicht so viel zahlen" in s)
    assert "in Frage kommen" in sentence
    assert "Voraussetzungen prüft das Jugendamt" in sentence


# #3 – § 1570 BGB only after divorce; separated spouses § 1361 BGB


@pytest.mark.parametrize(
    ("flow", "answers"),
    [
        (BLEIBT_AUS, ["Nein, keinen", "Ja", "Nein", "=1", "Nein"]),
        (TRENNUNG, ["Ja, wir sind", "Vor allem bei mir", "Ja, regel", "=2", "Ich arbeite, das"]),
    ],
)
def test_3_betreuungsunterhalt_names_the_right_paragraph_per_status(
    d: Dialogue, flow: str, answers: list[str]
) -> None:
    plan = run_flow(d, flow, answers)
    section = next(p for p in plan.split("\n\n") if "Betreuungsunterhalt" in p)
    assert "nach der Scheidung nach § 1570 BGB" in section
    assert "Trennungsunterhalt (§ 1361 BGB)" in section
    assert "ohne Ehe nach § 1615l Abs. 2 BGB" in section
    assert "verheiratet oder geschieden" not in section


# #5, #6, § 4 UVG – reporting duty, repayment, the 40 % rule, back-payment only with effort


def test_5_6_uv_plan_names_repayment_effort_and_the_40_percent_rule(d: Dialogue) -> None:
    plan = run_flow(d, BLEIBT_AUS, ["Nein, keinen", "Ja", "Nein", "=4", "Nein"])
    first = plan[plan.index("1. Unterhaltsvorschuss") : plan.index("2. Den Unterhalt")]
    assert "40 % oder mehr" in first
    assert "§§ 5, 6 UVG" in first
    assert "zurückzahlen" in first
    assert "bemüht" in first
    assert "§ 4 UVG" in first


def test_6_wechselmodell_plan_says_no_uv_and_half_mehrbedarf(d: Dialogue) -> None:
    plan = run_flow(d, TRENNUNG, ["Ja, wir sind", "Etwa gleich viel"])
    assert "Unterhaltsvorschuss gibt es im Wechselmodell nicht" in plan
    assert "40 % oder mehr" in plan
    assert "halbiert" in plan


# #4 – Kindergeld back-payment: at most 6 months


@pytest.mark.parametrize(
    ("flow", "answers"),
    [
        (CHECK, ["=3", "Unregelmäßig", "Kein eigenes", "Ja"]),
        (
            TRENNUNG,
            ["Nein, nicht", "Nein", "Vor allem bei mir", "Ja, regel", "=6", "Ich arbeite, das"],
        ),
    ],
)
def test_4_kindergeld_back_payment_six_months(d: Dialogue, flow: str, answers: list[str]) -> None:
    plan = run_flow(d, flow, answers)
    assert "höchstens für die letzten 6 Monate" in plan
    assert "§ 66 Abs. 3 EStG" in plan


# #7 – no Kita fees with Bürgergeld, Kinderzuschlag or Wohngeld


def test_7_kita_fees_waived_in_the_plans(d: Dialogue) -> None:
    kiz = run_flow(d, CHECK, ["=3", "Unregelmäßig", "600 € brutto oder mehr", "Nein", "Ja, die"])
    assert "keine Kita-Gebühren (§ 90 Abs. 4 SGB VIII)" in kiz
    bg = run_flow(d, CHECK, ["=3", "Unregelmäßig", "Kein eigenes", "Ja"])
    assert "keine Kita-Gebühren (§ 90 Abs. 4 SGB VIII)" in bg


# #12 – paternity not yet established: UV with cooperation, support back to birth


def test_12_paternity_open_uv_possible_and_support_back_to_birth(d: Dialogue) -> None:
    plan = run_flow(d, BLEIBT_AUS, ["Nein, keinen", "Nein, noch", "Nein", "=1", "Nein"])
    section = next(p for p in plan.split("\n\n") if "Vaterschaft ist noch nicht" in p)
    assert "§ 1 Abs. 3 UVG" in section
    assert "rückwirkend ab der Geburt" in section
    assert "keinen Unterhaltsanspruch" not in section


# #13 – the 600 € for UV at 12–17 with Bürgergeld is income without Kindergeld, not only wages


def test_13_uv_condition_is_income_without_kindergeld(d: Dialogue) -> None:
    plan = run_flow(d, BLEIBT_AUS, ["Nein, keinen", "Ja", "Nein", "=14", "Weiß ich"])
    line = next(s for s in plan.split("\n") if "Kind, 14 Jahre" in s)
    assert "ohne Kindergeld" in line
    assert "verdienen" not in line


def test_13_option_labels_say_income(kb: KnowledgeBase) -> None:
    labels = [o.label for f in kb.flows.values() for n in f.nodes.values() for o in n.options]
    assert not any("verdiene ≥" in label or "Lohn ab {uvg" in label for label in labels)


# #17 – support for the past only from a written request (§ 1613 BGB)


def test_17_write_to_the_other_parent_now(d: Dialogue) -> None:
    plan = run_flow(d, BLEIBT_AUS, ["Nein, keinen", "Ja", "Nein", "=4", "Nein"])
    assert "§ 1613 BGB" in plan
    assert "tun Sie das jetzt, am besten schriftlich mit Kopie" in plan


# #18, #19 – adult children: 698 € need, both parents pay, the title stays


def test_18_19_adult_child_gets_the_figure_and_the_title_rule(d: Dialogue) -> None:
    plan = run_flow(d, BLEIBT_AUS, ["Ja, es gibt", "Nein", "=19", "Nein"])
    assert (
        "Kind, 19 Jahre: Bedarf 698 € im Monat; nach Abzug des vollen Kindergeldes bleiben 439 €"
        in plan
    )
    assert "die beide Eltern anteilig nach ihrem Einkommen zahlen" in plan
    assert "§ 244 FamFG" in plan
    assert "nicht bestätigt" not in plan


# Found by a second review of the corrected plans


def test_with_a_titel_no_warning_that_past_support_is_lost(d: Dialogue) -> None:
    plan = run_flow(d, BLEIBT_AUS, ["Ja, es gibt", "Nein", "=7", "Nein"])
    assert "Zwangsvollstreckung" in plan
    assert "§ 1613 BGB" not in plan


def test_uv_total_leaves_out_a_child_marked_unlikely(d: Dialogue) -> None:
    plan = run_flow(d, BLEIBT_AUS, ["Nein, keinen", "Ja", "Nein", "=2, 8 und 14", "Ja, ohne"])
    assert "Kind, 14 Jahre: eher kein Unterhaltsvorschuss" in plan
    assert "Zusammen: 526 € Unterhaltsvorschuss im Monat." in plan


def test_adult_only_families_get_no_uv_or_beistandschaft_steps(d: Dialogue) -> None:
    trennung = run_flow(
        d,
        TRENNUNG,
        ["Nein, nicht", "Nein", "Vor allem bei mir", "Ja, regel", "=19", "Ich arbeite, das"],
    )
    assert "in Frage kommen" not in trennung
    assert "enden mit dem 18. Geburtstag" in trennung
    bleibt = run_flow(d, BLEIBT_AUS, ["Ja, es gibt", "Nein", "=20", "Nein"])
    assert "Unterhaltsvorschussstelle" not in bleibt


def test_wohngeld_beside_buergergeld_says_as_a_rule(d: Dialogue) -> None:
    plan = run_flow(d, CHECK, ["=3", "Unregelmäßig", "Kein eigenes", "Ja"])
    assert "Wohngeld gibt es in der Regel nicht zusätzlich zum Bürgergeld" in plan


def test_the_support_request_need_not_be_written(d: Dialogue) -> None:
    for answers, flow in (
        (["Nein, keinen", "Ja", "Nein", "=4", "Nein"], BLEIBT_AUS),
        (["Ja, wir sind", "Vor allem bei mir", "Noch nicht", "=4", "Ich arbeite, das"], TRENNUNG),
    ):
        plan = run_flow(d, flow, answers)
        sentence = next(s for s in plan.split("\n") if "§ 1613 BGB" in s)
        assert "schriftlichen Aufforderung" not in sentence
        assert "schriftlich Auskunft" not in sentence
