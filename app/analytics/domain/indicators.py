"""Indicator formulas: what the founding document measures the parts makers by.

Small scale (total assets, revenue), low profits (margins, return on assets), low profit retention (the share
of profit kept rather than distributed), poor self-financing (internally generated funds against investment
in fixed assets and dividends), and existing assets used badly (revenue per fixed assets, idle assets).

Ratios are computed exactly and rounded once, half-up, to `RATIO_PLACES` places; a ratio whose denominator
is zero (or, where said, not positive) has no value (None). Money indicators are the figures themselves.
The same formulas apply to a company, a segment and the group: their figures are sums (see `figures`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Literal

from app.analytics.domain.figures import Figures

RATIO_PLACES = 6
RATIO_QUANTUM = Decimal(1).scaleb(-RATIO_PLACES)
ZERO = Decimal(0)
TWO = Decimal(2)

Kind = Literal["money", "ratio"]
Group = Literal["scale", "profitability", "retention", "self_financing", "utilization"]


def ratio(numerator: Decimal | Fraction, denominator: Decimal | Fraction) -> Decimal | None:
    """numerator / denominator rounded half-up to 6 places, None when the denominator is 0."""
    if denominator == 0:
        return None
    exact = Fraction(numerator) / Fraction(denominator)
    quotient = Decimal(exact.numerator) / Decimal(exact.denominator)
    # Decimal division keeps 28 significant digits: far more than the 6 places kept.
    return quotient.quantize(RATIO_QUANTUM, rounding=ROUND_HALF_UP)


def _average(opening: Decimal, closing: Decimal) -> Fraction:
    return (Fraction(opening) + Fraction(closing)) / 2


def net_margin(f: Figures) -> Decimal | None:
    return ratio(f.net_profit, f.revenue)


def gross_margin(f: Figures) -> Decimal | None:
    return ratio(f.revenue - f.cost_of_sales, f.revenue)


def return_on_assets(f: Figures) -> Decimal | None:
    return ratio(f.net_profit, _average(f.total_assets_opening, f.total_assets))


def retention_ratio(f: Figures) -> Decimal | None:
    """(net profit - dividends declared) / net profit; None unless the profit is positive (a loss leaves
    nothing to retain, and the ratio's sign would mislead)."""
    if f.net_profit <= 0:
        return None
    return ratio(f.net_profit - f.dividends_declared, f.net_profit)


def self_financing_ratio(f: Figures) -> Decimal | None:
    """(net profit + depreciation) / (investment in fixed assets + dividends declared); None unless the
    denominator is positive."""
    needs = f.capex + f.dividends_declared
    if needs <= 0:
        return None
    return ratio(f.internally_generated_funds, needs)


def fixed_asset_turnover(f: Figures) -> Decimal | None:
    return ratio(f.revenue, _average(f.fixed_assets_net_opening, f.fixed_assets_net))


def idle_asset_share(f: Figures) -> Decimal | None:
    return ratio(f.idle_carrying_amount, f.register_carrying_amount)


@dataclass(frozen=True)
class Indicator:
    """One indicator: its name on the wire, kind, family, labels and the formula in words."""

    name: str
    kind: Kind
    group: Group
    label: str
    label_zh: str
    formula: str
    compute: Callable[[Figures], Decimal | None]


def _money(name: str) -> Callable[[Figures], Decimal | None]:
    return lambda f: getattr(f, name)


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "total_assets", "money", "scale", "Total assets", "资产总额",
        "sum of the balances of every asset account (contra accounts net) at the period end",
        _money("total_assets"),
    ),
    Indicator(
        "revenue", "money", "scale", "Operating revenue", "营业收入",
        "credits less debits of the revenue accounts (6001, 6051) in the period", _money("revenue"),
    ),
    Indicator(
        "net_profit", "money", "profitability", "Net profit", "净利润",
        "income less expenses of the period (every income and expense account)", _money("net_profit"),
    ),
    Indicator(
        "equity", "money", "scale", "Equity", "所有者权益",
        "total assets less total liabilities at the period end", _money("equity"),
    ),
    Indicator(
        "net_margin", "ratio", "profitability", "Net margin", "销售净利率",
        "net profit / revenue; None when revenue is 0", net_margin,
    ),
    Indicator(
        "gross_margin", "ratio", "profitability", "Gross margin", "毛利率",
        "(revenue - cost of sales) / revenue; None when revenue is 0", gross_margin,
    ),
    Indicator(
        "return_on_assets", "ratio", "profitability", "Return on assets", "总资产报酬率",
        "net profit / ((total assets the day before the period + total assets at its end) / 2); "
        "not annualised; None when the average is 0",
        return_on_assets,
    ),
    Indicator(
        "retention_ratio", "ratio", "retention", "Profit retention", "利润留存率",
        "(net profit - dividends declared) / net profit; None unless net profit > 0", retention_ratio,
    ),
    Indicator(
        "internally_generated_funds", "money", "self_financing", "Internally generated funds", "内部积累资金",
        "net profit + depreciation charged in the period", _money("internally_generated_funds"),
    ),
    Indicator(
        "self_financing_ratio", "ratio", "self_financing", "Self-financing capacity", "自筹能力",
        "(net profit + depreciation) / (investment in fixed assets + dividends declared); "
        "None unless the denominator > 0",
        self_financing_ratio,
    ),
    Indicator(
        "fixed_asset_turnover", "ratio", "utilization", "Fixed-asset turnover", "固定资产周转率",
        "revenue / average net fixed assets (1601 - 1602 - 1603, opening and closing); "
        "None when the average is 0",
        fixed_asset_turnover,
    ),
    Indicator(
        "idle_asset_share", "ratio", "utilization", "Idle assets' share", "闲置资产占比",
        "carrying amount of the register's idle assets / carrying amount of all its assets, "
        "at the period end; None when the register holds nothing",
        idle_asset_share,
    ),
)  # fmt: skip

BY_NAME: dict[str, Indicator] = {i.name: i for i in INDICATORS}
RATIO_NAMES: tuple[str, ...] = tuple(i.name for i in INDICATORS if i.kind == "ratio")
MONEY_NAMES: tuple[str, ...] = tuple(i.name for i in INDICATORS if i.kind == "money")


def ratios(figures: Figures) -> dict[str, Decimal | None]:
    """Every ratio indicator of `figures`, by name."""
    return {i.name: i.compute(figures) for i in INDICATORS if i.kind == "ratio"}


def value(name: str, figures: Figures) -> Decimal | None:
    """The value of the indicator `name`.

    Raises:
        KeyError: no indicator has that name.
    """
    return BY_NAME[name].compute(figures)
