"""The crisis reply per concept: the line that fits the danger comes first (shared/FACTS.md).

Suicide → TelefonSeelsorge; violence and threats → 110 and 116 016 (fathers 0800 123 99 00); a
child abused → 110 and the Hilfetelefon Sexueller Missbrauch; a child's medical emergency → 112
first, then the Giftnotruf; gas → out and 112; the impulse to harm a baby → what to do now, the
TelefonSeelsorge and the Elterntelefon; a child missing → 110; extended suicide → 112 and the
TelefonSeelsorge; being watched after a threat → 110. Every reply still lists the round-the-clock
lines after the first.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config, CounsellingConfig
from bot.content.knowledge import KnowledgeBase
from bot.dialogue.core import Dialogue
from bot.dialogue.model import Outcome, OutcomeKind, State
from bot.language.crisis_data import CrisisData
from tests.conftest import problems_of
from tests.test_counselling import CONFIG as COUNSELLING

SEELSORGE = "0800 111 0 111"
MISSBRAUCH = "0800 22 55 530"
MEN = "0800 123 99 00"
ELTERNTELEFON = "0800 111 0 550"

# concept → the numbers its first paragraph names, in the order they must appear
FIRST_LINES: dict[str, list[str]] = {
    "suizid": [SEELSORGE, "112"],
    "selbstverletzung": ["112", SEELSORGE],
    "gewalt": ["110", "116 016", MEN],
    "drohung": ["110", "116 016", MEN],
    "kind": ["110", "112"],
    "kind-missbrauch": ["110", MISSBRAUCH],
    "kind-notfall": ["112", "Giftnotruf", "116 117"],
    "entfuehrung": ["110"],
    "gas": ["112", SEELSORGE],
    "kind-impuls": [SEELSORGE, ELTERNTELEFON, "112"],
    "kind-vermisst": ["110"],
    "erweiterter-suizid": ["112", SEELSORGE],
    "nachstellung": ["110", "116 016", MEN],
}


def _first_paragraph(text: str) -> str:
    return text.split("\n\n", 1)[0]


@pytest.mark.parametrize(("concept", "numbers"), FIRST_LINES.items())
def test_each_concept_opens_with_its_line(
    kb: KnowledgeBase, concept: str, numbers: list[str]
) -> None:
    text = kb.crisis.reply_text(concept)
    first = _first_paragraph(text)
    positions = [first.index(number) for number in numbers]
    assert positions == sorted(positions), f"{concept}: {numbers} not in this order in {first!r}"
    rest = text.split("\n\n", 1)[1]
    assert "Rund um die Uhr" in rest
    for line in (SEELSORGE, "116 016", "0800 40 40 020", MEN, "0800 111 0 550", "116 111"):
        assert line in text


def test_every_crisis_concept_of_the_rules_has_its_own_first_line(kb: KnowledgeBase) -> None:
    crisis_concepts = {r.concept for r in kb.crisis.rules if r.level.value == "crisis"}
    assert crisis_concepts <= set(FIRST_LINES)
    general = kb.crisis.first
    for concept in FIRST_LINES:
        assert _first_paragraph(kb.crisis.reply_text(concept)) != general


def test_a_medical_emergency_of_a_child_says_112_before_anything_else(kb: KnowledgeBase) -> None:
    text = kb.crisis.reply_text("kind-notfall")
    assert text.index("112") < text.index("Giftnotruf") < text.index(SEELSORGE)
    assert "19240" not in text  # regional numbers are not confirmed (FACTS.md): no guessing


def test_without_a_concept_the_general_emergency_line_comes_first(kb: KnowledgeBase) -> None:
    first = _first_paragraph(kb.crisis.reply_text(None))
    assert "110" in first
    assert "112" in first
    assert _first_paragraph(kb.crisis.reply_text("unbekannt")) == first


def test_a_concept_without_a_line_falls_back_to_the_general_one(kb: KnowledgeBase) -> None:
    data: CrisisData = kb.crisis
    assert _first_paragraph(data.reply_text("belastung")) == data.first
    assert data.entry_for("belastung") == "psychische-belastung"
    assert data.entry_for("gewalt") == "gewalt"


@pytest.mark.parametrize(
    ("message", "number"),
    [
        ("mein kind wird beim vater sexuell missbraucht", MISSBRAUCH),
        ("er schlägt mich gerade", "116 016"),
        ("ich will nicht mehr leben", SEELSORGE),
    ],
)
def test_a_parent_reads_the_fitting_line_first(
    dialogue: Dialogue, message: str, number: str
) -> None:
    outcome = dialogue.ask(message)
    assert outcome.kind is OutcomeKind.CRISIS
    assert number in _first_paragraph(outcome.replies[0].text)


def test_a_rule_with_an_unlisted_concept_is_refused(broken: Path) -> None:
    path = broken / "crisis.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("concept: kind-missbrauch", "concept: kind-misbrauch", 1), encoding="utf-8"
    )
    problems = problems_of(broken)
    assert any(
        "crisis.yaml:" in p and "concept 'kind-misbrauch' not in concepts" in p for p in problems
    ), problems


def test_a_concept_pointing_to_no_entry_is_refused(broken: Path) -> None:
    path = broken / "crisis.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("entry: gewalt", "entry: gewald", 1), encoding="utf-8")
    assert any("concepts.gewalt.entry: no entry 'gewald'" in p for p in problems_of(broken))


# Written by the lead after a review found the medical emergency line unreachable and threats read
# as suicide (tuning examples, not a blind set; issue 19 measures detection blind).
EMERGENCIES = [
    "mein kind hat tabletten von mir geschluckt",
    "meine tochter hat putzmittel getrunken",
    "mein baby atmet nicht mehr",
    "Mein Kind ist bewusstlos",
    "meine kleine hat eine batterie verschluckt",
    "der kleine hat spülmaschinentabs gegessen",
    "meine tochter ist nicht mehr ansprechbar",
    "der kleine krampft und läuft blau an",
    "die kleine ist vom wickeltisch gefallen und reagiert nicht",
]


@pytest.mark.parametrize("message", EMERGENCIES)
def test_a_childs_medical_emergency_reads_112_first(dialogue: Dialogue, message: str) -> None:
    outcome = dialogue.ask(message)
    assert outcome.kind is OutcomeKind.CRISIS
    first = _first_paragraph(outcome.replies[0].text)
    assert first.startswith("Rufen Sie sofort den Rettungsdienst: 112")
    assert "Giftnotruf" in first


@pytest.mark.parametrize("message", ["er will mich umbringen", "er hat gedroht mich umzubringen"])
def test_a_threat_to_kill_the_parent_reads_the_police_first(
    dialogue: Dialogue, message: str
) -> None:
    first = _first_paragraph(dialogue.ask(message).replies[0].text)
    assert "110" in first
    assert "TelefonSeelsorge" not in first


@pytest.mark.parametrize(
    "message",
    [
        "mein kind nimmt medikamente, bekomme ich kinderkrankentage",
        "mein kind hat als baby mal tabletten verschluckt, damals",
    ],
)
def test_medicine_in_an_ordinary_question_is_no_emergency(
    dialogue: Dialogue, message: str
) -> None:
    assert dialogue.ask(message).kind is not OutcomeKind.CRISIS


# The newcomer's report (shared/reviews/newcomer-2026-12.md), rows D9, D23 and D42.


def test_a_figure_of_speech_gets_the_answer_not_the_hotlines(dialogue: Dialogue) -> None:
    outcome = dialogue.ask(
        "Der Umzug bringt mich um, wie bekomme ich schnell einen Kitaplatz in der neuen Stadt?"
    )
    assert outcome.kind is not OutcomeKind.CRISIS
    assert dialogue.ask("der typ bringt mich um").kind is OutcomeKind.CRISIS


def test_a_threat_tied_to_a_condition_is_concern_not_crisis(dialogue: Dialogue) -> None:
    text = "Mein Ex droht, mir das Kind wegzunehmen, wenn ich Unterhalt fordere."
    assessment = dialogue.crisis.assess(text)
    assert assessment.level.value == "concern"
    assert dialogue.ask(text).kind is not OutcomeKind.CRISIS
    taken = dialogue.ask("er will das kind ins ausland bringen und nie zurückbringen")
    assert taken.kind is OutcomeKind.CRISIS


def test_violence_against_a_parent_and_child_offers_the_violence_entry(
    dialogue: Dialogue, kb: KnowledgeBase
) -> None:
    outcome = dialogue.ask(
        "mein ex hat mich gestern geschlagen und droht mir, dass er das kind mitnimmt"
    )
    assert outcome.kind is OutcomeKind.CRISIS
    labels = [b.label for row in outcome.replies[0].buttons for b in row]
    assert kb.entries["gewalt"].title in labels


# What a parent reads about a person to talk to: only what this bot really offers (newcomer D4,
# D13, D21).
OFFER = "Sie können auch hier mit einer Beraterin schreiben – tippen Sie auf den Knopf unten."
ELSEWHERE = (
    "Persönlich beraten Sie die Beratungsstellen für Alleinerziehende – welche es gibt, zeigt "
    "Ihnen der Knopf unten."
)


def _labels(outcome: Outcome) -> list[str]:
    return [b.label for reply in outcome.replies for row in reply.buttons for b in row]


def test_without_counselling_a_crisis_points_to_the_counselling_places(
    dialogue: Dialogue,
) -> None:
    outcome = dialogue.ask("ich will nicht mehr leben")
    assert outcome.kind is OutcomeKind.CRISIS
    reply = outcome.replies[0]
    assert reply.text.endswith(ELSEWHERE)
    assert "hier mit einer Beraterin" not in reply.text
    assert _labels(outcome) == ["📍 Beratungsstellen finden"]


def test_without_counselling_the_button_leads_to_the_places_without_a_loop(
    dialogue: Dialogue,
) -> None:
    crisis = dialogue.ask("ich will nicht mehr leben")
    places = dialogue.press(State(), crisis.replies[0].buttons[0][0].data)
    assert places.entry_id == "beratung-kontakt"
    assert "VAMV" in places.replies[0].text
    assert "📍 Beratungsstellen finden" not in _labels(places)  # no button back to itself
    assert "💬 Mit einer Beraterin sprechen" not in _labels(places)


def test_with_counselling_a_crisis_offers_a_counsellor_here(kb: KnowledgeBase) -> None:
    outcome = Dialogue(kb, Config(counselling=COUNSELLING)).ask("ich will nicht mehr leben")
    assert outcome.replies[0].text.endswith(OFFER)
    assert _labels(outcome) == ["💬 Mit einer Beraterin sprechen"]


@pytest.mark.parametrize(("counselling", "line"), [(None, ELSEWHERE), (COUNSELLING, OFFER)])
def test_the_concern_line_offers_only_what_is_configured(
    kb: KnowledgeBase, counselling: CounsellingConfig | None, line: str
) -> None:
    dialogue = Dialogue(kb, Config(counselling=counselling))
    note = dialogue.ask("ich kann nicht mehr, alles wird mir zu viel").replies[-1]
    assert note.text.startswith("Wenn Ihnen gerade alles zu viel wird")
    assert note.text.endswith(line)


# Issue 19: the concepts the blind set of the last round exposed (tuning examples in
# tests/data/crisis_e_tuning.yaml). What the parent reads first, and a look-alike that gets the
# normal answer.
NEW_CONCEPTS = [
    ("es riecht in der ganzen wohnung nach gas und die kinder schlafen", "Riecht es nach Gas"),
    ("ich sitz in der küche neben dem gashahn, der ist offen", "Riecht es nach Gas"),
    (
        "das baby schreit seit drei stunden und ich hab angst, dass ich es gleich schüttle",
        "Wenn Sie Angst haben, Ihrem Kind wehzutun",
    ),
    (
        "mein 3jähriger ist weg, die wohnungstür stand offen, ich find ihn nirgends",
        "Ist Ihr Kind gerade verschwunden: Rufen Sie sofort die Polizei unter 110",
    ),
    (
        "bevor das jugendamt kommt, nehm ich die kinder mit. wir gehen alle zusammen",
        "Wenn Sie daran denken, sich und Ihren Kindern etwas anzutun",
    ),
    (
        "mein ex hat mir gestern gedroht und jetzt steht er seit einer stunde vor der kita",
        "Wartet jemand, der Sie bedroht hat",
    ),
    (
        "Meine Tochter (18 Monate) hat Lampenöl getrunken, sie hustet und würgt",
        "Rufen Sie sofort den Rettungsdienst: 112",
    ),
    (
        "der kleine hatte eine knopfbatterie im mund, ich glaub er hat sie runtergeschluckt",
        "Rufen Sie sofort den Rettungsdienst: 112",
    ),
    (
        "mein sohn ist vom hochbett auf den kopf gefallen und reagiert kaum noch",
        "Rufen Sie sofort den Rettungsdienst: 112",
    ),
    (
        "Baby hat 40,5 Fieber und zuckt mit Armen und Beinen",
        "Rufen Sie sofort den Rettungsdienst: 112",
    ),
]


@pytest.mark.parametrize(("message", "opening"), NEW_CONCEPTS)
def test_a_new_danger_opens_with_its_own_line(
    dialogue: Dialogue, message: str, opening: str
) -> None:
    outcome = dialogue.ask(message)
    assert outcome.kind is OutcomeKind.CRISIS
    assert outcome.replies[0].text.startswith(opening)


def test_gas_says_go_out_and_112_and_names_the_seelsorge_for_a_tap_opened_on_purpose(
    dialogue: Dialogue,
) -> None:
    first = _first_paragraph(
        dialogue.ask("Gashahn ist offen und ich mach ihn nicht zu").replies[0].text
    )
    assert "hinaus" in first
    assert first.index("112") < first.index(SEELSORGE)


def test_the_impulse_to_shake_a_baby_says_what_to_do_before_the_numbers(
    dialogue: Dialogue, kb: KnowledgeBase
) -> None:
    outcome = dialogue.ask("ich bin kurz davor die kleine zu schütteln damit sie endlich ruhig ist")
    first = _first_paragraph(outcome.replies[0].text)
    assert first.index("gehen Sie kurz aus dem Zimmer") < first.index(SEELSORGE)
    assert "Schütteln kann es lebensgefährlich verletzen" in first
    assert kb.entries["psychische-belastung"].title in _labels(outcome)


@pytest.mark.parametrize(
    "message",
    [
        "Gas- und Stromrechnung",
        "Gasherd Kindersicherung",
        "ich schüttel den Kopf über das Amt",
        "der Vater wartet immer vor der Kita zur Übergabe",
        "der Kleine ist beim Spielplatz weggelaufen, wir haben ihn wieder",
        "ich nehme die kinder mit zum termin beim jugendamt, geht das?",
        "Wir gehen alle zusammen ins Schwimmbad, gibt es eine Familienermäßigung?",
        "Warum darf man ein Baby nicht schütteln? Hab das im Geburtsvorbereitungskurs gehört",
        "Knopfzellen im Spielzeug – gibt es eine Liste mit sicheren Produkten?",
    ],
)
def test_a_look_alike_of_a_new_danger_gets_the_normal_answer(
    dialogue: Dialogue, message: str
) -> None:
    assessment = dialogue.crisis.assess(message)
    assert assessment.level.value == "none", assessment.explain()
    assert dialogue.ask(message).kind is not OutcomeKind.CRISIS


def test_a_question_about_the_next_febrile_seizure_gets_the_normal_answer(
    dialogue: Dialogue,
) -> None:
    # Decided: no concern line either. That line speaks of overload and violence, which does not
    # fit a parent preparing for next time; the normal answer (the matcher's) stays.
    text = "Fieberkrampf vor Jahren, was tun beim nächsten Mal?"
    assert dialogue.crisis.assess(text).level.value == "none"
    assert dialogue.ask(text).kind is not OutcomeKind.CRISIS
    assert dialogue.ask("mein kind hat hohes fieber und hat gerade einen krampfanfall").kind is (
        OutcomeKind.CRISIS
    )


@pytest.mark.parametrize(
    "message",
    [
        "Mein Ex droht, mir das Kind wegzunehmen.",
        "Er droht mir immer wieder, mir die Kinder wegzunehmen, weil ich Vollzeit arbeite.",
    ],
)
def test_a_threat_to_take_the_child_away_is_pressure_not_danger(
    dialogue: Dialogue, message: str
) -> None:
    assert dialogue.crisis.assess(message).level.value == "concern"
    outcome = dialogue.ask(message)
    assert outcome.kind is not OutcomeKind.CRISIS
    assert outcome.replies[-1].text.startswith("Wenn Ihnen gerade alles zu viel wird")
    abroad = dialogue.ask(
        "mein ex droht das kind mit nach marokko zu nehmen und nie wieder zurückzubringen"
    )
    assert abroad.kind is OutcomeKind.CRISIS
