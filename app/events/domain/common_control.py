"""Business combinations under common control (同一控制下企业合并, CAS 20 Arts. 5-9; DOMAIN §3.3).

The parties are controlled by the same ultimate party before and after, so nothing is bought from outside:
- the combining party measures what it obtains at the carrying amounts in the ULTIMATE CONTROLLING PARTY's
  consolidated statements, goodwill the controller recognised included (CAS 2 Art. 3(1)): the initial cost of
  the long-term equity investment is share x net assets as carried there + that goodwill (51tk: 7.2亿, not the
  7亿 book value nor the 8亿 fair value; 51tk re-transfer: (5,000 + 1,000) x 80% + 200 = 5,000);
- no new goodwill; the consideration leaves at its carrying amount (a fixed asset through 固定资产清理 at
  cost less depreciation less impairment; shares issued at their par value), no gain or loss on it;
- the difference goes to capital reserve, then surplus reserve and retained earnings (`reserves`);
- direct costs (audit, valuation, legal) are expensed (管理费用); costs of issuing shares reduce the premium.

In the consolidated statements the combined party's results count from the start of the period, the opening
balances and comparatives are restated as if the group had always existed, and the part of the combined
party's pre-combination retained earnings (surplus reserve and undistributed profit) that belongs to the
combining party is restored out of capital reserve, capped by the capital reserve available
(借:资本公积 贷:盈余公积/未分配利润).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from app.events.domain.model import (
    EventAccounts,
    PlannedEntry,
    PlannedLine,
    entry,
    line,
)
from app.events.domain.reserves import ReserveSplit, split_equity_change

_ZERO = Fraction(0)


@dataclass(frozen=True, slots=True)
class NonCashAsset:
    """A fixed asset given as consideration: its carrying amount leaves the books (cost, depreciation,
    impairment); `fair_value` is what the receiver books when it measures at fair value."""

    cost: Fraction
    accumulated_depreciation: Fraction = _ZERO
    impairment: Fraction = _ZERO
    fair_value: Fraction | None = None
    description: str = ""

    @property
    def carrying_amount(self) -> Fraction:
        return self.cost - self.accumulated_depreciation - self.impairment

    @property
    def value_received(self) -> Fraction:
        return self.fair_value if self.fair_value is not None else self.carrying_amount


@dataclass(frozen=True, slots=True)
class Consideration:
    """What the acquirer gives: cash, fixed assets, and shares issued (par value; fair value for NCUC)."""

    cash: Fraction = _ZERO
    assets: tuple[NonCashAsset, ...] = ()
    shares_par_value: Fraction = _ZERO
    shares_fair_value: Fraction | None = None

    @property
    def carrying_amount(self) -> Fraction:
        """CAS 20: the consideration at its carrying amount (shares at par)."""
        return self.cash + sum((a.carrying_amount for a in self.assets), _ZERO) + self.shares_par_value

    @property
    def fair_value(self) -> Fraction:
        """IFRS 3 / CAS 20 NCUC: cash + assets at fair value + shares at fair value (par when not given)."""
        shares = self.shares_fair_value if self.shares_fair_value is not None else self.shares_par_value
        return self.cash + sum((a.value_received for a in self.assets), _ZERO) + shares

    @property
    def empty(self) -> bool:
        return self.cash == 0 and not self.assets and self.shares_par_value == 0


@dataclass(frozen=True)
class CommonControlResult:
    """Figures and the combining party's entries (credit-positive capital reserve adjustment)."""

    initial_investment_cost: Fraction
    consideration_carrying_amount: Fraction
    fixed_asset_clearing_book_value: Fraction
    capital_reserve_adjustment: Fraction
    reserves: ReserveSplit
    issue_cost_reserves: ReserveSplit
    direct_costs: Fraction
    surplus_reserve_restored: Fraction
    retained_earnings_restored: Fraction
    entries: tuple[PlannedEntry, ...]


def asset_clearing_lines(asset: NonCashAsset, accounts: EventAccounts) -> list[PlannedLine]:
    """转入固定资产清理: Dr clearing (carrying amount), Dr depreciation, Dr impairment, Cr cost."""
    return [
        line(accounts.fixed_asset_disposal, asset.carrying_amount),
        line(accounts.accumulated_depreciation, asset.accumulated_depreciation),
        line(accounts.fixed_asset_impairment, asset.impairment),
        line(accounts.fixed_asset, -asset.cost),
    ]


def common_control_combination(
    *,
    acquirer: str,
    acquiree: str,
    on: date,
    share_after: Fraction,
    net_assets_in_controller_statements: Fraction,
    goodwill_in_controller_statements: Fraction,
    consideration: Consideration,
    previously_held_carrying_amount: Fraction,
    capital_reserve_available: Fraction,
    surplus_reserve_available: Fraction,
    acquiree_surplus_reserve: Fraction,
    acquiree_retained_earnings: Fraction,
    direct_costs: Fraction,
    share_issue_costs: Fraction,
    accounts: EventAccounts,
    investment_account: str,
) -> CommonControlResult:
    """The combining party's accounting (module docstring) for a holding of `share_after` after the deal.

    An interest held before (a step under common control) is carried at `previously_held_carrying_amount`
    and leaves its account; the new cost is the whole holding's share of the net assets plus the goodwill.
    """
    cost = share_after * net_assets_in_controller_statements + goodwill_in_controller_statements
    given = consideration.carrying_amount + previously_held_carrying_amount
    reserves = split_equity_change(
        change=cost - given,
        capital_reserve_available=capital_reserve_available,
        surplus_reserve_available=surplus_reserve_available,
    )
    after_combination_reserve = capital_reserve_available + reserves.capital_reserve
    issue_reserves = split_equity_change(
        change=-share_issue_costs,
        capital_reserve_available=after_combination_reserve,
        surplus_reserve_available=surplus_reserve_available + reserves.surplus_reserve,
    )
    entries: list[PlannedEntry] = []
    for asset in consideration.assets:
        clearing = entry(
            entity_id=acquirer,
            entry_date=on,
            description=(
                f"Fixed asset given as consideration for a common-control combination {asset.description}"
            ).strip(),
            lines=asset_clearing_lines(asset, accounts),
        )
        if clearing is not None:
            entries.append(clearing)
    lines: list[PlannedLine] = [
        line(investment_account, cost - previously_held_carrying_amount, counterparty=acquiree),
        line(accounts.cash, -consideration.cash),
        line(accounts.fixed_asset_disposal, -sum((a.carrying_amount for a in consideration.assets), _ZERO)),
        line(accounts.share_capital, -consideration.shares_par_value),
        *reserves.lines(accounts),
    ]
    combination = entry(
        entity_id=acquirer,
        entry_date=on,
        description="Business combination under common control (CAS 20): investment at the carrying amount "
        "in the ultimate controlling party's consolidated statements",
        lines=lines,
    )
    if combination is not None:
        entries.append(combination)
    costs = entry(
        entity_id=acquirer,
        entry_date=on,
        description="Direct costs of the combination (expensed) and share issue costs (against the premium)",
        lines=[
            line(accounts.admin_expense, direct_costs),
            *issue_reserves.lines(accounts),
            line(accounts.cash, -(direct_costs + share_issue_costs)),
        ],
    )
    if costs is not None:
        entries.append(costs)
    # Consolidated statements: restore the combining party's part of the pre-combination retained earnings
    # out of the capital reserve left after the combination, surplus reserve first.
    room = max(after_combination_reserve + issue_reserves.capital_reserve, _ZERO)
    surplus = min(share_after * max(acquiree_surplus_reserve, _ZERO), room)
    retained = min(share_after * max(acquiree_retained_earnings, _ZERO), room - surplus)
    return CommonControlResult(
        initial_investment_cost=cost,
        consideration_carrying_amount=consideration.carrying_amount,
        fixed_asset_clearing_book_value=sum((a.carrying_amount for a in consideration.assets), _ZERO),
        capital_reserve_adjustment=cost - given,
        reserves=reserves,
        issue_cost_reserves=issue_reserves,
        direct_costs=direct_costs,
        surplus_reserve_restored=surplus,
        retained_earnings_restored=retained,
        entries=tuple(entries),
    )


def restoration_entry(
    *, parent: str, on: date, surplus: Fraction, retained: Fraction, accounts: EventAccounts
) -> PlannedEntry | None:
    """The consolidated entry 借:资本公积 贷:盈余公积, 未分配利润 (None when nothing is restored)."""
    return entry(
        entity_id=parent,
        entry_date=on,
        description="Restore the combined party's pre-combination retained earnings out of capital reserve",
        lines=[
            line(accounts.capital_reserve, surplus + retained),
            line(accounts.surplus_reserve, -surplus),
            line(accounts.retained_earnings, -retained),
        ],
        layer="consolidated",
    )
