"""Amount calculators: pure functions over dated yearly parameters from `knowledge/calculators/`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from bot.datafiles.yamlsource import Problem, ProblemsError, load_yaml


@dataclass(frozen=True)
class AgeBand:
    """An amount that applies from one age to another (inclusive)."""

    lowest: int
    highest: int
    amount: Decimal


@dataclass(frozen=True)
class Parameters:
    """One year's figures, all from shared/FACTS.md."""

    valid_from: date
    reviewed: date
    kindergeld: Decimal
    mindestunterhalt: tuple[AgeBand, ...]
    adult_support: Decimal  # need of an adult child living with a parent (both parents pay)
    uvg: tuple[AgeBand, ...]
    uvg_min_gross_income_sgb2: Decimal
    regelbedarf_single: Decimal
    mehrbedarf_percent_under_7: int
    mehrbedarf_percent_two_three_under_16: int
    mehrbedarf_percent_per_child: int
    mehrbedarf_percent_max: int
    kktage_per_child_single: int
    kktage_max_single: int
    kktage_max_child_age: int
    kktage_per_child_per_parent: int
    kktage_max_per_parent: int
    kiz_max_per_child: Decimal
    kiz_min_gross_income: Decimal
    entlastung_first: Decimal
    entlastung_further: Decimal
    legal_basis: dict[str, str]
    figures: dict[str, str] = field(default_factory=dict)  # further named figures, formatted
    figure_euros: dict[str, Decimal] = field(default_factory=dict)  # those in euros, as numbers

    @property
    def stand(self) -> str:
        """Return the "Stand" line shown under every result."""
        return f"Stand: {self.reviewed:%d.%m.%Y}, Werte ab {self.valid_from:%d.%m.%Y}"


def _bands(raw: list[dict[str, Any]]) -> tuple[AgeBand, ...]:
    return tuple(AgeBand(int(b["from"]), int(b["to"]), Decimal(str(b["amount"]))) for b in raw)


def parse_parameters(raw: dict[str, Any]) -> Parameters:
    """Build parameters from one yearly file's content (already schema-checked)."""
    mu, uv, mb, kk = (
        raw["mindestunterhalt"],
        raw["unterhaltsvorschuss"],
        raw["mehrbedarf"],
        raw["kinderkrankentage"],
    )
    kiz, eb = raw["kinderzuschlag"], raw["entlastungsbetrag"]
    return Parameters(
        valid_from=date.fromisoformat(str(raw["valid_from"])),
        reviewed=date.fromisoformat(str(raw["reviewed"])),
        kindergeld=Decimal(str(raw["kindergeld"]["monthly_per_child"])),
        mindestunterhalt=_bands(mu["by_age"]),
        adult_support=Decimal(str(mu["adult_living_with_parent"])),
        uvg=_bands(uv["by_age"]),
        uvg_min_gross_income_sgb2=Decimal(str(uv["min_gross_income_sgb2"])),
        regelbedarf_single=Decimal(str(mb["regelbedarf_single"])),
        mehrbedarf_percent_under_7=int(mb["percent_one_child_under_7"]),
        mehrbedarf_percent_two_three_under_16=int(mb["percent_two_or_three_under_16"]),
        mehrbedarf_percent_per_child=int(mb["percent_per_child"]),
        mehrbedarf_percent_max=int(mb["percent_max"]),
        kktage_per_child_single=int(kk["days_per_child_single"]),
        kktage_max_single=int(kk["days_max_single"]),
        kktage_max_child_age=int(kk["max_child_age"]),
        kktage_per_child_per_parent=int(kk["days_per_child_per_parent"]),
        kktage_max_per_parent=int(kk["days_max_per_parent"]),
        kiz_max_per_child=Decimal(str(kiz["max_monthly_per_child"])),
        kiz_min_gross_income=Decimal(str(kiz["min_gross_income_single"])),
        entlastung_first=Decimal(str(eb["yearly_first_child"])),
        entlastung_further=Decimal(str(eb["yearly_per_further_child"])),
        figures={name: _format(f) for name, f in dict(raw.get("figures") or {}).items()},
        figure_euros={
            name: Decimal(str(f["amount"]))
            for name, f in dict(raw.get("figures") or {}).items()
            if f.get("unit", "eur") == "eur"
        },
        legal_basis={
            name: str(raw[name]["legal_basis"])
            for name in (
                "kindergeld",
                "mindestunterhalt",
                "unterhaltsvorschuss",
                "mehrbedarf",
                "kinderkrankentage",
                "kinderzuschlag",
                "entlastungsbetrag",
            )
        },
    )


def _format(figure: dict[str, Any]) -> str:
    """Format a named figure by its unit: euros, percent, or a plain number (days, months)."""
    amount = Decimal(str(figure["amount"]))
    unit = figure.get("unit", "eur")
    if unit == "eur":
        return euro(amount)
    number = f"{amount:,}".replace(",", ".") if amount == amount.to_integral() else str(amount)
    return f"{number} %" if unit == "percent" else number


def load_parameters(directory: Path, today: date) -> Parameters:
    """Load the newest yearly file whose `valid_from` is not after `today`.

    Raises:
        ProblemsError: No file applies, or a file is broken.

    """
    candidates = []
    for path in sorted(directory.glob("*.yaml")):
        raw = load_yaml(path)
        params = parse_parameters(raw)
        if params.valid_from <= today:
            candidates.append(params)
    if not candidates:
        raise ProblemsError([Problem(directory, 1, f"no calculator figures valid on {today}")])
    return max(candidates, key=lambda p: p.valid_from)


def to_cents(amount: Decimal) -> Decimal:
    """Round an amount to whole cents, as every amount is shown."""
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def euro(amount: Decimal) -> str:
    """Format an amount the German way: 356,50 € or 259 €."""
    whole, cents = f"{to_cents(amount):,.2f}".split(".")
    whole = whole.replace(",", ".")
    return f"{whole} €" if cents == "00" else f"{whole},{cents} €"


def _band(bands: tuple[AgeBand, ...], age: int) -> AgeBand | None:
    return next((b for b in bands if b.lowest <= age <= b.highest), None)


@dataclass(frozen=True)
class ChildSupport:
    """Minimum child support for one child: table amount and the amount actually paid.

    Attributes:
        age: The child's age in years.
        minimum: The table amount (for an adult child: the need of income group 1).
        paid: The table amount minus the Kindergeld share (half for minors, all for adults).
        adult: True for a child of 18 or over: both parents then pay their share.

    """

    age: int
    minimum: Decimal
    paid: Decimal
    adult: bool = False


def child_support(p: Parameters, age: int) -> ChildSupport:
    """Return Mindestunterhalt and paid amount for a child's age.

    Minors: the table amount minus half the Kindergeld (§ 1612b BGB). Adults living with a
    parent: the need of income group 1 minus the full Kindergeld; both parents pay pro rata.
    """
    band = _band(p.mindestunterhalt, age)
    if band is None:
        return ChildSupport(age, p.adult_support, p.adult_support - p.kindergeld, adult=True)
    return ChildSupport(age, band.amount, band.amount - p.kindergeld / 2)


class UvgReason(Enum):
    """Why a child gets Unterhaltsvorschuss or not; each names its text (`calc_uvg_<value>`)."""

    OK = "ok"
    TOO_OLD = "too_old"
    MARRIED = "married"
    SGB2_CONDITIONS = "sgb2_conditions"  # 12–17 with Bürgergeld: a condition must hold
    SGB2_UNCLEAR = "sgb2_unclear"  # the parent does not know whether the child gets Bürgergeld
    SGB2_UNLIKELY = "sgb2_unlikely"  # both conditions the parent can tell are ruled out


@dataclass(frozen=True)
class UvgResult:
    """Unterhaltsvorschuss for one child."""

    age: int
    amount: Decimal | None
    eligible: bool | None  # None: depends on something only the Jugendamt can check
    reason: UvgReason


def unterhaltsvorschuss(
    p: Parameters,
    age: int,
    *,
    parent_married: bool = False,
    child_gets_sgb2: bool | None = False,
    parent_gross_income_over_600: bool | None = None,
) -> UvgResult:
    """Return the Unterhaltsvorschuss for a child.

    Rules (FACTS.md): under 12 the parent's income does not matter; 12–17 additionally need no
    SGB II for the child, or the parent on SGB II earning at least 600 € gross (the third way,
    UV ending the SGB II need, only the Jugendamt can check); it ends with the 18th birthday and
    when the parent marries.
    """
    band = _band(p.uvg, age)
    if band is None:
        return UvgResult(age, None, False, UvgReason.TOO_OLD)
    if parent_married:
        return UvgResult(age, None, False, UvgReason.MARRIED)
    if age >= 12 and child_gets_sgb2 is not False:
        if child_gets_sgb2 is None:
            return UvgResult(age, band.amount, None, UvgReason.SGB2_UNCLEAR)
        if parent_gross_income_over_600 is True:
            return UvgResult(age, band.amount, True, UvgReason.OK)
        if parent_gross_income_over_600 is False:
            # Both conditions the parent can tell are ruled out; only the third (UV ends the
            # need for Bürgergeld) remains, and only the Jugendamt can check it.
            return UvgResult(age, band.amount, None, UvgReason.SGB2_UNLIKELY)
        return UvgResult(age, band.amount, None, UvgReason.SGB2_CONDITIONS)
    return UvgResult(age, band.amount, True, UvgReason.OK)


@dataclass(frozen=True)
class MehrbedarfResult:
    """Mehrbedarf für Alleinerziehende."""

    percent: int
    amount: Decimal


def mehrbedarf(p: Parameters, ages: list[int]) -> MehrbedarfResult:
    """Return the single-parent Mehrbedarf (§ 21 Abs. 3 SGB II) for the minor children's ages.

    36 % with a child under 7 or with two or three children under 16; otherwise 12 % per child
    if that is more; at most 60 % of the Regelbedarf.
    """
    minors = [a for a in ages if 0 <= a < 18]
    special = 0
    if any(a < 7 for a in minors):
        special = p.mehrbedarf_percent_under_7
    if 2 <= sum(a < 16 for a in minors) <= 3:
        special = max(special, p.mehrbedarf_percent_two_three_under_16)
    percent = min(
        p.mehrbedarf_percent_max, max(special, p.mehrbedarf_percent_per_child * len(minors))
    )
    amount = (p.regelbedarf_single * percent / 100).quantize(Decimal("0.01"))
    return MehrbedarfResult(percent, amount)


def kinderkrankentage(p: Parameters, ages: list[int]) -> int:
    """Return the Kinderkrankentage a single parent has per year for children under 12."""
    eligible = sum(0 <= a <= p.kktage_max_child_age for a in ages)
    return min(p.kktage_max_single, p.kktage_per_child_single * eligible)


def kindergeld_total(p: Parameters, ages: list[int]) -> Decimal:
    """Return the monthly Kindergeld for the minor children (older ones depend on training)."""
    return p.kindergeld * sum(0 <= a < 18 for a in ages)


def entlastungsbetrag(p: Parameters, children: int) -> Decimal:
    """Return the yearly Entlastungsbetrag (§ 24b EStG) for the number of children."""
    if children <= 0:
        return Decimal(0)
    return p.entlastung_first + p.entlastung_further * (children - 1)
