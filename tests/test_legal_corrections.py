"""Pins the corrections from the legal review (November 2026) in the shipped knowledge base.

Each test checks key phrases of one corrected statement (shared/FACTS.md) and that the wrong
statement is gone. They check phrases, not whole sentences, so rewording stays possible.
"""

from __future__ import annotations

import re
from datetime import date

from bot.content.knowledge import Entry, Facet, KnowledgeBase
from bot.flows.figures import figure_values, fill

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
        # Not "nur": § 45 Abs. 4 SGB V (palliative care) is a second case (review Dec 2026, #2).
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
        # No UV after remarriage, and none for adult children (legal review Dec 2026, #1).
        if section.when.get("verheiratet_neu") is not True and section.when.get(
            "hat_minderjaehrige"
        ) is not False:
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


# Legal review December 2026: the FAQ findings. These tests read what a parent sees: the answer
# and every follow-up with the figures of the review day filled in.

REVIEW_DAY = date(2026, 12, 7)
KKT_PLACEHOLDERS = (
    "{kktage_pro_elternteil}",
    "{kktage_alleinerziehend}",
    "{kktage_max_pro_elternteil}",
    "{kktage_max_alleinerziehend}",
)


def _figures_on_review_day(kb: KnowledgeBase) -> dict[str, str]:
    """Return the figures valid on the review day, by placeholder name."""
    valid = [p for p in kb.calculators if p.valid_from <= REVIEW_DAY]
    return figure_values(max(valid, key=lambda p: p.valid_from))


def _shown(kb: KnowledgeBase, entry_id: str, facet: Facet | None = None) -> str:
    """Return the answer (or one follow-up) of an entry as a parent reads it."""
    entry = kb.entries[entry_id]
    text = entry.answer if facet is None else entry.followups[facet]
    return fill(text, _figures_on_review_day(kb))


def _all_shown(kb: KnowledgeBase, entry_id: str) -> list[str]:
    """Return the answer and every follow-up of an entry as a parent reads them."""
    values = _figures_on_review_day(kb)
    return [fill(text, values) for text in _entry_texts(kb.entries[entry_id])]


# A sentence ends at . ! ? before white space, but not after an ordinal or an abbreviation
# ("1. Januar", "18. Geburtstag", "Abs. 4"), which the older `_sentence_with` splits on.
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\d\.)(?<!Abs\.)(?<!Nr\.)(?<!bzw\.)(?<!ff\.)\s+|\n")


def _sentence(text: str, needle: str) -> str:
    """Return the sentence of `text` that contains `needle`."""
    for sentence in _SENTENCE_END.split(text):
        if needle in sentence:
            return sentence
    raise AssertionError(f"{needle!r} not found in {text!r}")


def _basis(kb: KnowledgeBase, entry_id: str) -> str:
    """Return the legal bases an entry names, as one line."""
    return " ".join(kb.entries[entry_id].legal_basis)


def _figure(kb: KnowledgeBase, name: str) -> str:
    """Return one figure as it is printed, e.g. "40 %" or "1.750 €"."""
    return _figures_on_review_day(kb)[name]


# Legal review December 2026 – #2 Kinderkrankengeld without a day limit also in palliative care


def test_kinderkrankengeld_unlimited_also_for_a_child_in_palliative_care(kb: KnowledgeBase) -> None:
    for facet in (None, Facet.DURATION):
        text = _shown(kb, "kinderkrankentage", facet)
        sentence = _sentence(text, "Ohne Begrenzung der Tage")
        assert "gibt es Kinderkrankengeld nur" not in sentence
        assert "Begleitperson" in sentence
        assert "palliativ" in sentence.lower()
        assert "Elternteil" in sentence
    assert "§ 45 Abs. 4 SGB V" in _basis(kb, "kinderkrankentage")


# Legal review December 2026 – #4 Kindergeld back for at most 6 months (§ 66 Abs. 3 EStG)


def test_kindergeld_back_pay_is_at_most_six_months(kb: KnowledgeBase) -> None:
    answer = _shown(kb, "kindergeld-nachzahlung")
    assert "höchstens für die letzten 6 Monate" in answer
    assert "§ 66 Abs. 3 EStG" in answer
    assert "vom anderen Elternteil selbst zurückfordern" in answer
    assert "6 Monate" in _shown(kb, "kindergeld-nachzahlung", Facet.DURATION)
    assert "6 Monate" in _shown(kb, "kindergeld-nachzahlung", Facet.REFUSAL)
    for text in _all_shown(kb, "kindergeld-nachzahlung"):
        assert "Wie viele Monate das sind, sagt Ihnen die Familienkasse" not in text
        assert "begrenzten Zeitraum" not in text
        assert "ob sie zu viel Gezahltes" not in text


# Legal review December 2026 – #5 Unterhaltsvorschuss: report changes, repay support received


def test_unterhaltsvorschuss_names_the_duty_to_report_and_repay(kb: KnowledgeBase) -> None:
    answer = _shown(kb, "unterhaltsvorschuss")
    paragraph = answer[answer.index("Das Geld holt sich das Land") :]
    assert "melden Sie das sofort" in paragraph
    assert "zahlen Sie so viel Vorschuss zurück" in paragraph
    assert "§§ 5, 6 UVG" in paragraph
    basis = _basis(kb, "unterhaltsvorschuss")
    assert "§ 5 UVG" in basis
    assert "§ 6 UVG" in basis


# Legal review December 2026 – #6 No UV from about 40 % co-care; Mehrbedarf split in a Wechselmodell


def test_no_uv_with_substantial_co_care_and_split_mehrbedarf(kb: KnowledgeBase) -> None:
    share = f"etwa {_figure(kb, 'uv_mitbetreuung_prozent')} oder mehr"
    uv = _shown(kb, "unterhaltsvorschuss")
    assert share in _sentence(uv, "Er entfällt")
    assert "Wechselmodell" in _sentence(uv, "Er entfällt")
    for entry_id in ("wechselmodell", "unterhalt-wechselmodell"):
        answer = _shown(kb, entry_id)
        assert "keinen Unterhaltsvorschuss" in _sentence(answer, share)
        assert "geteilt" in _sentence(answer, "Mehrbedarf für Alleinerziehende")
    answer = _shown(kb, "unterhalt-wechselmodell")
    assert "Mehr Umgang allein ist noch kein Wechselmodell" in answer


# Legal review December 2026 – #7 No Kita fees with Bürgergeld, KiZ, Wohngeld (§ 90 Abs. 4 SGB VIII)


def test_kita_fees_are_waived_for_families_on_benefits(kb: KnowledgeBase) -> None:
    amount = _shown(kb, "kita-platz", Facet.AMOUNT)
    assert not amount.startswith("Was ein Kita-Platz kostet, regeln Ihre Stadt")
    for text in (_shown(kb, "kita-platz"), amount):
        sentence = _sentence(text, "keine Kita-Gebühren")
        for benefit in ("Bürgergeld", "Kinderzuschlag", "Wohngeld", "Asylbewerberleistungen"):
            assert benefit in sentence
        assert "§ 90 Abs. 4 SGB VIII" in sentence
    for entry_id in ("kinderzuschlag", "wohngeld"):
        assert "keine Kita-Gebühren" in _shown(kb, entry_id)


# Legal review December 2026 – #8 The 8 hours of Ganztag include lesson time


def test_ganztag_hours_include_lesson_time(kb: KnowledgeBase) -> None:
    for facet in (None, Facet.DURATION):
        sentence = _sentence(_shown(kb, "kita-platz", facet), "auch in den Ferien")
        assert "8 Stunden täglich einschließlich der Unterrichtszeit" in sentence


# Legal review December 2026 – #9 Grundsicherungsgeld: no open "ob … gilt" in December 2026


def test_grundsicherungsgeld_is_not_presented_as_an_open_question(kb: KnowledgeBase) -> None:
    for entry_id in ("buergergeld-mehrbedarf", "buergergeld-hinzuverdienst"):
        for text in _all_shown(kb, entry_id):
            assert "wie geplant gilt" not in text
            assert "ob sich mit dem Grundsicherungsgeld etwas ändert" not in text
    answer = _shown(kb, "buergergeld-mehrbedarf")
    reform = _sentence(answer, "Grundsicherungsgeld“")
    assert "5. März 2026" in reform
    assert "ab 1. Juli 2026 schrittweise" in reform
    assert "Sätze bleiben gleich" in reform
    office = _shown(kb, "buergergeld-mehrbedarf", Facet.OFFICE)
    assert "Welche Regeln des Grundsicherungsgelds" in office


# Legal review December 2026 – #10 "Muss ich arbeiten gehen …" answered, the new age not settled


def test_work_with_a_small_child_is_answered_without_settling_the_new_age(
    kb: KnowledgeBase,
) -> None:
    entry = kb.entries["buergergeld-mehrbedarf"]
    assert any("Muss ich arbeiten gehen" in q for q in entry.questions)
    answer = _shown(kb, "buergergeld-mehrbedarf")
    work = answer[answer.index("Arbeiten mit kleinem Kind") : answer.index("Nächster Schritt")]
    assert "Bisher" in work
    assert "unter 3 Jahren" in work
    assert "§ 10 SGB II" in work
    assert "nicht bestätigt" in work
    assert "Jobcenter" in work
    assert not re.search(r"\b(ab|unter) (1|einem) Jahr\b|1\. Geburtstag", work)


# Legal review December 2026 – #11 Paternity: support can be claimed back to birth


def test_paternity_support_is_owed_back_to_birth(kb: KnowledgeBase) -> None:
    answer = _shown(kb, "vaterschaft")
    assert "Erst dann bestehen Unterhaltspflicht und Erbrecht" not in answer
    assert "geltend machen" in _sentence(answer, "Erst dann")
    assert "seit der Geburt nachgefordert" in answer
    assert "Unterhaltsvorschuss" in answer
    assert "seit der Geburt" in _shown(kb, "vaterschaft", Facet.REFUSAL)
    basis = _basis(kb, "vaterschaft")
    assert "§ 1613 Abs. 2 Nr. 2 a BGB" in basis
    assert "§ 1 Abs. 3 UVG" in basis


# Legal review December 2026 – #13 UV 12–17 with SGB II: the parent's income, not only wages


def test_uv_income_threshold_means_income_without_kindergeld(kb: KnowledgeBase) -> None:
    threshold = f"{_figure(kb, 'uvg_mindesteinkommen')} brutto"
    texts = [
        _shown(kb, "unterhaltsvorschuss"),
        _shown(kb, "buergergeld-hinzuverdienst"),
        _shown(kb, "buergergeld-hinzuverdienst", Facet.AMOUNT),
    ]
    for text in texts:
        assert "verdienen trotz Bürgergeld" not in text
        sentence = _sentence(text, threshold)
        assert "Einkommen" in sentence
        assert "nicht nur Lohn" in sentence
        assert "ohne Kindergeld" in sentence


# Legal review December 2026 – #14 Divorce against the other's will after the year of separation


def test_divorce_against_the_spouses_will_need_not_wait_three_years(kb: KnowledgeBase) -> None:
    answer = _shown(kb, "scheidung")
    sentence = _sentence(answer, "Schon nach dem Trennungsjahr")
    assert "gescheitert" in sentence
    assert "nicht drei Jahre warten" in answer
    assert "auch wenn der andere nicht zustimmt (§ 1566 BGB)" not in answer


# Legal review December 2026 – #15 Elterngeld: § 4c Nr. 2 and 3, Partnerschaftsbonus, 3 months back


def test_elterngeld_further_grounds_bonus_and_three_months_back(kb: KnowledgeBase) -> None:
    for facet in (None, Facet.DURATION):
        text = _shown(kb, "elterngeld", facet)
        assert "nach unserem Stand nur" not in text
        grounds = _sentence(text, "Alle 14 Monate")
        assert "gefährden" in grounds
        assert "unmöglich" in grounds
        assert "Partnerschaftsbonus können Sie auch allein nehmen" in text
        assert "3 Monate vor dem Antragsmonat" in text
    assert "3 Monate" in _shown(kb, "elterngeld", Facet.APPLY)
    assert "§ 7 Abs. 1 BEEG" in _basis(kb, "elterngeld")


# Legal review December 2026 – #16 Wohngeld with Bürgergeld: as a rule no, but the child's own


def test_wohngeld_with_buergergeld_as_a_rule_not_but_maybe_for_the_child(
    kb: KnowledgeBase,
) -> None:
    answer = _shown(kb, "wohngeld")
    assert "Wer Bürgergeld (bzw. Grundsicherungsgeld) bekommt, erhält kein Wohngeld" not in answer
    assert "in der Regel kein Wohngeld" in answer
    assert "Ihr Kind unter Umständen selbst Wohngeld" in answer
    assert "in der Regel kein Wohngeld" in _shown(kb, "wohngeld", Facet.APPLY)
    search = _shown(kb, "wohnungssuche")
    assert "nicht mit Bürgergeld (Grundsicherungsgeld)." not in search
    assert "in der Regel nicht" in search
    assert "Ihr Kind selbst Wohngeld" in search


# Legal review December 2026 – #17 Support for the past only from a request (§ 1613 BGB); the
# request need not be written (FACTS.md), writing it down is the advice that makes it provable


def test_support_entries_ask_for_a_request_now(kb: KnowledgeBase) -> None:
    for entry_id in ("unterhalt-hoehe", "unterhalt-bleibt-aus"):
        answer = _shown(kb, entry_id)
        sentence = _sentence(answer, "die Vergangenheit")
        assert "auffordern" in sentence
        assert "schriftlich" not in sentence  # not a condition of § 1613 BGB
        assert "§ 1613 Abs. 1 BGB" in sentence
        next_step = answer[answer.index("Nächster Schritt") :]
        assert "Aufforderung" in next_step
        assert "Kopie" in next_step
    assert "§ 1613 Abs. 1 BGB" in _shown(kb, "unterhalt-hoehe", Facet.APPLY)


# Legal review December 2026 – #18 Adult children: need, Selbstbehalt, title stays after 18


def test_adult_support_names_need_selbstbehalt_and_title(kb: KnowledgeBase) -> None:
    need = _figure(kb, "bedarf_volljaehrig")
    keep = _figure(kb, "selbstbehalt_volljaehrig")
    assert need == "698 €"
    assert keep == "1.750 €"
    answer = _shown(kb, "unterhalt-volljaehrig")
    assert "Den Betrag für Volljährige nennt die Düsseldorfer Tabelle" not in answer
    assert need in _sentence(answer, "Bedarf")
    assert "volle Kindergeld" in _sentence(answer, "Bedarf")
    assert keep in _sentence(answer, "Selbstbehalt")
    assert "§ 244 FamFG" in _sentence(answer, "Unterhaltstitel")
    amount = _shown(kb, "unterhalt-volljaehrig", Facet.AMOUNT)
    assert need in amount
    assert keep in amount
    assert "anteilig" in amount
    refusal = _shown(kb, "unterhalt-volljaehrig", Facet.REFUSAL)
    assert "§ 244 FamFG" in refusal
    assert "gepfändet" in refusal


# Legal review December 2026 – #20 "Muss ich das Jugendamt in meine Wohnung lassen?" is answered


def test_jugendamt_home_visit_question_is_answered(kb: KnowledgeBase) -> None:
    assert (
        "Muss ich das Jugendamt in meine Wohnung lassen?" in kb.entries["jugendamt-angst"].questions
    )
    answer = _shown(kb, "jugendamt-angst")
    home = _sentence(answer, "In Ihre Wohnung lassen")
    assert "ohne Gerichtsbeschluss nicht" in home
    assert "§ 8a SGB VIII" in answer
    assert "Einschätzung" in _sentence(answer, "Ablehnung")
    assert "Vertrauensperson" in answer
    basis = _basis(kb, "jugendamt-angst")
    assert "Art. 13 GG" in basis
    assert "§ 8a SGB VIII" in basis


# Legal review December 2026 – #21 Kinderzuschlag: Kita fees waived, apply without delay


def test_kinderzuschlag_names_kita_fees_and_no_months_before_the_application(
    kb: KnowledgeBase,
) -> None:
    answer = _shown(kb, "kinderzuschlag")
    assert "keine Kita-Gebühren" in answer
    for text in (answer, _shown(kb, "kinderzuschlag", Facet.DURATION)):
        sentence = _sentence(text, "Für Monate vor dem Antrag")
        assert "nach unserem Stand" in sentence
        assert "Familienkasse" in text


# Legal review December 2026 – #22 Kinderkrankentage by placeholder, valid only until 31 Dec 2026


def test_kinderkrankentage_come_from_the_yearly_file_in_every_text(kb: KnowledgeBase) -> None:
    values = _figures_on_review_day(kb)
    for entry in kb.entries.values():
        for raw in _entry_texts(entry):
            if "Kinderkrankentage" in raw or "Arbeitstage" in raw:
                assert not re.search(r"\b(15|30|35|70)\b", raw), entry.id
    naming = [
        (entry.id, raw)
        for entry in kb.entries.values()
        for raw in _entry_texts(entry)
        if any(p in raw for p in KKT_PLACEHOLDERS)
    ]
    assert {entry_id for entry_id, _ in naming} >= {
        "kinderkrankentage",
        "arbeit-teilzeit",
        "krankes-kind-nachts",
        "notfall-betreuung",
    }
    for entry_id, raw in naming:
        shown = fill(raw, values)
        assert "{" not in shown, entry_id
        assert "im jahr 2026" in shown.lower(), entry_id
        assert "Krankenkasse" in _sentence(shown, "nächste Jahr"), entry_id
    answer = _shown(kb, "kinderkrankentage")
    assert f"Alleinerziehende {values['kktage_alleinerziehend']}" in answer
    assert "Im Jahr 2026" in answer  # from the yearly file: a 2027 file says 2027


# Legal review December 2026 – #23 Reform of the Wechselmodell: no "Stand November 2026" claim


def test_wechselmodell_reform_is_stated_as_our_state_only(kb: KnowledgeBase) -> None:
    for entry_id in ("wechselmodell", "unterhalt-wechselmodell"):
        for text in _all_shown(kb, entry_id):
            assert "Stand November 2026" not in text
    reform = _sentence(_shown(kb, "unterhalt-wechselmodell"), "Reform")
    assert "nach unserem Stand" in reform


# Legal review December 2026 – #24 Verfahrenskostenhilfe: § 76 FamFG and § 113 FamFG with the ZPO


def test_verfahrenskostenhilfe_bases_cover_support_and_divorce(kb: KnowledgeBase) -> None:
    basis = kb.entries["rechtsberatung-kosten"].legal_basis
    assert "§ 76 FamFG (Verfahrenskostenhilfe)" not in basis
    assert any("§ 76 FamFG" in b and "Sorge" in b for b in basis)
    assert any("§ 113 Abs. 1 FamFG" in b and "ZPO" in b and "Unterhalt" in b for b in basis)


# Legal review December 2026 – #25 Passports: Kinderreisepass abolished, § 6 PassG, § 9 PAuswG


def test_kinderreisepass_is_abolished_and_passport_law_is_cited(kb: KnowledgeBase) -> None:
    answer = _shown(kb, "kinderausweis-reisepass")
    sentence = _sentence(answer, "Kinderreisepass")
    assert "seit 1. Januar 2024 nicht mehr" in sentence
    assert "Ablauf" in sentence
    basis = _basis(kb, "kinderausweis-reisepass")
    assert "§ 6 PassG" in basis
    assert "§ 9 PAuswG" in basis


# Legal review December 2026 – #26 Bildung und Teilhabe: what needs its own application


def test_bildung_und_teilhabe_says_which_application_is_needed(kb: KnowledgeBase) -> None:
    answer = _shown(kb, "bildung-teilhabe")
    buergergeld = _sentence(answer, "Bürgergeld-Antrag")
    assert "Lernförderung beantragen Sie eigens" in buergergeld
    assert "Schulbedarf zahlt das Jobcenter von selbst" in buergergeld
    assert "eigenen Antrag" in _sentence(answer, "Mit Kinderzuschlag oder Wohngeld")
    assert "Lernförderung beantragen Sie eigens" in _shown(kb, "bildung-teilhabe", Facet.APPLY)


# Legal review December 2026 – #27 Contact in acute danger: urgent court order; Ordnungsgeld risk


def test_umgang_in_acute_danger_names_the_urgent_court_order(kb: KnowledgeBase) -> None:
    answer = _shown(kb, "umgang-verweigern")
    danger = _sentence(answer, "In akuter Gefahr")
    assert "110" in danger
    assert "Ihr Kind nicht heraus" in danger
    assert "Familiengericht eine Eilentscheidung" in danger
    assert "Jugendamt" in danger
    own = _sentence(answer, "nicht eigenmächtig aus")
    assert "Ordnungsgeld" in own
    basis = _basis(kb, "umgang-verweigern")
    assert "§ 89 FamFG" in basis
    assert "§§ 49 ff. FamFG" in basis


# Legal review December 2026 – #28 P-Konto: the rule and where to ask, no expired amount


def test_p_konto_gives_the_rule_without_an_expired_amount(kb: KnowledgeBase) -> None:
    answer = _shown(kb, "schulden")
    for text in _all_shown(kb, "schulden"):
        assert not re.search(r"\d[\d.]*(?:,\d+)?\s?€", text)
        assert "1.555" not in text
        assert "1.560" not in text
    assert "Bank oder die Schuldnerberatung" in _sentence(answer, "aktuelle Höhe")
    basis = _basis(kb, "schulden")
    for paragraph in ("§ 850k ZPO", "§ 899 ZPO", "§ 903 ZPO"):
        assert paragraph in basis


# Legal review December 2026 – #29 Poisoning at night: 112 first, then the Giftnotruf of the region


def test_poisoning_calls_112_first_then_the_regional_giftnotruf(kb: KnowledgeBase) -> None:
    facts_examples = {"030 19240", "0228 19240", "06131 19240"}
    for facet in (None, Facet.OFFICE):
        text = _shown(kb, "krankes-kind-nachts", facet)
        poisoning = _sentence(text, "Vergiftung")
        assert "zuerst 112" in poisoning
        assert poisoning.index("112") < poisoning.index("Giftnotruf Ihrer Region")
        assert "rund um die Uhr" in poisoning
    # FACTS.md marks the regional numbers unconfirmed per centre: none is printed.
    for text in _all_shown(kb, "krankes-kind-nachts"):
        assert not set(re.findall(r"\d{3,5} 19240", text)) & facts_examples
