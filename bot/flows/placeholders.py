"""Placeholders of flow plans: one registry of what each needs and how it renders."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.datafiles.texts import Texts
from bot.flows import calculators as calc
from bot.flows.calculators import Parameters, euro
from bot.flows.children import Child, age_label

Renderer = Callable[[Parameters, Mapping[str, Any], Texts], str]


def _ages(answers: Mapping[str, Any]) -> list[int]:
    return [int(a) for a in answers.get("alter", [])]


def _labelled(answers: Mapping[str, Any]) -> list[tuple[int, str]]:
    """Return each child's age in years with a label for the plan („5 Monate", „4 Jahre")."""
    months = answers.get("alter_monate")
    ages = _ages(answers)
    if not isinstance(months, list) or len(months) != len(ages):
        months = [age * 12 for age in ages]
    return [(age, age_label(Child(int(m)))) for age, m in zip(ages, months, strict=True)]


def _with_basis(texts: Texts, text: str, basis: str) -> str:
    return f"{text} {texts('calc_basis', basis=basis)}"


def _minors(answers: Mapping[str, Any]) -> int:
    return sum(0 <= a < 18 for a in _ages(answers))


def _support(p: Parameters, answers: Mapping[str, Any], texts: Texts) -> str:
    table = _support_amounts(p, answers, texts)
    return f"{table}\n{texts('calc_support_capacity')}"


def _support_amounts(p: Parameters, answers: Mapping[str, Any], texts: Texts) -> str:
    """Return the minimum support per child, without the line on the payer's capacity."""
    lines, minors_total = [], Decimal(0)
    for age, label in _labelled(answers):
        result = calc.child_support(p, age)
        key = "calc_support_adult" if result.adult else "calc_support_line"
        lines.append(texts(key, age=label, minimum=euro(result.minimum), paid=euro(result.paid)))
        if not result.adult:
            minors_total += result.paid
    minors = _minors(answers)
    if minors > 1:
        lines.append(texts("calc_support_total", count=minors, amount=euro(minors_total)))
    return _with_basis(texts, "\n".join(lines), p.legal_basis["mindestunterhalt"])


def _uvg(p: Parameters, answers: Mapping[str, Any], texts: Texts) -> str:
    sgb2 = answers.get("kind_buergergeld")
    lines: list[str] = []
    results: list[calc.UvgResult] = []
    for age, label in _labelled(answers):
        result = calc.unterhaltsvorschuss(
            p,
            age,
            parent_married=answers.get("verheiratet_neu") is True,
            child_gets_sgb2=None if sgb2 == "unklar" else sgb2 == "ja",
            parent_gross_income_over_600=answers.get("einkommen_600"),
        )
        amount = euro(result.amount) if result.amount is not None else ""
        income = euro(p.uvg_min_gross_income_sgb2)
        key = f"calc_uvg_{result.reason.value}"
        lines.append(texts(key, age=label, amount=amount, income=income))
        results.append(result)
    lines.extend(_uvg_total(results, texts))
    return _with_basis(texts, "\n".join(lines), p.legal_basis["unterhaltsvorschuss"])


def _uvg_total(results: list[calc.UvgResult], texts: Texts) -> list[str]:
    """Return the family's total line when two or more children may get Unterhaltsvorschuss."""
    # „eher kein" (sgb2_unlikely) is no amount a parent should add up.
    unlikely = calc.UvgReason.SGB2_UNLIKELY
    paid = [r for r in results if r.amount is not None and r.reason is not unlikely]
    if len(paid) < 2:
        return []
    total = euro(sum((r.amount for r in paid if r.amount is not None), Decimal(0)))
    certain = all(r.eligible is True for r in paid)
    return [texts("calc_uvg_total" if certain else "calc_uvg_total_conditional", amount=total)]


def _mehrbedarf(p: Parameters, answers: Mapping[str, Any], texts: Texts) -> str:
    if not _minors(answers):
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
    # The days were extended year by year (2026: until 31 December only), so the plan says
    # which year its figure belongs to; the next year's file brings the next figure.
    year = p.valid_from.year
    text = texts("calc_kktage", days=days, year=year) if days else texts("calc_kktage_none")
    return _with_basis(texts, text, p.legal_basis["kinderkrankentage"])


def _per_child_key(prefix: str, minors: int, adults: int) -> str:
    """Choose the wording for a per-child amount: one child, several, or only those under 18."""
    if adults:
        return f"{prefix}_minors"
    return f"{prefix}_one" if minors == 1 else prefix


def _kindergeld(p: Parameters, answers: Mapping[str, Any], texts: Texts) -> str:
    minors = _minors(answers)
    adults = len(_ages(answers)) - minors
    each = euro(p.kindergeld)
    parts = []
    if minors:
        key = _per_child_key("calc_kindergeld", minors, adults)
        total = euro(calc.kindergeld_total(p, _ages(answers)))
        parts.append(texts(key, each=each, count=minors, amount=total))
    if adults:
        parts.append(texts("calc_kindergeld_adult", each=each))
    return _with_basis(texts, " ".join(parts), p.legal_basis["kindergeld"])


def _entlastung(p: Parameters, answers: Mapping[str, Any], texts: Texts) -> str:
    # An adult child counts only while Kindergeld is paid for it (§ 24b EStG), which the flows
    # do not ask: the amount counts the minors, and the adults only where there are no minors.
    minors = _minors(answers)
    counted = minors or len(_ages(answers))
    text = texts(
        "calc_entlastung",
        amount=euro(calc.entlastungsbetrag(p, counted)),
        first=euro(p.entlastung_first),
        further=euro(p.entlastung_further),
    )
    if len(_ages(answers)) > minors:
        text += " " + texts("calc_entlastung_adult")
    return _with_basis(texts, text, p.legal_basis["entlastungsbetrag"])


def _kiz(p: Parameters, answers: Mapping[str, Any], texts: Texts) -> str:
    minors = _minors(answers)
    if not minors:
        return texts("calc_kiz_none")
    adults = len(_ages(answers)) - minors
    text = texts(
        _per_child_key("calc_kiz", minors, adults),
        each=euro(p.kiz_max_per_child),
        count=minors,
        amount=euro(p.kiz_max_per_child * minors),
        income=euro(p.kiz_min_gross_income),
    )
    if adults:
        text += " " + texts("calc_kiz_none")
    return _with_basis(texts, text, p.legal_basis["kinderzuschlag"])


@dataclass(frozen=True)
class Placeholder:
    """A placeholder a plan section may embed: the answers it needs and how it renders."""

    needs: frozenset[str]
    render: Renderer


_AGES = frozenset({"alter"})
# The loader checks that every placeholder a flow uses is here and that every path collects
# what it needs; the engine renders it. Adding one is one line here plus its text keys. A name
# here must differ from every plain figure of the calculator files (`elternlotse check` refuses a
# collision): the calculation answers for the whole family, the figure for one child.
PLACEHOLDERS: Mapping[str, Placeholder] = {
    "unterhalt_tabelle": Placeholder(_AGES, _support),
    # For a plan whose own sentence already says „soweit der andere Elternteil zahlen kann"
    # (newcomer D29: said once, not twice).
    "unterhalt_betraege": Placeholder(_AGES, _support_amounts),
    "uvg_tabelle": Placeholder(_AGES, _uvg),
    "mehrbedarf": Placeholder(_AGES, _mehrbedarf),
    "kinderkrankentage": Placeholder(_AGES, _kktage),
    "kindergeld_familie": Placeholder(_AGES, _kindergeld),
    "entlastungsbetrag": Placeholder(_AGES, _entlastung),
    "kinderzuschlag_familie": Placeholder(_AGES, _kiz),
}
