"""Builders for the consolidation engine's tests: the group chart, books, scope, rounding.

Accounts come from the packaged CAS group chart (app/ledger/data/cas_chart.csv), so the roles the engine
posts to are the real ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from app.consolidation.domain import AccountInfo, EntityBooks, ScopeEntry, present
from app.ledger.chart_data import load_group_chart

ACCOUNTS = [AccountInfo(a.code, a.type, a.normal_side, a.role or None) for a in load_group_chart()]

CASH = "1002"
RECEIVABLE = "1122"
INVENTORY = "1405"
INVESTMENT_IN_SUBSIDIARIES = "151101"
INVESTMENT_IN_ASSOCIATES = "151102"
PPE = "1601"
ACCUMULATED_DEPRECIATION = "1602"
GOODWILL = "1711"
GOODWILL_IMPAIRMENT = "1712"
DEFERRED_TAX_ASSET = "1811"
PAYABLE = "2202"
OTHER_PAYABLE = "2241"
PROVISIONS = "2801"
DEFERRED_TAX_LIABILITY = "2901"
SHARE_CAPITAL = "4001"
CAPITAL_RESERVE = "4002"
OCI = "4003"
CTA = "400301"
CURRENT_YEAR_PROFIT = "4103"
RETAINED_EARNINGS = "4104"
NCI = "4301"
REVENUE = "6001"
INVESTMENT_INCOME = "6111"
SHARE_OF_ASSOCIATES = "611101"
GAIN_ON_DISPOSAL = "6115"
NON_OPERATING_INCOME = "6301"
COST_OF_SALES = "6401"
ADMIN_EXPENSE = "6602"
IMPAIRMENT_LOSS = "6701"
INCOME_TAX = "6801"

Amounts = Mapping[str | tuple[str, str], int | str | Decimal]


def D(value: int | str | Decimal) -> Decimal:
    return Decimal(str(value))


def books(
    entity: str,
    amounts: Amounts,
    *,
    currency: str = "CNY",
    oci: Mapping[str, int | str | Decimal] | None = None,
    equity_at_historical: Mapping[str, int | str | Decimal] | None = None,
    opening_cta: int | str | Decimal = 0,
) -> EntityBooks:
    """Books from natural-sign amounts keyed by account or (account, counterparty)."""
    balances: dict[tuple[str, str | None], Decimal] = {}
    for key, value in amounts.items():
        account, counterparty = (key, None) if isinstance(key, str) else key
        balances[(account, counterparty)] = balances.get((account, counterparty), Decimal(0)) + D(value)
    return EntityBooks(
        entity=entity,
        currency=currency,
        balances=balances,
        oci_for_period={k: D(v) for k, v in (oci or {}).items()},
        equity_at_historical={k: D(v) for k, v in equity_at_historical.items()}
        if equity_at_historical
        else None,
        opening_cta=D(opening_cta),
    )


def parent_entry(entity: str) -> ScopeEntry:
    return ScopeEntry(entity, "parent", Decimal(1), Decimal(1))


def subsidiary(
    entity: str, interest: str | Decimal, since: date | None = None, control: str | None = None
) -> ScopeEntry:
    return ScopeEntry(entity, "subsidiary", D(interest), D(control or interest), since)


def associate(entity: str, share: str | Decimal) -> ScopeEntry:
    return ScopeEntry(entity, "associate", D(share), D(share))


def unit(value: Decimal) -> Decimal:
    """Rounded to the unit, ROUND_HALF_UP, as the published answers are."""
    return present(value, Decimal(1))


def tenth(value: Decimal) -> Decimal:
    return present(value, Decimal("0.1"))
