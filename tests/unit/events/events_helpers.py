"""Shared builders for the pure tests of the group events."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from app.events.domain import EventAccounts, EventPlan, GroupFacts, HoldingState, PartyFacts

ACCOUNTS = EventAccounts(
    cash="1002",
    investment_in_subsidiaries="151101",
    investment_in_associates="151102",
    investment_in_joint_ventures="151103",
    other_equity_investment="1507",
    investment_impairment="1512",
    share_capital="4001",
    capital_reserve="4002",
    surplus_reserve="4101",
    retained_earnings="4104",
    investment_income="6111",
    admin_expense="6602",
    fixed_asset="1601",
    accumulated_depreciation="1602",
    fixed_asset_impairment="1603",
    fixed_asset_disposal="1606",
    nci="4301",
)


def hold(
    holder: str, investee: str, share: str, capital: str | None = None, votes: str | None = None
) -> HoldingState:
    return HoldingState(
        holder=holder,
        investee=investee,
        share=Decimal(share),
        voting_share=Decimal(votes if votes is not None else share),
        capital=Decimal(capital) if capital is not None else None,
    )


def group(
    *,
    parent: str,
    holdings: list[HoldingState],
    companies: list[str],
    externals: tuple[str, ...] = (),
    balances: Mapping[str, Mapping[str, str]] | None = None,
    reserves: Mapping[str, tuple[str, str]] | None = None,
    closed: frozenset[str] = frozenset(),
) -> GroupFacts:
    parties = {c: PartyFacts(id=c, code=c, kind="company", exists=True) for c in companies}
    parties.update({e: PartyFacts(id=e, code=e, kind="external", exists=True) for e in externals})
    return GroupFacts(
        parent=parent,
        holdings=tuple(holdings),
        parties=parties,
        accounts=ACCOUNTS,
        closed=closed,
        investment_balances={
            h: {code: Fraction(Decimal(v)) for code, v in accts.items()}
            for h, accts in (balances or {}).items()
        },
        reserves={e: (Fraction(Decimal(c)), Fraction(Decimal(s))) for e, (c, s) in (reserves or {}).items()},
    )


def lines_of(plan: EventPlan, entity: str, *, layer: str = "books") -> dict[str, Decimal]:
    """Debit-positive net per account over the entity's entries of the layer."""
    out: dict[str, Decimal] = {}
    for e in plan.entries_of(entity, layer=layer):
        for ln in e.lines:
            out[ln.account_code] = out.get(ln.account_code, Decimal(0)) + ln.net
    return {k: v for k, v in out.items() if v}


def fig(plan: EventPlan, name: str) -> Decimal:
    return plan.figure(name)
