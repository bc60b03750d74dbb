"""Every figure has one home: the yearly calculator file. Texts name figures by placeholder.

An FAQ answer writes „{kindergeld} pro Kind und Monat" instead of „259 €", so next year's change is
one edit in `knowledge/calculators/<year>.yaml`, and `elternlotse check` refuses an answer that
states an amount or a percentage literally.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal

from bot.flows.calculators import AgeBand, Parameters, euro

FIGURE = re.compile(r"\{([a-z][a-z0-9_]*)\}")
# An amount in euros or a percentage written as digits: what must come from a placeholder.
LITERAL_FIGURE = re.compile(r"\d[\d.]*(?:,\d+)?\s?(?:€|Euro\b|%|Prozent\b)")


def _band_name(prefix: str, band: AgeBand) -> str:
    return f"{prefix}_{band.lowest}_{band.highest}"


def _derived(p: Parameters) -> dict[str, str]:
    """Return the figures the calculator sections define, by placeholder name."""
    half = p.kindergeld / 2
    values = {
        "kindergeld": euro(p.kindergeld),
        "kindergeld_halb": euro(half),
        "bedarf_volljaehrig": euro(p.adult_support),
        # The year the figures hold for: „im Jahr {jahr}" stays true when next year's file comes.
        "jahr": str(p.valid_from.year),
        "uvg_mindesteinkommen": euro(p.uvg_min_gross_income_sgb2),
        "regelbedarf": euro(p.regelbedarf_single),
        "kinderzuschlag": euro(p.kiz_max_per_child),
        "kiz_mindesteinkommen": euro(p.kiz_min_gross_income),
        "entlastung": euro(p.entlastung_first),
        "entlastung_weiteres": euro(p.entlastung_further),
        "kktage_alleinerziehend": str(p.kktage_per_child_single),
        "kktage_max_alleinerziehend": str(p.kktage_max_single),
        "kktage_pro_elternteil": str(p.kktage_per_child_per_parent),
        "kktage_max_pro_elternteil": str(p.kktage_max_per_parent),
    }
    for band in p.mindestunterhalt:
        values[_band_name("mindestunterhalt", band)] = euro(band.amount)
        values[_band_name("zahlbetrag", band)] = euro(band.amount - half)
    for band in p.uvg:
        values[_band_name("uvg", band)] = euro(band.amount)
    for percent in {
        p.mehrbedarf_percent_under_7,
        p.mehrbedarf_percent_per_child,
        p.mehrbedarf_percent_max,
    }:
        values[f"mehrbedarf_{percent}"] = euro(p.regelbedarf_single * Decimal(percent) / 100)
        values[f"mehrbedarf_prozent_{percent}"] = f"{percent} %"
    return values


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
