"""The shipped knowledge base is valid, and broken files are reported as file:line."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from bot.content.knowledge import EntryKind, KnowledgeBase
from bot.datafiles.yamlsource import load_yaml
from bot.dialogue.core import Dialogue
from bot.flows.figures import figure_values
from tests.conftest import ROOT, problems_of

REQUIRED_IDS = [
    "unterhalt-hoehe",
    "unterhalt-bleibt-aus",
    "unterhaltsvorschuss",
    "beistandschaft",
    "unterhalt-titel",
    "unterhalt-volljaehrig",
    "betreuungsunterhalt",
    "selbstbehalt",
    "unterhalt-wechselmodell",
    "kindergeld",
    "kinderzuschlag",
    "wohngeld",
    "buergergeld-mehrbedarf",
    "bildung-teilhabe",
    "elterngeld",
    "steuer-entlastungsbetrag",
    "kinderkrankentage",
    "sorgerecht",
    "alleiniges-sorgerecht",
    "umgangsrecht",
    "umgang-verweigern",
    "wechselmodell",
    "umzug-mit-kind",
    "vaterschaft",
    "namensaenderung",
    "trennung-erste-schritte",
    "scheidung",
    "urlaub-ausland",
    "kita-platz",
    "notfall-betreuung",
    "arbeit-teilzeit",
    "wohnungssuche",
    "haushaltshilfe",
    "kur",
    "schulden",
    "psychische-belastung",
    "selbsthilfegruppen",
    "beratung-kontakt",
    "expertenchat",
    "anlaufstellen",
    "datenschutz",
    "rechtsberatung-kosten",
    "gewalt",
]


def test_every_required_topic_exists(kb: KnowledgeBase) -> None:
    assert set(REQUIRED_IDS) <= set(kb.entries)
    assert len(kb.entries) >= 43


def test_entries_follow_the_editorial_rules(kb: KnowledgeBase) -> None:
    for entry in kb.entries.values():
        assert len(entry.questions) >= 8, entry.id
        assert len(entry.answer) <= 1000, entry.id
        assert "Nächster Schritt" in entry.answer, entry.id
        assert not re.search(r"\b(du|dein|deine|dich|dir)\b", entry.answer), entry.id
        assert entry.sources, entry.id


def test_flow_and_handoff_entries_are_marked(kb: KnowledgeBase) -> None:
    kinds = {e.id: e.kind for e in kb.entries.values()}
    assert kinds["unterhalt-bleibt-aus"] is EntryKind.FLOW
    assert kinds["trennung-erste-schritte"] is EntryKind.FLOW
    assert kinds["beratung-kontakt"] is EntryKind.HANDOFF


def _figures(text: str) -> set[str]:
    return {
        m.replace(".", "").replace(",", ".")
        for m in re.findall(r"\d[\d.,]*(?=\s?(?:€|Euro|%))", text)
    }


def _facts_numbers() -> set[str]:
    facts_path = ROOT.parent / "shared" / "FACTS.md"
    if not facts_path.exists():
        pytest.skip("shared/FACTS.md is not beside the checkout (CI has it): figures not compared")
    facts = facts_path.read_text(encoding="utf-8")
    known = {m.replace(",", "") for m in re.findall(r"\d[\d.,]*", facts)}
    return known | {k.rstrip(".") for k in known}


def _in_facts(figure: str, known: set[str]) -> bool:
    return figure.rstrip(".") in known or figure.replace(".", "") in known


def test_every_figure_of_the_yearly_file_appears_in_facts(dialogue: Dialogue) -> None:
    known = _facts_numbers()
    params = dialogue.flows.engine.parameters(date(2026, 6, 1))
    for name, value in figure_values(params).items():
        for figure in _figures(value) or {value.replace(".", "")}:
            assert _in_facts(figure, known), (name, value)


def test_every_amount_shown_in_answers_appears_in_facts(dialogue: Dialogue) -> None:
    known = _facts_numbers()
    for entry in dialogue.kb.entries.values():
        shown = [
            dialogue.views.fill(entry.answer),
            *map(dialogue.views.fill, entry.followups.values()),
        ]
        for figure in (f for text in shown for f in _figures(text)):
            assert _in_facts(figure, known), (entry.id, figure)


def test_crisis_reply_names_the_hotlines(kb: KnowledgeBase) -> None:
    for number in ("110", "112", "0800 111 0 111", "116 016", "0800 123 99 00", "0800 111 0 550"):
        assert number in kb.crisis.text


def test_invalid_yaml_is_reported_with_its_line(broken: Path) -> None:
    path = broken / "faq" / "kindergeld.yaml"
    path.write_text("id: kindergeld\ntitle: [unclosed\n", encoding="utf-8")
    problems = problems_of(broken)
    assert any(p.startswith(f"{path}:") and "invalid YAML" in p for p in problems)


def test_a_key_written_twice_is_reported_not_silently_dropped(broken: Path) -> None:
    path = broken / "synonyms.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "  kindergeld: [kigeld]\n", encoding="utf-8")
    problems = problems_of(broken)
    # Appended to the last mapping, `abbreviations:`, which has `kindergeld: [KG]` already.
    first = next(i for i, line in enumerate(text.splitlines(), 1) if "kindergeld: [KG]" in line)
    assert f"{path}:{len(text.splitlines()) + 1}: invalid YAML: duplicate key 'kindergeld' " + (
        f"(first on line {first})"
    ) in problems


def test_a_key_after_a_merge_overrides_it(tmp_path: Path) -> None:
    path = tmp_path / "merge.yaml"
    path.write_text("base: &b {a: 1, b: 2}\nx:\n  <<: *b\n  a: 3\n", encoding="utf-8")
    assert load_yaml(path)["x"] == {"a": 3, "b": 2}


def test_questions_in_other_languages_name_real_entries_in_the_right_file(broken: Path) -> None:
    path = broken / "phrasings" / "en.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "  kindergelt:\n    - how much child money\n", encoding="utf-8")
    (broken / "phrasings" / "tr.yaml").write_text(
        "language: ru\nreviewed: 2026-12-07\nentries:\n  kindergeld: [Çocuk parası]\n",
        encoding="utf-8",
    )
    problems = problems_of(broken)
    line = len(text.splitlines()) + 1
    assert f"{path}:{line}: entries/kindergelt: no such FAQ entry" in problems
    assert f"{broken / 'phrasings' / 'tr.yaml'}:1: language 'ru' in tr.yaml" in problems


def test_every_entry_has_questions_in_each_other_language(kb: KnowledgeBase) -> None:
    assert sorted(kb.other_phrasings) == ["ar", "en", "ru", "tr", "uk"]
    for language, entries in kb.other_phrasings.items():
        assert set(entries) == set(kb.entries), language


def test_missing_field_and_unknown_related_are_reported(broken: Path) -> None:
    path = broken / "faq" / "kindergeld.yaml"
    text = path.read_text(encoding="utf-8").replace("  - kinderzuschlag\n", "  - gibt-es-nicht\n")
    text = text.replace("title: Kindergeld\n", "")
    path.write_text(text, encoding="utf-8")
    problems = problems_of(broken)
    assert any("'title' is a required property" in p and p.startswith(f"{path}:") for p in problems)
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "id: kindergeld\n", "id: kindergeld\ntitle: Kindergeld\n"
        ),
        encoding="utf-8",
    )
    problems = problems_of(broken)
    lines = path.read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "gibt-es-nicht" in text)
    assert f"{path}:{line}: related[0]: no entry with id 'gibt-es-nicht'" in problems


def test_duplicate_ids_and_shared_phrasings_are_reported(broken: Path) -> None:
    source = (broken / "faq" / "kindergeld.yaml").read_text(encoding="utf-8")
    copy = broken / "faq" / "kindergeld-kopie.yaml"
    copy.write_text(source, encoding="utf-8")
    problems = problems_of(broken)
    assert any("already used in" in p for p in problems)
    copy.write_text(source.replace("id: kindergeld", "id: kindergeld-kopie"), encoding="utf-8")
    problems = problems_of(broken)
    assert any(
        "phrasing shared with kindergeld" in p and p.startswith(f"{copy}:") for p in problems
    )


def test_too_long_answer_and_bad_regex_are_reported(broken: Path) -> None:
    path = broken / "faq" / "kindergeld.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "answer: |\n", "answer: |\n  " + "Sehr lang. " * 120 + "\n"
    )
    path.write_text(text, encoding="utf-8")
    crisis = broken / "crisis.yaml"
    crisis.write_text(
        crisis.read_text(encoding="utf-8").replace("'\\b(suizid|", "'\\b((suizid|", 1),
        encoding="utf-8",
    )
    problems = problems_of(broken)
    assert any("answer: " in p and "is too long" in p for p in problems)
    assert any(p.startswith(f"{crisis}:") and "invalid pattern" in p for p in problems)


def test_missing_file_is_reported(broken: Path) -> None:
    (broken / "texts.yaml").unlink()
    assert any("texts.yaml:1: cannot read file" in p for p in problems_of(broken))


def test_commands_are_data_shared_by_telegram_and_console(kb: KnowledgeBase) -> None:
    from bot.events import Event, EventKind
    from bot.frontends.console import event_for

    names = {c.name for c in kb.commands}
    assert {"start", "themen", "hilfe", "datenschutz", "loeschen"} <= names
    assert all(c.description for c in kb.commands)
    assert event_for("/help", [], kb) == Event(EventKind.HELP)
    assert event_for("/THEMEN", [], kb) == Event(EventKind.TOPICS)
    assert event_for("/unbekannt", [], kb) == Event(EventKind.TEXT, "/unbekannt")


def test_a_figure_written_as_digits_is_refused(broken: Path) -> None:
    path = broken / "faq" / "kindergeld.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("{kindergeld} pro Kind", "259 € pro Kind", 1), encoding="utf-8")
    problems = problems_of(broken)
    assert any("must come from the yearly calculator file" in p for p in problems), problems


def test_an_unknown_figure_is_refused(broken: Path) -> None:
    path = broken / "faq" / "kindergeld.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("{kindergeld} pro Kind", "{kindergelt} pro Kind", 1), encoding="utf-8"
    )
    assert any("unknown figure {kindergelt}" in p for p in problems_of(broken))


def test_next_years_figures_are_one_file(broken: Path) -> None:
    from bot.config import Config
    from bot.dialogue.core import Dialogue
    from bot.frontends.checks import validate

    source = (broken / "calculators" / "2026.yaml").read_text(encoding="utf-8")
    later = source.replace("valid_from: 2026-01-01", "valid_from: 2027-01-01").replace(
        "regelbedarf_single: 563", "regelbedarf_single: 570"
    )
    (broken / "calculators" / "2027.yaml").write_text(later, encoding="utf-8")
    kb = validate(broken)
    now = Dialogue(kb, Config(), clock=lambda: date(2026, 6, 1))
    next_year = Dialogue(kb, Config(), clock=lambda: date(2027, 2, 1))
    question = "Mehrbedarf für Alleinerziehende beim Bürgergeld"
    assert "563 €" in now.ask(question).replies[0].text
    answer = next_year.ask(question).replies[0].text
    assert "570 €" in answer
    assert "563 €" not in answer
