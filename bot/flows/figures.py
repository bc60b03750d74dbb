"""Every figure has one home: the yearly calculator file. Texts name figures by placeholder.

An FAQ answer writes „{kindergeld} pro Kind und Monat" instead of „259 €", so next year's change is
one edit in `knowledge/calculators/<year>.yaml`, and `elternlotse check` refuses an answer that
states an amount or a percentage literally.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal

from bot.flows.calculators import AgeBand, Parameters, euro, to_cents

FIGURE = re.compile(r"\{([a-z][a-z0-9_]*)\}")
# An amount in euros or a percentage written as digits: what must come from a placeholder.
LITERAL_FIGURE = re.compile(r"\d[\d.]*(?:,\d+)?\s?(?:€|Euro\b|%|Prozent\b)")


def _band_name(prefix: str, band: AgeBand) -> str:
    return f"{prefix}_{band.lowest}_{band.highest}"


def _derived_euros(p: Parameters) -> dict[str, Decimal]:
    """Return the amounts in euros the calculator sections define, by placeholder name."""
    half = p.kindergeld / 2
    amounts = {
        "kindergeld": p.kindergeld,
        "kindergeld_halb": half,
        "bedarf_volljaehrig": p.adult_support,
        "uvg_mindesteinkommen": p.uvg_min_gross_income_sgb2,
        "regelbedarf": p.regelbedarf_single,
        "kinderzuschlag": p.kiz_max_per_child,
        "kiz_mindesteinkommen": p.kiz_min_gross_income,
        "entlastung": p.entlastung_first,
        "entlastung_weiteres": p.entlastung_further,
    }
    for band in p.mindestunterhalt:
        amounts[_band_name("mindestunterhalt", band)] = band.amount
        amounts[_band_name("zahlbetrag", band)] = band.amount - half
    for band in p.uvg:
        amounts[_band_name("uvg", band)] = band.amount
    for percent in _mehrbedarf_percents(p):
        amounts[f"mehrbedarf_{percent}"] = p.regelbedarf_single * Decimal(percent) / 100
    return amounts


def _mehrbedarf_percents(p: Parameters) -> set[int]:
    return {p.mehrbedarf_percent_under_7, p.mehrbedarf_percent_per_child, p.mehrbedarf_percent_max}


def _derived(p: Parameters) -> dict[str, str]:
    """Return the figures the calculator sections define, by placeholder name."""
    values = {name: euro(amount) for name, amount in _derived_euros(p).items()}
    values |= {
        # The year the figures hold for: „im Jahr {jahr}" stays true when next year's file comes.
        "jahr": str(p.valid_from.year),
        "kktage_alleinerziehend": str(p.kktage_per_child_single),
        "kktage_max_alleinerziehend": str(p.kktage_max_single),
        "kktage_pro_elternteil": str(p.kktage_per_child_per_parent),
        "kktage_max_pro_elternteil": str(p.kktage_max_per_parent),
    }
    for percent in _mehrbedarf_percents(p):
        values[f"mehrbedarf_prozent_{percent}"] = f"{percent} %"
    return values


def figure_amounts(p: Parameters) -> dict[str, Decimal]:
    """Return a year's figures that are amounts in euros, by placeholder name.

    Rounded to cents as they are shown, so a range bound is exactly the amount its label names.
    """
    amounts = _derived_euros(p) | p.figure_euros  # a named figure wins, as in `figure_values`
    return {name: to_cents(amount) for name, amount in amounts.items()}


def shadowed_figures(p: Parameters) -> list[str]:
    """Return the named figures of a year that would silently replace a derived one."""
    return sorted(set(p.figures) & set(_derived(p)))


def figure_values(p: Parameters) -> dict[str, str]:
    """Return every figure placeholder of a year, formatted the German way."""
    values = _derived(p)
    for name, figure in p.figures.items():
        values[name] = figure
    return values


def fill(text: str, values: Mapping[str, str]) -> str:
    """Put the figures into a text; unknown names stay (the checker reports them)."""
    return FIGURE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def figure_names(years: Iterable[Parameters]) -> frozenset[str]:
    """Return the figure placeholders every yearly file defines (a text may use only those)."""
    names = [frozenset(figure_values(p)) for p in years]
    return frozenset.intersection(*names) if names else frozenset()
