"""Pins the corrections from the legal review (November 2026) in the shipped knowledge base.

Each test checks key phrases of one corrected statement (shared/FACTS.md) and that the wrong
statement is gone. They check phrases, not whole sentences, so rewording stays possible.
"""

from __future__ import annotations

import re

from bot.content.knowledge import Entry, Facet, KnowledgeBase

MEN_LINE = "0800 123 99 00"


def _entry_texts(entry: Entry) -> list[str]:
    """Return the answer and every follow-up text of an entry."""
    return [entry.answer, *entry.followups.values()]


def _plan(kb: KnowledgeBase, flow_id: str, node: str = "plan") -> list[str]:
    """Return the section texts of one answer node of a flow."""
    return [section.text for section in kb.flows[flow_id].nodes[node].sections]


def _all_flow_texts(kb: KnowledgeBase) -> list[str]:
    texts = []
    for flow in kb.flows.values():
        for node in flow.nodes.values():
            texts.append(node.text)
            texts.extend(section.text for section in node.sections)
    return texts


def _sentence_with(text: str, needle: str) -> str:
    """Return the sentence (or bullet line) of `text` that contains `needle`."""
    for sentence in re.split(r"(?<=[.!?])\s+|\n", text):
        if needle in sentence:
            return sentence
    raise AssertionError(f"{needle!r} not found")


# 1 – Elterngeld: 14 months alone only under § 4c Abs. 1 BEEG's conditions


def test_elterngeld_14_months_alone_only_under_conditions(kb: KnowledgeBase) -> None:
    entry = kb.entries["elterngeld"]
    assert "also auch die Partnermonate" not in entry.answer
    assert "können Sie alle 14 Monate Basiselterngeld allein nehmen" not in entry.answer
    for text in (entry.answer, entry.followups[Facet.DURATION]):
        assert "14 Monate" in text
        assert "Entlastungsbetrag" in text
        assert "weder mit Ihnen noch mit dem Kind" in text
        assert "Erwerbseinkommen" in text
        assert "12 Monate" in text
        assert "Elterngeldstelle" in text
    assert any("§ 4c" in basis for basis in entry.legal_basis)


# 2 – Namensänderung: no old § 1618 BGB, the reform since 1 May 2025, the Standesamt


def test_namensaenderung_describes_the_2025_reform_without_old_paragraphs(
    kb: KnowledgeBase,
) -> None:
    entry = kb.entries["namensaenderung"]
    for text in _entry_texts(entry):
        assert "§ 1618" not in text
        assert "ab 5 Jahren" not in text
    assert not any("1618" in basis for basis in entry.legal_basis)
    assert not any("1618" in source.url for source in entry.sources)
    assert "§" not in entry.answer  # exact paragraphs are unconfirmed
    assert "1. Mai 2025" in entry.answer
    assert "Doppelnamen" in entry.answer
    assert "Scheidung" in entry.answer
    assert "Standesamt" in entry.answer


# 3 – Kinderkrankentage: no day limit only for a parent admitted as companion


def test_kinderkrankentage_no_limit_only_as_companion_in_hospital(kb: KnowledgeBase) -> None:
    entry = kb.entries["kinderkrankentage"]
    assert "Liegt Ihr Kind im Krankenhaus, gilt keine Begrenzung" not in entry.answer
    for text in (entry.answer, entry.followups[Facet.DURATION]):
        sentence = _sentence_with(text, "Begrenzung der Tage")
        assert "nur" in sentence
        assert "Begleitperson" in sentence
        assert "aufgenommen" in sentence
    assert any("§ 45 Abs. 1a SGB V" in basis for basis in entry.legal_basis)


# 4 – Violence: the men's line is not 24/7, and it is named wherever 116 016 is


def test_gewalt_mens_line_is_not_around_the_clock(kb: KnowledgeBase) -> None:
    answer = kb.entries["gewalt"].answer
    sentence = _sentence_with(answer, MEN_LINE)
    assert "Zeiten auf maennerhilfetelefon.de" in sentence
    assert "rund um die Uhr" not in sentence.replace("nicht rund um die Uhr", "")
    assert "Rat rund um die Uhr" in _sentence_with(answer, "116 016")


def test_every_text_naming_116_016_also_names_the_mens_line(kb: KnowledgeBase) -> None:
    texts = [t for e in kb.entries.values() for t in _entry_texts(e)] + _all_flow_texts(kb)
    naming = [t for t in texts if "116 016" in t]
    assert naming
    for text in naming:
        assert MEN_LINE in text, text
        assert "maennerhilfetelefon.de" in text, text


def test_crisis_reply_lists_the_mens_line_under_fixed_hours(kb: KnowledgeBase) -> None:
    text = kb.crisis.text
    around_the_clock = text.index("Rund um die Uhr")
    fixed_hours = text.index("Zu festen Zeiten")
    assert around_the_clock < fixed_hours < text.index(MEN_LINE)


# 5 – Trennung (FAQ): joint custody only if it existed; Entlastungsbetrag conditions


def test_trennung_faq_custody_and_entlastungsbetrag_conditions(kb: KnowledgeBase) -> None:
    entry = kb.entries["trennung-erste-schritte"]
    assert "Die gemeinsame Sorge bleibt bestehen;" not in entry.answer
    custody = _sentence_with(entry.answer, "gemeinsame Sorge")
    assert "wenn es sie gab" in custody
    assert "Mutter" in custody
    assert "§ 1626a BGB" in custody
    refusal = entry.followups[Facet.REFUSAL]
    assert "Hatten Sie die gemeinsame Sorge" in refusal
    assert "§ 1626a BGB" in refusal
    tax = _sentence_with(entry.answer, "Entlastungsbetrag")
    assert "Kindergeld" in tax
    assert "in der Regel" in tax
    assert "Jahr nach der Trennung" in tax
    assert any("§ 1626a BGB" in basis for basis in entry.legal_basis)


# 6 – Trennung (flow): the paying parent signs the Jugendamtsurkunde


def test_trennung_flow_jugendamtsurkunde_is_signed_by_the_paying_parent(
    kb: KnowledgeBase,
) -> None:
    plan = _plan(kb, "trennung-erste-schritte")
    assert not any("lassen Sie den Betrag kostenlos beim Jugendamt beurkunden" in t for t in plan)
    urkunde = [t for t in plan if "Jugendamtsurkunde" in t]
    assert urkunde
    for text in urkunde:
        assert "zahlende Elternteil" in text
        assert re.search(r"allein können Sie sie nicht|nicht allein", text)
        assert "Beistandschaft" in text
        assert "Familiengericht" in text
        assert "§ 59 SGB VIII" in text


# 7 – Entlastungsbetrag: Kindergeld condition, adult child, the year of separation


def test_entlastungsbetrag_conditions_and_separation_year(kb: KnowledgeBase) -> None:
    entry = kb.entries["steuer-entlastungsbetrag"]
    answer = entry.answer
    assert "Kindergeld oder den Kinderfreibetrag" in answer
    assert "volljähriges Kind" in _sentence_with(answer, "anderer Erwachsener")
    separation = answer[answer.index("Waren Sie verheiratet") :]
    assert "in der Regel" in separation
    assert "Jahr nach der Trennung" in separation
    assert "anteilig" in separation
    assert "Einzelveranlagung" in separation
    assert "Finanzamt" in separation
    basis = " ".join(entry.legal_basis)
    assert "§ 24b Abs. 1 EStG" in basis
    assert "§ 24b Abs. 3 EStG" in basis
    assert "III R 17/20" in basis


# 8 – Umzug: § 1628 BGB for this one move, § 1671 Abs. 1 BGB for the right itself


def test_umzug_separates_1628_and_1671(kb: KnowledgeBase) -> None:
    entry = kb.entries["umzug-mit-kind"]
    assert "wo Ihr Kind lebt (§ 1628 BGB)" not in entry.answer
    for text in (entry.answer, entry.followups[Facet.REFUSAL]):
        assert re.search(r"genau diesen Umzug \(§ 1628 BGB\)", text)
        assert re.search(r"Aufenthaltsbestimmungsrecht[^()]*\(§ 1671 Abs\. 1 BGB\)", text)
    assert any("§ 1671 Abs. 1 BGB" in basis for basis in entry.legal_basis)


# 9 – "Ihren Kindern stehen mindestens zu": only as far as the other parent can pay


def test_minimum_support_is_owed_only_as_far_as_the_other_parent_can_pay(
    kb: KnowledgeBase,
) -> None:
    sections = [
        section
        for flow in kb.flows.values()
        for node in flow.nodes.values()
        for section in node.sections
        if re.search(r"mindestens zu\b", section.text)
    ]
    assert len(sections) >= 4
    for section in sections:
        assert "soweit der andere Elternteil zahlen kann" in section.text, section.text
        assert "§ 1603 BGB" in section.text, section.text
        if section.when.get("verheiratet_neu") is not True:  # no UV after remarriage
            assert "Unterhaltsvorschuss" in section.text, section.text
    other = [t for e in kb.entries.values() for t in _entry_texts(e)]
    other += list(kb.texts.values.values())
    assert not any(re.search(r"Ihren Kindern (stehen )?mindestens zu\b", t) for t in other)


# 10 – Unterhalt bleibt aus (flow): support received is deducted from the UV


def test_unterhaltsvorschuss_is_not_paid_regardless_of_support(kb: KnowledgeBase) -> None:
    plan = _plan(kb, "unterhalt-bleibt-aus")
    assert not any("unabhängig davon, ob der andere" in t for t in plan)
    uv = next(t for t in plan if t.startswith("1. Unterhaltsvorschuss beim Jugendamt beantragen"))
    assert "ausbleibt oder niedriger ist" in uv
    assert "abgezogen" in uv
    assert "§ 2 Abs. 3 UVG" in uv


# 11 – Urlaub im Ausland: § 1687 BGB, everyday matters vs. matters of considerable importance


def test_urlaub_everyday_decisions_belong_to_the_parent_the_child_lives_with(
    kb: KnowledgeBase,
) -> None:
    entry = kb.entries["urlaub-ausland"]
    answer = entry.answer
    assert "dürfen Sie Angelegenheiten des täglichen Lebens allein entscheiden" not in answer
    everyday = _sentence_with(answer, "Alltagsfragen")
    assert "bei dem das Kind lebt" in everyday
    assert "tatsächliche Betreuung" in answer
    assert "§ 1687 BGB" in answer
    journey = _sentence_with(answer, "erheblicher Bedeutung")
    assert "Reise ins Ausland" in journey
    assert "beide Eltern" in _sentence_with(answer, "zustimmen")
    assert "erheblicher Bedeutung" in entry.followups[Facet.REFUSAL]


# 12 – Betreuungsunterhalt: §§ 1570, 1615l Abs. 2, 1361 BGB; need and ability to pay


def test_betreuungsunterhalt_bases_and_limits(kb: KnowledgeBase) -> None:
    entry = kb.entries["betreuungsunterhalt"]
    answer = entry.answer
    for paragraph in ("§ 1570 BGB", "§ 1615l Abs. 2 BGB", "§ 1361 BGB"):
        assert paragraph in answer
        assert any(paragraph in basis for basis in entry.legal_basis)
    assert "mindestens bis zum dritten Geburtstag" in answer
    assert "brauchen" in answer
    assert "zahlen können" in answer
    assert "wenn es dem Kind dient oder keine passende Betreuung da ist" not in answer


# 13 – Ganztag for first-graders: the Land may allow holiday closures of up to 4 weeks


def test_ganztag_holiday_closures(kb: KnowledgeBase) -> None:
    entry = kb.entries["kita-platz"]
    for text in (entry.answer, entry.followups[Facet.DURATION]):
        holidays = _sentence_with(text, "auch in den Ferien")
        assert "Land" in holidays
        assert "bis zu 4 Wochen" in holidays
    assert any("§ 24 Abs. 4 SGB VIII" in basis for basis in entry.legal_basis)


# 14 – Wohnberechtigungsschein: § 27 WoFG and state law, not the Wohngeldgesetz


def test_wohnberechtigungsschein_basis_is_wofg(kb: KnowledgeBase) -> None:
    entry = kb.entries["wohnungssuche"]
    assert "§ 27 WoFG" in entry.answer
    assert "Bundeslandes" in entry.answer
    wbs = [b for b in entry.legal_basis if "Wohnberechtigungsschein" in b or "WBS" in b]
    assert wbs
    assert all("WoFG" in b and "WoGG" not in b for b in wbs)
    assert any("wofg" in source.url for source in entry.sources)


# Further contradictions found while reviewing (reported with the corrections)


def test_scheidung_sole_custody_needs_a_court_decision(kb: KnowledgeBase) -> None:
    answer = kb.entries["scheidung"].answer
    assert "solange niemand etwas anderes beim Familiengericht beantragt" not in answer
    assert "Entscheidung des Familiengerichts (§ 1671 BGB)" in answer


def test_flow_tax_steps_name_the_kindergeld_condition(kb: KnowledgeBase) -> None:
    for flow_id in ("leistungs-check", "trennung-erste-schritte"):
        steps = [t for t in _plan(kb, flow_id) if "Steuerklasse II beim Finanzamt" in t]
        steps += [t for t in _plan(kb, flow_id) if t.startswith("6. Steuerklasse II")]
        assert steps, flow_id
        for text in steps:
            assert "Kindergeld" in text.split("{entlastungsbetrag}")[0], text
    married = [t for t in _plan(kb, "trennung-erste-schritte") if t.startswith("Verheiratet:")]
    assert married
    assert all("Jahr nach der Trennung" in t and "Finanzamt" in t for t in married)
