"""Consolidated statements and headline figures from the ledger (DOMAIN §8).

Every account's group amount is the companies' translated balances plus the consolidation lines; the
balance sheet shows it in the natural sign of the account's type. The period's profit is not closed in the
books, so it is shown on the current-year profit account (本年利润, inside 未分配利润) net of the NCI's
share, which the attribution journal has already moved to the NCI account: assets = liabilities + equity
then holds to the last digit.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from app.consolidation.domain.aggregation import Ledger
from app.consolidation.domain.numbers import ZERO, to_decimal
from app.consolidation.domain.results import ConsolidatedFigures, StatementLine

_RETAINED_ROLES = frozenset({"retained_earnings", "current_year_profit", "prior_year_adjustment"})
_GOODWILL_ROLES = frozenset({"goodwill", "goodwill_impairment"})
_ASSOCIATE_ROLES = frozenset({"investment_in_associates", "investment_in_joint_ventures"})


@dataclass(frozen=True)
class Statements:
    balance_sheet: tuple[StatementLine, ...]
    income_statement: tuple[StatementLine, ...]
    figures: ConsolidatedFigures
    profit: Fraction


def build_statements(ledger: Ledger, *, nci_profit: Fraction) -> Statements:
    """Statements by account (non-zero lines, by code) and the API figures."""
    chart = ledger.chart
    totals = ledger.account_totals()
    profit = -sum((v for a, v in totals.items() if chart.is_pnl(a)), ZERO)
    profit_account = chart.role("current_year_profit")
    natural: dict[str, Fraction] = {}
    for account, amount in totals.items():
        natural[account] = chart.sign(account) * amount
    natural[profit_account] = natural.get(profit_account, ZERO) + profit

    def lines(types: frozenset[str]) -> tuple[StatementLine, ...]:
        return tuple(
            StatementLine(a, chart.type_of(a), to_decimal(v))
            for a, v in sorted(natural.items())
            if v != 0 and chart.type_of(a) in types
        )

    def by_type(kind: str) -> Fraction:
        return sum((v for a, v in natural.items() if chart.type_of(a) == kind), ZERO)

    def by_roles(roles: frozenset[str]) -> Fraction:
        return sum((v for a, v in natural.items() if chart.role_of(a) in roles), ZERO)

    nci = by_roles(frozenset({"nci"}))
    equity = by_type("equity")
    figures = ConsolidatedFigures(
        goodwill=to_decimal(by_roles(_GOODWILL_ROLES)),
        non_controlling_interest=to_decimal(nci),
        investment_in_associates=to_decimal(by_roles(_ASSOCIATE_ROLES)),
        total_assets=to_decimal(by_type("asset")),
        total_liabilities=to_decimal(by_type("liability")),
        total_equity=to_decimal(equity),
        equity_attributable_to_parent=to_decimal(equity - nci),
        retained_earnings=to_decimal(by_roles(_RETAINED_ROLES)),
        profit_for_period=to_decimal(profit),
        profit_attributable_to_parent=to_decimal(profit - nci_profit),
        profit_attributable_to_nci=to_decimal(nci_profit),
    )
    return Statements(
        lines(frozenset({"asset", "liability", "equity"})),
        lines(frozenset({"income", "expense"})),
        figures,
        profit,
    )
