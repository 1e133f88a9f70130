"""The figures every indicator is made of, for one company and one period, from its books.

A company's books are given as debit-positive cumulative amounts per account (every movement of every year,
counterparties added up) at two dates: the day before the period starts (`opening`) and its last day
(`closing`). Balance-sheet figures are read at those dates; income and expense flows of the period are the
difference of the two (so a period may span years). Three flows need the gross movements and leave out the
entries that only move existing ("stock") assets and balances between group companies (asset transfers and
group events, see `RESTRUCTURING_SOURCES`): dividends declared, depreciation charged and investment in
fixed assets. Figures of several companies (a segment, the group) are their sums.

Amounts are translated to the presentation currency by the caller's factors: closing rates for balances,
the average rate of the period for flows; each translated figure is rounded half-up to 4 places.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
MONEY_QUANTUM = Decimal("0.0001")

#: Sources of entries that move existing assets and balances inside the group rather than invest, charge
#: depreciation or declare dividends (asset transfers between group companies, mergers and other group
#: events). Their lines still change every balance and the period's profit.
RESTRUCTURING_SOURCES: frozenset[str] = frozenset({"asset_transfer", "group_event"})


def money(value: Decimal) -> Decimal:
    """Money at 4 places, half-up (四舍五入)."""
    return value.quantize(MONEY_QUANTUM, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ChartClasses:
    """Which group-chart accounts make which figure (found by type, role and statement line).

    - `types`: account code -> asset, liability, equity, income or expense;
    - `revenue`: accounts on the income-statement line 营业收入 (main and other operating revenue);
    - `cost_of_sales`: accounts on the line 营业成本;
    - `fixed_asset_cost`, `accumulated_depreciation`, `fixed_asset_impairment`: 1601, 1602, 1603;
    - `construction_in_progress`: 1604;
    - `dividends_payable`: 2232.
    """

    types: Mapping[str, str]
    revenue: frozenset[str]
    cost_of_sales: frozenset[str]
    fixed_asset_cost: frozenset[str]
    accumulated_depreciation: frozenset[str]
    fixed_asset_impairment: frozenset[str]
    construction_in_progress: frozenset[str]
    dividends_payable: frozenset[str]

    @property
    def fixed_assets_net(self) -> frozenset[str]:
        return self.fixed_asset_cost | self.accumulated_depreciation | self.fixed_asset_impairment

    @property
    def gross_flow_accounts(self) -> frozenset[str]:
        """The accounts whose gross debits and credits of the period the figures need."""
        return (
            self.fixed_asset_cost
            | self.accumulated_depreciation
            | self.construction_in_progress
            | self.dividends_payable
        )


@dataclass(frozen=True)
class CompanyBooks:
    """What one company's books say for a period, debit-positive, in its functional currency.

    `opening` and `closing`: cumulative amount per account at the end of the day before the period and of its
    last day. `own_debits` and `own_credits`: gross movements of the period on `gross_flow_accounts`, the
    entries of `RESTRUCTURING_SOURCES` left out.
    """

    opening: Mapping[str, Decimal]
    closing: Mapping[str, Decimal]
    own_debits: Mapping[str, Decimal]
    own_credits: Mapping[str, Decimal]


@dataclass(frozen=True)
class EntryLine:
    account_code: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO


@dataclass(frozen=True)
class PlannedEntry:
    """An entry a planned event would post in one company's books. A restructuring entry (`own` False)
    changes balances and profit only; an `own` one (depreciation caught up before an asset leaves) also
    counts in the period's gross flows."""

    entry_date: date
    lines: tuple[EntryLine, ...]
    own: bool = False


def with_entries(
    books: CompanyBooks, *, entries: Iterable[PlannedEntry], period_from: date, period_to: date
) -> CompanyBooks:
    """The books as they would be had `entries` been posted. An entry dated before the period moves both
    dates' balances, one inside it the closing ones (and, when `own`, the gross flows), a later one
    nothing."""
    opening = dict(books.opening)
    closing = dict(books.closing)
    debits = dict(books.own_debits)
    credits = dict(books.own_credits)
    for entry in entries:
        if entry.entry_date > period_to:
            continue
        inside = entry.entry_date >= period_from
        targets = [closing] if inside else [opening, closing]
        for line in entry.lines:
            code = line.account_code
            for target in targets:
                target[code] = target.get(code, ZERO) + line.debit - line.credit
            if inside and entry.own:
                debits[code] = debits.get(code, ZERO) + line.debit
                credits[code] = credits.get(code, ZERO) + line.credit
    return CompanyBooks(opening=opening, closing=closing, own_debits=debits, own_credits=credits)


@dataclass(frozen=True)
class Factors:
    """Presentation-currency units per unit of the company's currency: closing rate at the opening date and
    at the closing date, average rate of the period (all 1 for a company in the presentation currency)."""

    opening: Decimal = Decimal(1)
    closing: Decimal = Decimal(1)
    average: Decimal = Decimal(1)


@dataclass(frozen=True)
class Register:
    """The company's fixed-asset register at the period end: carrying amount of every asset it holds, and of
    those idle (functional currency)."""

    carrying_amount: Decimal = ZERO
    idle_carrying_amount: Decimal = ZERO


@dataclass(frozen=True)
class Figures:
    """Money figures of a company or a sum of companies for a period, presentation currency, 4 places.

    Balances at the period end (`total_assets`, `total_liabilities`, `equity`, `fixed_assets_net`,
    `register_carrying_amount`, `idle_carrying_amount`) and the day before it starts (`*_opening`); flows of
    the period (`revenue`, `cost_of_sales`, `net_profit`, `dividends_declared`, `depreciation`, `capex`).
    """

    total_assets_opening: Decimal = ZERO
    total_assets: Decimal = ZERO
    total_liabilities: Decimal = ZERO
    equity: Decimal = ZERO
    fixed_assets_net_opening: Decimal = ZERO
    fixed_assets_net: Decimal = ZERO
    revenue: Decimal = ZERO
    cost_of_sales: Decimal = ZERO
    net_profit: Decimal = ZERO
    dividends_declared: Decimal = ZERO
    depreciation: Decimal = ZERO
    capex: Decimal = ZERO
    register_carrying_amount: Decimal = ZERO
    idle_carrying_amount: Decimal = ZERO

    @property
    def internally_generated_funds(self) -> Decimal:
        """Net profit plus the depreciation charged (a cost that pays nobody)."""
        return self.net_profit + self.depreciation

    def __add__(self, other: Figures) -> Figures:
        return Figures(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


FIGURE_NAMES: tuple[str, ...] = (*(f.name for f in fields(Figures)), "internally_generated_funds")


def total(items: Iterable[Figures]) -> Figures:
    out = Figures()
    for item in items:
        out = out + item
    return out


def _sum(amounts: Mapping[str, Decimal], codes: Iterable[str]) -> Decimal:
    return sum((amounts.get(code, ZERO) for code in codes), ZERO)


def _of_type(amounts: Mapping[str, Decimal], types: Mapping[str, str], wanted: Sequence[str]) -> Decimal:
    return sum((amount for code, amount in amounts.items() if types.get(code) in wanted), ZERO)


def figures_of(
    books: CompanyBooks,
    *,
    classes: ChartClasses,
    register: Register = Register(),
    factors: Factors = Factors(),
) -> Figures:
    """The company's figures (module docstring; docs/ANALYTICS.md gives each formula).

    Raises:
        KeyError: an account of the books is not in `classes.types` (the caller's chart is incomplete).
    """
    for code in (*books.opening, *books.closing):
        if code not in classes.types:
            raise KeyError(f"account {code} is not in the chart")
    types = classes.types
    flow = {code: books.closing.get(code, ZERO) - books.opening.get(code, ZERO) for code in types}
    assets_open = _of_type(books.opening, types, ("asset",))
    assets = _of_type(books.closing, types, ("asset",))
    liabilities = -_of_type(books.closing, types, ("liability",))
    revenue = -_sum(flow, classes.revenue)
    cost = _sum(flow, classes.cost_of_sales)
    profit = -_of_type(flow, types, ("income", "expense"))
    debits, credits = books.own_debits, books.own_credits
    dividends = _sum(credits, classes.dividends_payable)
    depreciation = _sum(credits, classes.accumulated_depreciation)
    capex = (
        _sum(debits, classes.fixed_asset_cost)
        + _sum(debits, classes.construction_in_progress)
        - _sum(credits, classes.construction_in_progress)
    )

    def at(value: Decimal, factor: Decimal) -> Decimal:
        return money(value * factor)

    return Figures(
        total_assets_opening=at(assets_open, factors.opening),
        total_assets=at(assets, factors.closing),
        total_liabilities=at(liabilities, factors.closing),
        equity=at(assets, factors.closing) - at(liabilities, factors.closing),
        fixed_assets_net_opening=at(_sum(books.opening, classes.fixed_assets_net), factors.opening),
        fixed_assets_net=at(_sum(books.closing, classes.fixed_assets_net), factors.closing),
        revenue=at(revenue, factors.average),
        cost_of_sales=at(cost, factors.average),
        net_profit=at(profit, factors.average),
        dividends_declared=at(dividends, factors.average),
        depreciation=at(depreciation, factors.average),
        capex=at(capex, factors.average),
        register_carrying_amount=at(register.carrying_amount, factors.closing),
        idle_carrying_amount=at(register.idle_carrying_amount, factors.closing),
    )
